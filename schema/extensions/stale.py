"""`extensions.stale`: the paths of fields served from an expired cache entry because their
upstream was down (stale-if-error)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from cache import freshness


class StaleFields(SchemaExtension):
    _report: freshness.StaleReport | None = None

    def on_operation(self) -> Iterator[None]:
        with freshness.reporting() as report:
            self._report = report
            yield

    def get_results(self) -> dict[str, Any]:
        if self._report is None or not self._report.paths:
            return {}
        paths = sorted(self._report.paths, key=lambda path: [str(part) for part in path])
        return {"stale": [list(path) for path in paths]}


class TrackedStaleFields(StaleFields):
    """Also names each field as it resolves, so that values read in tasks a resolver spawns
    are attributed too. Used only while outages are recent (see `cache.freshness`)."""

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        result = _next(root, info, *args, **kwargs)
        if isawaitable(result):
            return _tracked(result, tuple(info.path.as_list()))
        return result


def stale_fields() -> StaleFields:
    return TrackedStaleFields() if freshness.tracking_wanted() else StaleFields()


async def _tracked(result: Awaitable[Any], path: freshness.Path) -> Any:
    with freshness.resolving(path):
        return await result
