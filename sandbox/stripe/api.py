"""What every `/v1` endpoint shares: API-key auth, form decoding, `expand[]`, idempotent
POSTs, Stripe's list objects and cursors, and the JSON answer with Stripe's headers."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from sandbox.stripe.errors import API_ERROR, IDEMPOTENCY, StripeApiError, invalid, no_such
from sandbox.stripe.expand import expand
from sandbox.stripe.forms import Params, Range, parse_form
from sandbox.stripe.idempotency import StoredResponse
from sandbox.stripe.objects import ORIGIN, Json, list_object
from sandbox.stripe.state import StripeState, noun_of
from sandbox.stripe.timeline import Timeline
from sandbox.upstream import StateHolder

log = logging.getLogger(__name__)

API_VERSION = "2026-10-28.endive"
_KEY_SHAPE = re.compile(r"^[sr]k_test_[A-Za-z0-9_]+$")
_VERSION_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


@dataclass(frozen=True)
class Call:
    """One API request as a handler sees it."""

    request: web.Request
    state: StripeState
    params: Params  # without `expand`, which the wrapper applies to the result

    def match(self, name: str) -> str:
        return self.request.match_info[name]


Endpoint = Callable[[Call], Json]


def endpoint(
    holder: StateHolder[StripeState], handler: Endpoint
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        headers = {"Request-Id": "req_" + uuid.uuid4().hex[:14], "Stripe-Version": API_VERSION}
        try:
            _authenticate(request)
            headers["Stripe-Version"] = _version(request)
            data = await _form(request)
            paths = Params(data).strings("expand")
            data.pop("expand", None)
            key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
            state = holder.state
            if key:
                fingerprint = _fingerprint(request, data, paths)
                stored = state.idempotency.get(key)
                if stored is not None:
                    return _replay(stored, fingerprint, key, headers, request)
            result = handler(Call(request, state, Params(data)))
            body = json.dumps(expand(result, paths, state.lookup, state.include))
            if key:
                state.idempotency.put(key, StoredResponse(fingerprint, 200, body))
                headers["Idempotency-Key"] = key
            return _respond(200, body, headers, request)
        except StripeApiError as exc:
            return _error(exc, headers, request)
        except Exception:  # a sandbox bug; answer as Stripe would rather than drop the connection
            log.exception("stripe sandbox failed on %s %s", request.method, request.path)
            failure = StripeApiError(500, "An unknown error occurred", error_type=API_ERROR)
            return _error(failure, headers, request)

    return handle


async def unrecognized(request: web.Request) -> web.Response:
    message = (
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/."
    )
    return _error(StripeApiError(404, message), {}, request)


def origin(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def json_answer(request: web.Request, body: Any, status: int = 200) -> web.Response:
    """JSON with the sandbox's own URLs pointing at the host the caller used."""
    return _respond(status, json.dumps(body), {}, request)


def _respond(status: int, body: str, headers: dict[str, str], request: web.Request) -> web.Response:
    return web.Response(
        status=status,
        text=body.replace(ORIGIN, origin(request)),
        content_type="application/json",
        headers=headers,
    )


def _error(exc: StripeApiError, headers: dict[str, str], request: web.Request) -> web.Response:
    if exc.status == 401:
        headers = {**headers, "WWW-Authenticate": 'Basic realm="Stripe"'}
    return _respond(exc.status, json.dumps(exc.body()), headers, request)


def _authenticate(request: web.Request) -> None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    key = credentials.strip()
    if scheme.lower() == "basic":
        try:
            key = base64.b64decode(key, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            key = ""
    elif scheme.lower() != "bearer":
        key = ""
    if not key:
        raise StripeApiError(401, _NO_KEY)
    if not _KEY_SHAPE.match(key):
        masked = key[:8] + "*" * max(0, len(key) - 12) + key[-4:] if len(key) > 12 else key
        raise StripeApiError(401, f"Invalid API Key provided: {masked}")


def _version(request: web.Request) -> str:
    version = request.headers.get("Stripe-Version")
    if version is None:
        return API_VERSION
    if not _VERSION_SHAPE.match(version):
        raise invalid(f"Invalid Stripe API version: {version}")
    return version


async def _form(request: web.Request) -> dict[str, Any]:
    text = request.query_string
    if request.method == "POST":  # read() again: the shared middleware already read it
        body = (await request.read()).decode("utf-8", "replace")
        text = "&".join(part for part in (text, body) if part)
    return parse_form(text)


def _fingerprint(request: web.Request, data: dict[str, Any], paths: list[str]) -> str:
    return json.dumps([request.method, request.path, data, paths], sort_keys=True)


def _replay(
    stored: StoredResponse,
    fingerprint: str,
    key: str,
    headers: dict[str, str],
    request: web.Request,
) -> web.Response:
    if stored.fingerprint != fingerprint:
        raise StripeApiError(
            400,
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
            error_type=IDEMPOTENCY,
        )
    replay_headers = {**headers, "Idempotency-Key": key, "Idempotent-Replayed": "true"}
    return _respond(stored.status, stored.body, replay_headers, request)


# Lists


@dataclass(frozen=True)
class ListQuery:
    limit: int
    after: str | None
    before: str | None


def list_query(params: Params) -> ListQuery:
    limit = params.integer("limit", low=1, high=100)
    after, before = params.text("starting_after"), params.text("ending_before")
    if after and before:
        raise invalid(
            "You may only specify one of these parameters: ending_before, starting_after.",
            "ending_before",
        )
    return ListQuery(10 if limit is None else limit, after or None, before or None)


LIST_PARAMS = ("limit", "starting_after", "ending_before")


def paged_list(
    query: ListQuery,
    timeline: Timeline,
    table: dict[str, Json],
    url: str,
    *,
    created: Range | None = None,
    keep: Callable[[str], bool] | None = None,
) -> Json:
    after = _cursor(table, query.after, "starting_after")
    before = _cursor(table, query.before, "ending_before")
    page = timeline.page(query.limit, after=after, before=before, created=created, keep=keep)
    return list_object([table[i] for i in page.ids], url, has_more=page.has_more)


def _cursor(table: dict[str, Json], object_id: str | None, param: str) -> tuple[int, str] | None:
    if object_id is None:
        return None
    found = table.get(object_id)
    if found is None:
        noun = noun_of(object_id, table)
        raise StripeApiError(
            400, f"No such {noun}: '{object_id}'", code="resource_missing", param=param
        )
    return found["created"], object_id


def sliced_list(objects: list[Json], query: ListQuery, url: str, noun: str) -> Json:
    """A page of an in-memory list already in the order Stripe lists it."""
    ids = [obj["id"] for obj in objects]
    for cursor, param in ((query.after, "starting_after"), (query.before, "ending_before")):
        if cursor is not None and cursor not in ids:
            raise no_such(noun, cursor, param=param, status=400)
    if query.before is not None:
        stop = ids.index(query.before)
        start = max(0, stop - query.limit)
        return list_object(objects[start:stop], url, has_more=start > 0)
    start = 0 if query.after is None else ids.index(query.after) + 1
    return list_object(
        objects[start : start + query.limit], url, has_more=start + query.limit < len(objects)
    )
