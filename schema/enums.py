"""Upstream strings to GraphQL enums: an unknown value becomes null, never an error."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


def parse_enum(kind: type[E], value: str | None, *, upper: bool = True) -> E | None:
    if not value:
        return None
    try:
        return kind(value.upper() if upper else value)
    except ValueError:
        return None
