"""Parses and validates each new document off the event loop, under a CPU budget, and
remembers the outcome: a hostile document costs its sender a refusal, never another
request's first byte.

In order, each step bounded before the next runs: the parser stops at `max_tokens`; the
shape check (document_shape.py, linear) refuses too many spreads, too deep, too many
aliases or fields; only then do the validation rules run, with a rule that stops them once
the worker thread has used `cpu_budget_s` of CPU. The thread holds the GIL only in slices
of `GIL_SLICE_S`, so the event loop keeps answering meanwhile; a check that outlives
`wait_s` is answered as refused even before it ends.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cachetools import LRUCache
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    parse,
    validate,
)
from strawberry.extensions import SchemaExtension

from schema.extensions.document_shape import DocumentLimits, shape_errors

T = TypeVar("T")
# The loop waits up to this for the GIL each time it wakes while a check runs; at Python's
# default (5 ms) one /healthz took 25 ms p50 beside 8 costly checks (bench/fragment_bomb.py).
GIL_SLICE_S = 0.0005
Rules = tuple[type[ASTValidationRule], ...]


class _OverBudget(Exception):
    pass


@dataclass
class DocumentChecker:
    """Shared by every request of a schema: its caches and its worker threads."""

    limits: DocumentLimits
    max_tokens: int
    cpu_budget_s: float
    wait_s: float
    workers: int = 1
    cache_size: int = 256
    _parsed: LRUCache[str, DocumentNode | GraphQLError] = field(init=False)
    _validated: LRUCache[tuple[str, Rules], list[GraphQLError]] = field(init=False)
    _pool: ThreadPoolExecutor | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._parsed = LRUCache(self.cache_size)
        self._validated = LRUCache(self.cache_size)

    async def parsed(self, query: str) -> DocumentNode:
        """The document, or the GraphQLError (syntax, tokens, shape) that refuses it."""
        found = self._parsed.get(query)
        if found is None:
            found = await self._off_loop(lambda: self._parse(query))
            self._parsed[query] = found
        if isinstance(found, GraphQLError):
            raise _copy(found)  # raising the cached one would grow its traceback each time
        return found

    async def errors(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        rules: Collection[type[ASTValidationRule]],
    ) -> list[GraphQLError]:
        key = (query, tuple(rules))
        found = self._validated.get(key)
        if found is None:
            checked = await self._off_loop(lambda: self._validate(schema, document, key[1]))
            found = [checked] if isinstance(checked, GraphQLError) else checked
            self._validated[key] = found
        # Copies: later extensions rewrite errors in place (codes, messages).
        return [_copy(error) for error in found]

    # In the worker thread

    def _parse(self, query: str) -> DocumentNode | GraphQLError:
        try:
            document = parse(query, max_tokens=self.max_tokens)
            refused = shape_errors(document, self.limits)
        except GraphQLError as exc:
            return exc
        except RecursionError:
            return _refusal("The document is nested too deeply.")
        return refused[0] if refused else document

    def _validate(
        self, schema: GraphQLSchema, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        budget = _cpu_budget(_document_cpu() + self.cpu_budget_s)
        try:
            errors = validate(schema, document, [budget, *rules])
        except _OverBudget:
            return [_over_budget(self.cpu_budget_s)]
        except RecursionError:
            return [_refusal("The document is nested too deeply.")]
        # Every validation error is the client's, whatever raised it (graphql-core wraps
        # int()'s refusal of a 4,301-digit literal as one, with the ValueError as its cause).
        return [_refusal(error.message, error) for error in errors]

    async def _off_loop(self, work: Callable[[], T]) -> T | GraphQLError:
        if self._pool is None:
            sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SLICE_S))
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="graphql-check")
        submitted = time.monotonic()

        def unless_given_up() -> T | GraphQLError:
            # Queued behind other checks for longer than the caller waits: it has gone.
            if time.monotonic() - submitted > self.wait_s:
                return _over_budget(self.cpu_budget_s)
            return work()

        future = asyncio.get_running_loop().run_in_executor(self._pool, unless_given_up)
        try:
            return await asyncio.wait_for(future, self.wait_s)
        except TimeoutError:
            return _over_budget(self.cpu_budget_s)


class _GarbageCollectionTime(threading.local):
    """CPU each thread spent collecting garbage. A collection runs in whichever thread
    happened to allocate when it was due, and in a large process a full one takes hundreds
    of milliseconds: that is no cost of the document being checked (seen in the test suite:
    a 10-field document refused as over 250 ms)."""

    started: float | None = None
    spent: float = 0.0


_gc_time = _GarbageCollectionTime()


def _note_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_time.started = time.thread_time()
    elif _gc_time.started is not None:
        _gc_time.spent += time.thread_time() - _gc_time.started
        _gc_time.started = None


gc.callbacks.append(_note_collection)


def _document_cpu() -> float:
    """This thread's CPU time, less what it spent collecting garbage."""
    return time.thread_time() - _gc_time.spent


def _cpu_budget(deadline: float) -> type[ASTValidationRule]:
    class CpuBudget(ASTValidationRule):
        """Stops validation at the first node it reaches past the thread's CPU deadline."""

        def enter(self, node: Node, *args: Any) -> None:
            if _document_cpu() > deadline:
                raise _OverBudget

    return CpuBudget


class DocumentGate(SchemaExtension):
    """Hands parsing and validation to a `DocumentChecker` (replaces strawberry's
    ParserCache, ValidationCache and MaxTokensLimiter, which run on the event loop)."""

    def __init__(self, checker: DocumentChecker) -> None:
        self.checker = checker

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = await self.checker.parsed(context.query)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.query and context.pre_execution_errors is None:
            rules = context.validation_rules
            context.pre_execution_errors = await self.checker.errors(
                context.schema._schema, context.query, document, rules
            )
        yield


def _over_budget(budget_s: float) -> GraphQLError:
    return _refusal(
        f"The document took over {budget_s * 1000:.0f} ms of CPU to check; send a smaller one."
    )


def _copy(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        extensions=dict(error.extensions or {}),
    )


def _refusal(message: str, at: GraphQLError | None = None) -> GraphQLError:
    code = (at.extensions or {}).get("code", "BAD_USER_INPUT") if at else "BAD_USER_INPUT"
    return GraphQLError(
        message,
        nodes=at.nodes if at else None,
        source=at.source if at else None,
        positions=at.positions if at else None,
        extensions={**((at.extensions or {}) if at else {}), "code": code},
    )
