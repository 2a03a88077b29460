"""Validates and normalises property values a request writes, with HubSpot's error for
values it refuses ("Property values were not valid: [...]")."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sandbox.hubspot.catalog import ObjectType, Property
from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.records import Properties, timestamp


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def clean_properties(kind: ObjectType, raw: Any, *, nulls: bool = False) -> Properties:
    """The values to write, as strings (None to clear), or HubSpot's 400 for the lot.
    The API takes strings only and clears a value with "" (its reference: "Properties values
    can be cleared by passing an empty string"); a null is refused unless `nulls` (the
    sandbox's own admin routes)."""
    if not isinstance(raw, Mapping):
        raise HubSpotError(400, "Invalid input JSON: `properties` must be an object")
    cleaned: Properties = {}
    problems: list[dict[str, Any]] = []
    for name, value in raw.items():
        try:
            if value is None and not nulls:
                raise _Invalid(
                    "INVALID_VALUE", f'Property "{name}" must be a string; clear it with ""'
                )
            cleaned[name] = _clean(kind, name, value)
        except _Invalid as invalid:
            problems.append(
                {
                    "isValid": False,
                    "message": invalid.message,
                    "error": invalid.code,
                    "name": name,
                    "localizedErrorMessage": invalid.message,
                }
            )
    if problems:
        raise HubSpotError(
            400,
            "Property values were not valid: " + json.dumps(problems),
            extra={"errors": [{"message": p["message"], "code": p["error"]} for p in problems]},
        )
    return cleaned


def _clean(kind: ObjectType, name: str, value: Any) -> str | None:
    prop = kind.properties.get(name)
    if prop is None:
        raise _Invalid("PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
    if prop.read_only:
        raise _Invalid("READ_ONLY_VALUE", f'Property "{name}" is a read only property')
    text = _as_text(name, value)
    if text is None or text == "":
        return None
    return _checked(prop, name, text)


def _as_text(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    raise _Invalid("INVALID_VALUE", f'Property "{name}" must be a string, number or boolean')


def _checked(prop: Property, name: str, text: str) -> str:
    if prop.options and text not in prop.options:
        allowed = ", ".join(prop.options)
        raise _Invalid("INVALID_OPTION", f"{text} was not one of the allowed options: [{allowed}]")
    if prop.kind == "number":
        try:
            float(text)
        except ValueError:
            raise _Invalid("INVALID_INTEGER", f'"{text}" is not a valid number') from None
    if prop.kind == "datetime":
        moment = parse_moment(text)
        if moment is None:
            raise _Invalid("INVALID_DATE", f'"{text}" is not a valid date or timestamp')
        return timestamp(moment)
    if name == "email":
        return text.strip().lower()
    return text


def parse_moment(text: str) -> datetime | None:
    """A datetime property value: epoch milliseconds, an ISO date or an ISO datetime."""
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
