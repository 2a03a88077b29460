"""`files.list`: candidates, filter, order, page. Page tokens are opaque to clients; here they
carry the offset and a fingerprint of the query they belong to.

When the query pins a folder (`'id' in parents` at the top level) only that folder is scanned,
and for the portal's usual order, `createdTime` (either way), the folder index is already in
order, so a page costs O(offset + page size) instead of a sort.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.drive.errors import bad_request, invalid_value
from sandbox.drive.files import StoredFile
from sandbox.drive.query import Node, has_full_text, parents_constraint
from sandbox.drive.state import DriveState

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DIGITS = re.compile(r"(\d+)")

SortKey = Callable[[StoredFile], Any]


def _natural(name: str) -> tuple[Any, ...]:
    return tuple(int(p) if p.isdigit() else p.casefold() for p in _DIGITS.split(name))


_SORT_KEYS: dict[str, SortKey] = {
    "createdTime": lambda f: f.created_time,
    "folder": lambda f: not f.is_folder,  # folders first
    "modifiedByMeTime": lambda f: f.modified_time,
    "modifiedTime": lambda f: f.modified_time,
    "name": lambda f: (f.name.casefold(), f.name),
    "name_natural": lambda f: _natural(f.name),
    "quotaBytesUsed": lambda f: f.size or 0,
    "recency": lambda f: max(f.created_time, f.modified_time),
    "sharedWithMeTime": lambda f: _EPOCH,
    "starred": lambda f: not f.starred,  # starred first
    "viewedByMeTime": lambda f: _EPOCH,
}


@dataclass(frozen=True)
class Order:
    key: str
    descending: bool


def parse_order(text: str | None) -> tuple[Order, ...]:
    if not text:
        return ()
    orders = []
    for part in text.split(","):
        words = part.split()
        if not words or words[0] not in _SORT_KEYS or words[1:] not in ([], ["desc"], ["asc"]):
            raise invalid_value("orderBy", f"Invalid Value: orderBy '{part.strip()}'")
        orders.append(Order(words[0], words[1:] == ["desc"]))
    return tuple(orders)


# Drive documents no default order; the sandbox lists the most recently modified first.
DEFAULT_ORDER = (Order("modifiedTime", descending=True),)


@dataclass(frozen=True)
class Listing:
    query: Node | None
    order: tuple[Order, ...]
    page_size: int
    fingerprint: str


@dataclass(frozen=True)
class Page:
    files: list[StoredFile]
    next_offset: int | None


def listing(query: Node | None, q_text: str, order_text: str | None, page_size: int) -> Listing:
    order = parse_order(order_text)
    if order and has_full_text(query):
        raise bad_request(
            "Sorting is not supported for queries with fullText terms. Results are always in "
            "descending relevance order.",
            location="orderBy",
        )
    digest = hashlib.sha256(f"{q_text}\x00{order_text or ''}".encode()).hexdigest()[:16]
    return Listing(query, order, page_size, digest)


def page(state: DriveState, request: Listing, offset: int) -> Page:
    ordered = _ordered(state, request)
    chosen = list(itertools.islice(ordered, offset, offset + request.page_size + 1))
    more = len(chosen) > request.page_size
    return Page(chosen[: request.page_size], offset + request.page_size if more else None)


def _ordered(state: DriveState, request: Listing) -> Iterable[StoredFile]:
    folder = parents_constraint(request.query)
    if folder is not None and len(request.order) == 1 and request.order[0].key == "createdTime":
        # The folder index is sorted by (createdTime, id): no sort needed.
        files = state.children(folder)
        in_order = reversed(files) if request.order[0].descending else iter(files)
        return (f for f in in_order if _matches(request, f))
    candidates = state.children(folder) if folder is not None else state.files.values()
    return _sorted([f for f in candidates if _matches(request, f)], request.order or DEFAULT_ORDER)


def _matches(request: Listing, file: StoredFile) -> bool:
    return request.query is None or request.query.matches(file)


def _sorted(files: list[StoredFile], order: tuple[Order, ...]) -> list[StoredFile]:
    # Stable sorts from the last key to the first; ties fall back to the id, in the direction
    # of the last key (which keeps the createdTime fast path and this one in the same order).
    files.sort(key=lambda f: f.id, reverse=order[-1].descending)
    for item in reversed(order):
        files.sort(key=_SORT_KEYS[item.key], reverse=item.descending)
    return files


def encode_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}, separators=(",", ":")).encode()
    return "~!!~" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, fingerprint: str) -> int:
    """The offset a page token stands for; 400 if it is not one of ours for this query."""
    try:
        if not token.startswith("~!!~"):
            raise ValueError(token)
        body = token[4:]
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        offset, owner = int(data["o"]), str(data["f"])
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid_value("pageToken") from exc
    if owner != fingerprint or offset < 0:
        raise invalid_value("pageToken")
    return offset
