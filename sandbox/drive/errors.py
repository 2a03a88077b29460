"""Google's JSON error body and the exception the Drive handlers raise to send one."""

from __future__ import annotations

from typing import Any

# google.rpc.Code names, which Google puts in `error.status`.
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    416: "OUT_OF_RANGE",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
# The `reason` Google gives when a status has no more specific one (used by the knobs).
_DEFAULT_REASONS = {
    400: ("global", "badRequest"),
    401: ("global", "authError"),
    403: ("global", "forbidden"),
    404: ("global", "notFound"),
    429: ("usageLimits", "rateLimitExceeded"),
    500: ("global", "backendError"),
    503: ("global", "backendError"),
}


class DriveError(Exception):
    """Answered as Google's error body: `{"error": {code, message, errors[], status}}`."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str = "parameter",
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.detail = detail or message

    def body(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "message": self.detail,
            "domain": self.domain,
            "reason": self.reason,
        }
        if self.location is not None:
            item["location"] = self.location
            item["locationType"] = self.location_type
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [item],
                "status": _STATUS_NAMES.get(self.code, "UNKNOWN"),
            }
        }


def error_body(status: int, message: str) -> dict[str, Any]:
    """The body of an error the sandbox's knobs inject (503, 429, 500)."""
    domain, reason = _DEFAULT_REASONS.get(status, ("global", "backendError"))
    return DriveError(status, message, reason, domain=domain).body()


def file_not_found(file_id: str, location: str = "fileId") -> DriveError:
    return DriveError(404, f"File not found: {file_id}.", "notFound", location=location)


def invalid_value(location: str, message: str = "Invalid Value") -> DriveError:
    return DriveError(400, message, "invalid", location=location)


def bad_request(message: str, location: str | None = None) -> DriveError:
    return DriveError(400, message, "badRequest", location=location)


_AUTH_HELP = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


def login_required() -> DriveError:
    return DriveError(
        401,
        f"Request is missing required authentication credential. {_AUTH_HELP}",
        "required",
        location="Authorization",
        location_type="header",
        detail="Login Required.",
    )


def invalid_credentials() -> DriveError:
    return DriveError(
        401,
        f"Request had invalid authentication credentials. {_AUTH_HELP}",
        "authError",
        location="Authorization",
        location_type="header",
        detail="Invalid Credentials",
    )
