"""Records an upstream sent that could not be read: each left out of its list and told as an
UPSTREAM_DATA error (service, vendor id, the field's path) beside the rest of the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from inspect import isawaitable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from connectors import records


class SkippedRecords(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        with records.collecting() as found:
            yield
        result = self.execution_context.result
        if not found or result is None:
            return
        result.errors = [*(getattr(result, "errors", None) or []), *map(_error, _distinct(found))]

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any,
        **kwargs: Any,
    ) -> Any:  # fmt: skip
        result = _next(root, info, *args, **kwargs)
        if isawaitable(result):  # upstream reads happen in async resolvers only
            return _resolving(result, tuple(info.path.as_list()))
        return result


async def _resolving(result: Awaitable[Any], path: tuple[str | int, ...]) -> Any:
    with records.resolving(path):
        return await result


def _distinct(found: list[records.SkippedRecord]) -> list[records.SkippedRecord]:
    """One error per record and field, though loaders and retries may read it twice."""
    return list({(r.service, r.vendor_id, r.path): r for r in found}.values())


def _error(record: records.SkippedRecord) -> GraphQLError:
    return GraphQLError(
        f"{record.service.title()} sent a record we could not read "
        f"({record.vendor_id or 'no id'}); it is left out, the rest is answered.",
        path=list(record.path) or None,
        extensions={
            "code": "UPSTREAM_DATA",
            "service": record.service,
            "vendorId": record.vendor_id,
        },
    )
