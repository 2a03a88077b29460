"""Text an upstream can store and give back: well-formed Unicode (no lone surrogates, which
no UTF-8 encoder accepts) and no NUL characters (which vendors truncate or refuse). Checked
on every text input before any upstream call: a contact saved with a lone surrogate in its
job title read back as a 500 and broke its whole account's team export."""

from __future__ import annotations

from collections.abc import Mapping


def is_well_formed(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a surrogate code point on its own
        return False
    return True


def malformed_path(value: object, path: str = "") -> str | None:
    """Where in a (JSON-shaped) value the first malformed text is; None if nowhere."""
    if isinstance(value, str):
        return None if is_well_formed(value) else path
    if isinstance(value, Mapping):
        items = [(f"{path}.{k}" if path else str(k), v) for k, v in value.items()]
    elif isinstance(value, list | tuple):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    for inner_path, inner in items:
        found = malformed_path(inner, inner_path)
        if found is not None:
            return found
    return None
