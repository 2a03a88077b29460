"""Lists read in pieces: ids cut into batches under a vendor's limit, and paginated lists
walked to their end with one loop, whatever the vendor's kind of cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
Cursor = TypeVar("Cursor")

ReadPage = Callable[[Cursor | None], Awaitable[tuple[Sequence[T], Cursor | None]]]
"""Reads the page at a cursor (None: the first page); answers its items and the cursor of
the next page, None after the last."""


def chunks(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


async def walk(read_page: ReadPage[Cursor, T], start: Cursor | None = None) -> AsyncIterator[T]:
    """Every item, page after page, each page read only when the previous one is used up."""
    cursor = start
    while True:
        items, cursor = await read_page(cursor)
        for item in items:
            yield item
        if cursor is None:
            return


async def every(read_page: ReadPage[Cursor, T], start: Cursor | None = None) -> list[T]:
    return [item async for item in walk(read_page, start)]
