"""The response cache at `/graphql`: which requests it may answer, and under which keys.

An answer is shared by everyone who may see the same accounts with the same role and kind of
credential (what an answer can depend on), unless a resolver read the person itself
(`RequestContext.person()`): then it is kept for that person alone. Never cached: anonymous
requests, mutations, introspection, answers with errors or stale fields; a client sending
`Cache-Control: no-cache` is answered afresh (and the fresh answer is kept).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import orjson
from graphql import OperationType, get_operation_ast, parse
from graphql.error import GraphQLSyntaxError
from strawberry.types import ExecutionResult

from auth.viewer import Viewer
from cache import read_log
from cache.responses import ResponseCache
from resolvers.request.context import RequestContext

HIT_HEADER = "x-response-cache"


@dataclass
class CachedAnswer(ExecutionResult):
    """An answer from the cache: its `data` still as the JSON it was stored as, so that a
    hit is sent without decoding and encoding it again."""

    data_json: str = "null"

    def body(self) -> bytes:
        return b'{"data":' + self.data_json.encode() + b"}"


@dataclass(frozen=True)
class ResponseKeys:
    shared: str  # the same for every viewer who sees what this one sees
    personal: str  # this person's own


def response_keys(
    viewer: Viewer, query: str, operation_name: str | None, variables: Mapping[str, object] | None
) -> ResponseKeys:
    operation = json.dumps(
        [query, operation_name, variables or {}], sort_keys=True, separators=(",", ":")
    )
    visibility = f"{viewer.role}|{viewer.credential}|{','.join(viewer.member_of)}"
    shared = _digest(f"{operation}|{visibility}")
    return ResponseKeys(shared, _digest(f"{shared}|{viewer.contact_id}"))


async def execute_cached(
    responses: ResponseCache,
    context: RequestContext,
    request: tuple[str | None, str | None, Mapping[str, object] | None],
    headers: Mapping[str, str],
    execute: Callable[[], Awaitable[ExecutionResult]],
) -> tuple[ExecutionResult, bool]:
    """The answer and whether it came from the cache."""
    query, operation_name, variables = request
    viewer = context.viewer
    if viewer is None or query is None or _is_introspection(query):
        return await execute(), False
    keys = response_keys(viewer, query, operation_name, variables)
    if "no-cache" not in headers.get("cache-control", ""):
        body = await _lookup(responses, keys)
        if body is not None:
            return CachedAnswer(data=None, errors=None, data_json=body), True
    with read_log.recording() as reads:
        result = await execute()
    if _keepable(result) and _is_query(query, operation_name):
        body = orjson.dumps(result.data).decode()
        if context.personal:
            await responses.mark_personal(keys.shared)
            await responses.store(keys.personal, body, reads)
        else:
            await responses.store(keys.shared, body, reads)
    return result, False


async def _lookup(responses: ResponseCache, keys: ResponseKeys) -> str | None:
    stored = await responses.lookup(keys.shared)
    if stored is not None and stored.personal:
        stored = await responses.lookup(keys.personal)
    return None if stored is None or stored.personal else stored.body


def _keepable(result: ExecutionResult) -> bool:
    """Complete answers only: no error, nothing served stale."""
    return not result.errors and result.data is not None and not (result.extensions or {})


def _is_query(query: str, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLSyntaxError:
        return False
    return operation is not None and operation.operation is OperationType.QUERY


_INTROSPECTION = re.compile(r"\b__schema\b|\b__type\s*\(")


def _is_introspection(query: str) -> bool:
    return _INTROSPECTION.search(query) is not None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
