"""The errors a client sees, each with `extensions.code` (docs/architecture.md, "The error
model")."""

from __future__ import annotations

from graphql import GraphQLError

from connectors.http import NotFound, RateLimited, UpstreamError, UpstreamTimeout


def unauthenticated() -> GraphQLError:
    return GraphQLError(
        "Sign in first: send the session cookie or an `Authorization: Bearer` token.",
        extensions={"code": "UNAUTHENTICATED"},
    )


def forbidden(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "FORBIDDEN"})


def not_found(kind: str, public_id: str) -> GraphQLError:
    # The same answer whether the record does not exist or belongs to someone else, so
    # that ids of other accounts reveal nothing.
    return GraphQLError(f"No {kind} with id {public_id!r}.", extensions={"code": "NOT_FOUND"})


def bad_input(message: str, argument: str | None = None) -> GraphQLError:
    extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
    if argument:
        extensions["argument"] = argument
    return GraphQLError(message, extensions=extensions)


def upstream_failure(error: UpstreamError) -> GraphQLError:
    """What a client may know of an upstream failure: which service, and what kind."""
    if isinstance(error, RateLimited):
        code, message = "UPSTREAM_RATE_LIMITED", "is rate limiting us; try again shortly"
    elif isinstance(error, UpstreamTimeout):
        code, message = "UPSTREAM_TIMEOUT", "did not answer in time"
    elif isinstance(error, NotFound):
        code, message = "UPSTREAM_UNAVAILABLE", "lost a record it linked to"
    else:
        code, message = "UPSTREAM_UNAVAILABLE", "is unavailable right now"
    return GraphQLError(
        f"{error.service.title()} {message}.",
        extensions={"code": code, "service": error.service},
    )
