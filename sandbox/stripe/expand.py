"""Stripe's `expand[]`: replace an id with its object, along dotted paths of at most four
levels, where `data` walks into a list. Stored objects are never modified: the path is copied.
Some fields are only in a response when expanded (a price's `tiers`): `include` adds them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.stripe.errors import invalid

MAX_DEPTH = 4
Lookup = Callable[[str], dict[str, Any] | None]
Include = Callable[[dict[str, Any], str], tuple[bool, Any]]  # (includable?, its value)


def _nothing_included(obj: dict[str, Any], field: str) -> tuple[bool, Any]:
    return False, None


def expand(
    obj: dict[str, Any], paths: list[str], lookup: Lookup, include: Include = _nothing_included
) -> dict[str, Any]:
    for path in paths:
        segments = path.split(".")
        if len(segments) > MAX_DEPTH:
            raise invalid(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                "expand",
            )
        obj = _expand(obj, segments, lookup, include)
    return obj


def _expand(value: Any, segments: list[str], lookup: Lookup, include: Include) -> Any:
    if isinstance(value, list):
        return [_expand(element, segments, lookup, include) for element in value]
    if not isinstance(value, dict):
        raise _not_expandable(segments[0])
    field, rest = segments[0], segments[1:]
    if field not in value and not rest:
        includable, included = include(value, field)
        if includable:
            return {**value, field: included}
    if field not in value or field in ("id", "object"):
        raise _not_expandable(field)
    child = value[field]
    if isinstance(child, str):
        found = lookup(child)
        if found is None:
            raise _not_expandable(field)
        child = found
    if child is not None and rest:
        child = _expand(child, rest, lookup, include)
    elif child is not None and not isinstance(child, dict):
        raise _not_expandable(field)
    return {**value, field: child}


def _not_expandable(field: str) -> Exception:
    return invalid(f"This property cannot be expanded ({field}).", "expand")
