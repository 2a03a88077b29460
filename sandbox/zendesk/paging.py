"""Zendesk's two pagination schemes over an ordered collection.

Cursor pagination (`page[size]` ≤ 100, `page[after]`, `page[before]`) answers with
`meta.has_more`, `meta.after_cursor`, `meta.before_cursor` and absolute `links.next`/`links.prev`.
Offset pagination (`page`, `per_page` ≤ 100, the default when no cursor parameter is given)
answers with absolute `next_page`/`previous_page` URLs and the total `count`.

Cursors are opaque to clients; here they carry the sort field and the (value, id) key of the
record at the page edge, so a page stays correct when records are added meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from yarl import URL

from sandbox.zendesk.errors import Json, bad_request, invalid_pagination
from sandbox.zendesk.state import SortKey

MAX_PAGE_SIZE = 100
_CURSOR_PARAMS = ("page[size]", "page[after]", "page[before]")


@dataclass(frozen=True)
class CursorRequest:
    size: int
    after: str | None
    before: str | None


@dataclass(frozen=True)
class OffsetRequest:
    page: int
    per_page: int

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page


def page_request(query: Mapping[str, str]) -> CursorRequest | OffsetRequest:
    if any(name in query for name in _CURSOR_PARAMS):
        size = _positive(query, "page[size]", MAX_PAGE_SIZE)
        if size > MAX_PAGE_SIZE:
            raise invalid_pagination(
                f"You passed an invalid value for the page.size attribute. "
                f"page.size must be less than or equal to {MAX_PAGE_SIZE}"
            )
        after, before = query.get("page[after]"), query.get("page[before]")
        if after and before:
            raise invalid_pagination("page[after] and page[before] cannot be used together")
        return CursorRequest(size, after or None, before or None)
    return offset_request(query)


def offset_request(query: Mapping[str, str]) -> OffsetRequest:
    per_page = min(_positive(query, "per_page", MAX_PAGE_SIZE), MAX_PAGE_SIZE)
    return OffsetRequest(_positive(query, "page", 1), per_page)


def _positive(query: Mapping[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        if name.startswith("page["):
            raise invalid_pagination(f"You passed an invalid value for the {name} attribute.")
        raise bad_request(f"{name} must be a positive integer")
    return value


# -- cursor ------------------------------------------------------------------------------


def encode_cursor(field: str, key: SortKey) -> str:
    raw = json.dumps([field, key[0], key[1]], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(field: str, cursor: str) -> SortKey:
    try:
        decoded: Any = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        decoded = None
    valid = (
        isinstance(decoded, list)
        and len(decoded) == 3
        and decoded[0] == field
        and isinstance(decoded[1], int | str)
        and isinstance(decoded[2], int)
    )
    if not valid:
        raise invalid_pagination("You passed an invalid value for the page cursor.")
    return (decoded[1], decoded[2])


@dataclass(frozen=True)
class CursorWindow:
    keys: list[SortKey]  # in the order the client asked for
    has_more: bool


def cursor_window(
    keys: Sequence[SortKey], field: str, descending: bool, request: CursorRequest
) -> CursorWindow:
    """The page of `keys` (ascending) the request asks for, read in the requested order."""
    size = request.size
    forward = request.before is None
    cursor = request.after if forward else request.before
    try:
        if cursor is None:
            edge = len(keys) if descending else 0
        else:
            key = decode_cursor(field, cursor)
            # Walking towards smaller keys starts left of the cursor, else right of it.
            towards_smaller = descending == forward
            edge = bisect_left(keys, key) if towards_smaller else bisect_right(keys, key)
    except TypeError as exc:
        raise invalid_pagination("You passed an invalid value for the page cursor.") from exc
    if descending == forward:  # take the `size` keys left of the edge
        start = max(0, edge - size)
        window, more = list(keys[start:edge]), start > 0
    else:
        window, more = list(keys[edge : edge + size]), edge + size < len(keys)
    if descending:
        window.reverse()
    return CursorWindow(window, more)


def cursor_envelope(url: URL, field: str, size: int, window: CursorWindow) -> Json:
    first = encode_cursor(field, window.keys[0]) if window.keys else None
    last = encode_cursor(field, window.keys[-1]) if window.keys else None
    base = url.without_query_params("page[after]", "page[before]").update_query(
        {"page[size]": str(size)}
    )
    return {
        "meta": {"has_more": window.has_more, "after_cursor": last, "before_cursor": first},
        "links": {
            "next": str(base.update_query({"page[after]": last})) if last else None,
            "prev": str(base.update_query({"page[before]": first})) if first else None,
        },
    }


# -- offset ------------------------------------------------------------------------------


def offset_envelope(url: URL, total: int, request: OffsetRequest) -> Json:
    def page_url(page: int) -> str:
        return str(url.update_query({"page": str(page), "per_page": str(request.per_page)}))

    has_next = request.start + request.per_page < total
    return {
        "next_page": page_url(request.page + 1) if has_next else None,
        "previous_page": page_url(request.page - 1) if request.page > 1 else None,
        "count": total,
    }
