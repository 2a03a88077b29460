"""Relay's Node interface and generic connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from resolvers.pages import Page

N = TypeVar("N")
R = TypeVar("R")


@strawberry.interface(description="An object with an opaque global id, refetchable by `node`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    node: N
    cursor: str


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="The number of items, where the upstream tells it cheaply; else null."
    )

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def connection_of(page: Page[R], wrap: Callable[[R], N]) -> Connection[N]:
    """A connection of schema objects made by `wrap` from a page of upstream records."""
    edges = [Edge(node=wrap(e.node), cursor=e.cursor) for e in page.edges]
    end = page.edges[-1].cursor if page.edges else None
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=end),
        total_count=page.total_count,
    )
