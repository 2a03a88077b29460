"""HubSpot's error body, `{"status": "error", "message", "correlationId", "category"}`, and
the exception handlers raise to answer with it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "VALIDATION_ERROR",
    415: "VALIDATION_ERROR",
    429: "RATE_LIMITS",
}


class HubSpotError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        category: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category or category_of(status)
        self.extra = dict(extra or {})

    def response(self) -> web.Response:
        body = {**error_body(self.status, self.message), "category": self.category, **self.extra}
        return json_response(body, status=self.status)


def category_of(status: int) -> str:
    if status >= 500:
        return "INTERNAL_ERROR" if status == 500 else "SERVICE_UNAVAILABLE"
    return _CATEGORIES.get(status, "VALIDATION_ERROR")


def error_body(status: int, message: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category_of(status),
    }
    if status == 429:
        # What HubSpot says when the ten-second burst limit of a private app is reached.
        body.update(
            message="You have reached your ten_secondly_rolling limit.",
            errorType="RATE_LIMIT",
            policyName="TEN_SECONDLY_ROLLING",
            groupName="publicapi",
        )
    return body


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


def not_found(kind: str, object_id: str) -> HubSpotError:
    return HubSpotError(404, f"resource not found: {kind} {object_id} does not exist")


def bad_request(message: str) -> HubSpotError:
    return HubSpotError(400, message)
