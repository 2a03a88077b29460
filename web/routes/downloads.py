"""`GET /documents/{id}/download?token=…`: the bytes of a document, streamed from Drive or
Stripe, never held whole in memory.

In order: the link's signature and expiry (403), a signed-in viewer by session cookie or
bearer token (401), the viewer's account still owning the document (404, as for any record
of another account), then the upstream's bytes with their type, name and length."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol
from urllib.parse import quote

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from auth.signing import BadSignature
from connectors import drive, stripe
from connectors.http import NotFound, UpstreamError, UpstreamTimeout
from resolvers.documents import DocumentRecord, document_by_global_id
from resolvers.request.context import RequestContext

ContextFor = Callable[[Request], Awaitable[RequestContext]]


class Bytes(Protocol):
    content_type: str
    content_length: int | None

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


def download_routes(context_for: ContextFor) -> list[Route]:
    async def download(request: Request) -> Response:
        return await serve_download(await context_for(request), request)

    return [Route("/documents/{id}/download", download, methods=["GET"])]


async def serve_download(ctx: RequestContext, request: Request) -> Response:
    global_id = request.path_params["id"]
    try:
        signed = ctx.services.download_signer.unsign(request.query_params.get("token", ""))
    except (BadSignature, TypeError):  # TypeError: hmac refuses non-ASCII text
        return _refused(403, "This download link is not valid, or it has expired.")
    if signed.get("d") != global_id:
        return _refused(403, "This download link is not valid, or it has expired.")
    if ctx.viewer is None:
        if ctx.viewer_failure is not None:
            return _refused(503, "Sign-in could not be checked right now; try again shortly.")
        return _refused(401, "Sign in first: send the session cookie or a bearer token.")
    try:
        _, document = await document_by_global_id(ctx, global_id)
        body = await _open(ctx, document)
    except GraphQLError:  # NOT_FOUND, or an id this API never gave out
        return _refused(404, "No such document.")
    except NotFound:
        return _refused(404, "No such document.")
    except UpstreamTimeout:
        return _refused(504, "The document's source did not answer in time.")
    except UpstreamError:
        return _refused(503, "The document's source is unavailable right now.")
    return StreamingResponse(_chunks(body), headers=_headers(document, body))


async def _open(ctx: RequestContext, document: DocumentRecord) -> Bytes:
    upstreams = ctx.services.upstreams
    if document.source == "drive":
        return await drive.download(upstreams.drive, document.upstream_id)
    invoice = await ctx.loaders.invoice_by_id.load(document.upstream_id)
    if invoice is None:
        raise NotFound("stripe", document.upstream_id)
    return await stripe.open_invoice_pdf(upstreams.stripe_files, invoice)


async def _chunks(body: Bytes) -> AsyncIterator[bytes]:
    try:
        async for chunk in body:
            yield chunk
    finally:  # the client may leave early: free the upstream connection either way
        await body.aclose()


def _headers(document: DocumentRecord, body: Bytes) -> dict[str, str]:
    headers = {
        "Content-Type": body.content_type or document.mime_type,
        "Content-Disposition": _attachment(document.name),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if body.content_length is not None:
        headers["Content-Length"] = str(body.content_length)
    return headers


def _attachment(name: str) -> str:
    """RFC 6266: an ASCII fallback name, and the exact name in UTF-8 for browsers that can."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _refused(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})
