"""Relay's Node interface and generic connections."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.request.pages import Edge as PageEdge
from resolvers.request.pages import Page

N = TypeVar("N")
R = TypeVar("R")


@strawberry.interface(description="An object with an opaque global id, refetchable by `node`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    last: strawberry.Private[PageEdge[Any] | None]

    @strawberry.field
    def end_cursor(self) -> str | None:
        return None if self.last is None else self.last.cursor


@strawberry.type
class Edge(Generic[N]):
    node: N
    position: strawberry.Private[PageEdge[Any]]

    @strawberry.field
    def cursor(self) -> str:
        return self.position.cursor


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
    edges = [Edge(node=wrap(e.node), position=e) for e in page.edges]
    last = page.edges[-1] if page.edges else None
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next_page, last=last),
        total_count=page.total_count,
    )
