"""Twilio's Messages API (the Message resource, API version 2010-04-01): one SMS per
request, form-encoded, HTTP basic auth with the account SID and auth token."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import urlencode

from connectors.http import JsonService, Unavailable

API_VERSION = "2010-04-01"


@dataclass(frozen=True)
class TwilioClient:
    http: JsonService  # base_url: https://api.twilio.com, or the sandbox
    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str


@dataclass(frozen=True)
class Message:
    sid: str
    to: str
    status: str


async def send_sms(client: TwilioClient, to: str, body: str) -> Message:
    url = f"{client.http.base_url}/{API_VERSION}/Accounts/{client.account_sid}/Messages.json"
    credentials = f"{client.account_sid}:{client.auth_token}".encode()
    raw = await client.http.send(
        "POST",
        url,
        headers={
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=urlencode({"To": to, "From": client.from_number, "Body": body}),
    )
    try:
        found = raw.json()
        return Message(str(found["sid"]), str(found["to"]), str(found["status"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise Unavailable(client.http.name, "unreadable message resource") from exc
