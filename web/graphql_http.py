"""GraphQL over HTTP's two response media types, negotiated from `Accept`.

`application/graphql-response+json` when the client accepts it: a request error (the
document does not parse or validate, variables do not coerce) answers 400 without a `data`
entry. `application/json` otherwise (and when `Accept` is missing or `*/*`): 200 for every
well-formed request, as clients written before the media type expect.
"""

from __future__ import annotations

import hashlib

from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def negotiated_media_type(accept: str | None) -> str:
    for part in (accept or "").split(","):
        media_type, _, params = part.partition(";")
        if media_type.strip().lower() == GRAPHQL_RESPONSE and "q=0" not in params.replace(" ", ""):
            return GRAPHQL_RESPONSE
    return JSON


class GraphQLSubResponse(Response):
    """What resolvers may add to the answer (headers, cookies, a status), and how to send it."""

    def __init__(self, media_type: str, if_none_match: str | None = None) -> None:
        super().__init__()
        # A GET's If-None-Match (None for a POST): a repeat may answer 304 Not Modified.
        self.if_none_match = if_none_match
        self.status_code = None  # type: ignore[assignment]  # None: the view decides
        del self.headers["content-length"]
        self.media_type = media_type
        self.request_error = False  # set when the operation never started executing

    def strict(self) -> bool:
        return self.media_type == GRAPHQL_RESPONSE and self.request_error


def revalidated(response: Response, if_none_match: str | None) -> Response:
    """A GET's answer with its ETag, kept by the browser only to revalidate: the same body
    again answers 304 without it."""
    if response.status_code != 200:
        return response
    etag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
    headers = {"etag": etag, "cache-control": "private, max-age=0, must-revalidate"}
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
