"""Zendesk's error bodies, raised from anywhere in a handler and rendered by the app."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Json = dict[str, Any]


class ZendeskError(Exception):
    """An error response: its status and the JSON body Zendesk sends with it."""

    def __init__(self, status: int, body: Json) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def not_found() -> ZendeskError:
    return ZendeskError(404, {"error": "RecordNotFound", "description": "Not found"})


def unauthenticated() -> ZendeskError:
    return ZendeskError(401, {"error": "Couldn't authenticate you"})


def bad_request(description: str, error: str = "InvalidValue") -> ZendeskError:
    return ZendeskError(400, {"error": error, "description": description})


def invalid_pagination(message: str) -> ZendeskError:
    # The cursor-pagination layer answers in its own shape, not `{"error": "...", ...}`.
    return ZendeskError(400, {"error": {"title": "Invalid attribute", "message": message}})


def too_many_values(limit: int = 100) -> ZendeskError:
    return ZendeskError(
        400, {"error": "TooManyValues", "description": f"Too many values. Max {limit} allowed"}
    )


def invalid_record(field: str, description: str, error: str = "InvalidValue") -> ZendeskError:
    return invalid_records({field: [(description, error)]})


def invalid_records(details: Mapping[str, list[tuple[str, str]]]) -> ZendeskError:
    return ZendeskError(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {
                field: [{"description": text, "error": code} for text, code in problems]
                for field, problems in details.items()
            },
        },
    )


def search_invalid(description: str, status: int = 400) -> ZendeskError:
    return ZendeskError(status, {"error": "invalid", "description": description})


_KNOB_ERRORS = {
    429: "APIRateLimitExceeded",
    500: "InternalError",
    503: "ServiceUnavailable",
}


def knob_error_body(status: int, message: str) -> Json:
    """The body of the faults the shared knobs inject (rate limit, outage, random 5xx)."""
    return {"error": _KNOB_ERRORS.get(status, "Error"), "description": message}
