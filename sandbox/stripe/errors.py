"""Stripe's error body, `{"error": {"type", "code", "message", "param", "doc_url"}}`, and the
exception handlers raise to answer with it."""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "invalid_request_error"
API_ERROR = "api_error"
IDEMPOTENCY = "idempotency_error"

_RATE_LIMIT_MESSAGE = (
    "Too many requests hit the API too quickly. "
    "We recommend an exponential backoff of your requests."
)


class StripeApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = INVALID_REQUEST,
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.error_type}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = "https://stripe.com/docs/error-codes/" + self.code.replace("_", "-")
        if self.param:
            error["param"] = self.param
        return {"error": error}


def error_body(status: int, message: str) -> dict[str, Any]:
    """The body of the shared fault knobs' answers (outage, rate limit, random 500)."""
    if status == 429:
        return StripeApiError(429, _RATE_LIMIT_MESSAGE, code="rate_limit").body()
    if status >= 500:
        return StripeApiError(status, message, error_type=API_ERROR).body()
    return StripeApiError(status, message).body()


def no_such(noun: str, object_id: str, *, param: str = "id", status: int = 404) -> StripeApiError:
    """Stripe's `resource_missing`: 404 for the object in the path, 400 for one in a param."""
    return StripeApiError(
        status, f"No such {noun}: '{object_id}'", code="resource_missing", param=param
    )


def invalid(message: str, param: str | None = None, code: str | None = None) -> StripeApiError:
    return StripeApiError(400, message, param=param, code=code)
