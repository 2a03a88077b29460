"""Reading Drive's query parameters, with Google's 400 answers for bad values."""

from __future__ import annotations

from aiohttp import web

from sandbox.drive.errors import DriveError, invalid_value
from sandbox.drive.fields import FieldsError, Mask, Schema, parse_fields, validate
from sandbox.drive.state import DriveState


def fields_mask(request: web.Request, schema: Schema, default: Mask) -> Mask | None:
    """The `fields` selection (None selects everything), or `default` when absent."""
    text = request.query.get("fields")
    if text is None:
        return default
    try:
        mask = parse_fields(text)
        validate(mask, schema)
    except FieldsError as exc:
        raise DriveError(400, str(exc), "invalidParameter", location="fields") from exc
    return mask


def integer(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise invalid_value(name, f"Invalid value '{text}'. Values must be integers.") from exc
    if not low <= value <= high:
        raise invalid_value(
            name, f"Invalid value '{text}'. Values must be within the range: [{low}, {high}]"
        )
    return value


def boolean(request: web.Request, name: str, default: bool) -> bool:
    text = request.query.get(name)
    if text is None:
        return default
    if text.lower() not in ("true", "false"):
        raise invalid_value(
            name,
            f"Invalid value '{text}'. Values must match the following regular expression: "
            "'true|false'",
        )
    return text.lower() == "true"


def change_token(request: web.Request, state: DriveState) -> int:
    """`pageToken` of the changes methods: a change number this sandbox has handed out."""
    text = request.query.get("pageToken")
    if text is None:
        raise DriveError(400, "Required parameter: pageToken", "required", location="pageToken")
    if not text.isdigit() or not state.first_change <= int(text) <= state.next_change:
        raise invalid_value("pageToken")
    return int(text)
