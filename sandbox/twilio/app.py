"""Twilio's Messages resource (API version 2010-04-01, as Twilio documents it): create a
message (form-encoded To, From, Body; HTTP basic auth with the account SID and
auth token), list them (newest first, `To` filter), fetch one. Nothing is sent to any
phone: the messages stay here for tests to read. Twilio's error bodies and codes.

Knobs, the request log and reset come from the shared sandbox backbone (sandbox/upstream.py).
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

from sandbox.accounts import Backbone
from sandbox.upstream import Knobs, StateHolder, vendor_app

ACCOUNT_SID = "AC5a4db0c5000000000000000000000001"
AUTH_TOKEN = "sandbox-auth-token"
API = "/2010-04-01/Accounts/{account_sid}"
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
MAX_BODY = 1600  # Twilio's limit on a message body, in characters

Json = dict[str, Any]


@dataclass
class TwilioState:
    messages: list[Json] = field(default_factory=list)


def error_body(status: int, message: str, code: int | None = None) -> Json:
    code = code or {401: 20003, 404: 20404, 429: 20429}.get(status, 20500)
    return {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}  # fmt: skip


def create_app(backbone: Backbone, knobs: Knobs) -> web.Application:
    holder: StateHolder[TwilioState] = StateHolder(TwilioState)
    app = vendor_app(holder=holder, error_body=error_body, knobs=knobs)
    app.router.add_post(API + "/Messages.json", _handler(holder, _create))
    app.router.add_get(API + "/Messages.json", _handler(holder, _list))
    app.router.add_get(API + "/Messages/{sid}.json", _handler(holder, _fetch))
    return app


def _handler(holder: StateHolder[TwilioState], action: Any) -> Any:
    async def handle(request: web.Request) -> web.Response:
        if not _authorized(request):
            return web.json_response(error_body(401, "Authenticate"), status=401)
        result: web.Response = await action(holder.state, request)
        return result

    return handle


def _authorized(request: web.Request) -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        sid, _, token = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return False
    return sid == ACCOUNT_SID == request.match_info["account_sid"] and token == AUTH_TOKEN


async def _create(state: TwilioState, request: web.Request) -> web.Response:
    form = await request.post()
    to, sender, body = (str(form.get(k, "")) for k in ("To", "From", "Body"))
    problem = _problem(to, sender, body)
    if problem is not None:
        code, refusal = problem
        return web.json_response(error_body(400, refusal, code), status=400)
    now = format_datetime(datetime.now(UTC), usegmt=True)
    sid = "SM" + secrets.token_hex(16)
    base = API.format(account_sid=ACCOUNT_SID)
    message: Json = {
        "sid": sid, "account_sid": ACCOUNT_SID, "to": to, "from": sender, "body": body,
        "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
        "num_segments": str(max(1, -(-len(body) // 160))), "num_media": "0",
        "date_created": now, "date_updated": now, "date_sent": None,
        "price": None, "price_unit": "USD", "error_code": None, "error_message": None,
        "messaging_service_sid": None,
        "uri": f"{base}/Messages/{sid}.json",
        "subresource_uris": {"media": f"{base}/Messages/{sid}/Media.json"},
    }  # fmt: skip
    state.messages.append(message)
    return web.json_response(message, status=201)


def _problem(to: str, sender: str, body: str) -> tuple[int, str] | None:
    if not to:
        return 21604, "A 'To' phone number is required."
    if not _E164.fullmatch(to):
        return 21211, f"Invalid 'To' Phone Number: {to}"
    if not sender:
        return 21603, "The 'From' phone number is required."
    if not body:
        return 21602, "Message body is required."
    if len(body) > MAX_BODY:
        return 21617, "The concatenated message body exceeds the 1600 character limit."
    return None


async def _list(state: TwilioState, request: web.Request) -> web.Response:
    to = request.query.get("To")
    found = [m for m in reversed(state.messages) if to is None or m["to"] == to]
    size = int(request.query.get("PageSize", "50"))
    uri = f"{API.format(account_sid=ACCOUNT_SID)}/Messages.json"
    return web.json_response({
        "messages": found[:size], "page": 0, "page_size": size, "start": 0,
        "end": max(0, min(size, len(found)) - 1),
        "uri": f"{uri}?PageSize={size}&Page=0", "first_page_uri": f"{uri}?PageSize={size}&Page=0",
        "next_page_uri": None, "previous_page_uri": None,
    })  # fmt: skip


async def _fetch(state: TwilioState, request: web.Request) -> web.Response:
    sid = request.match_info["sid"]
    for message in state.messages:
        if message["sid"] == sid:
            return web.json_response(message)
    return web.json_response(
        error_body(404, f"The requested resource /Messages/{sid}.json was not found"), status=404
    )
