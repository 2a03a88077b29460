"""Google's partial-response `fields` parameter: `nextPageToken,files(id,name)`, `files/id`,
`*`. A mask maps each selected name to the mask of its sub-fields; None selects all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

Mask = dict[str, "Mask | None"]
Schema = Mapping[str, "Schema | None"]
"""Known field names, with the schema of nested objects; None marks a free-form value."""

_NAME = re.compile(r"\s*([A-Za-z0-9_*.\-]+)\s*")


class FieldsError(ValueError):
    def __init__(self, selection: str) -> None:
        super().__init__(f"Invalid field selection {selection}")
        self.selection = selection


def parse_fields(text: str) -> Mask:
    mask, position = _parse_list(text, 0)
    if position != len(text):
        raise FieldsError(text[position:] or text)
    return mask


def _parse_list(text: str, position: int) -> tuple[Mask, int]:
    mask: Mask = {}
    while True:
        path: list[str] = []
        while True:
            match = _NAME.match(text, position)
            if match is None:
                raise FieldsError(text[position:] or text)
            path.append(match.group(1))
            position = match.end()
            if not text.startswith("/", position):
                break
            position += 1
        sub: Mask | None = None
        if text.startswith("(", position):
            sub, position = _parse_list(text, position + 1)
            if not text.startswith(")", position):
                raise FieldsError(text)
            position += 1
            position = _skip_spaces(text, position)
        for name in reversed(path[1:]):
            sub = {name: sub}
        mask[path[0]] = _merge(mask[path[0]], sub) if path[0] in mask else sub
        if not text.startswith(",", position):
            return mask, position
        position += 1


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _merge(a: Mask | None, b: Mask | None) -> Mask | None:
    if a is None or b is None:
        return None
    merged = dict(a)
    for name, sub in b.items():
        merged[name] = _merge(merged[name], sub) if name in merged else sub
    return merged


def validate(mask: Mask | None, schema: Schema | None, prefix: str = "") -> None:
    if mask is None or schema is None:
        return
    for name, sub in mask.items():
        if name == "*":
            continue
        if name not in schema:
            raise FieldsError(prefix + name)
        validate(sub, schema[name], f"{prefix}{name}/")


def selects_all(mask: Mask | None) -> bool:
    return mask is None or "*" in mask


def project(value: Any, mask: Mask | None) -> Any:
    """`value` with only the fields `mask` selects (lists are projected item by item)."""
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [project(item, mask) for item in value]
    if isinstance(value, dict):
        return {name: project(value[name], sub) for name, sub in mask.items() if name in value}
    return value
