"""Builds `schema`, the one Strawberry schema of the gateway."""

from __future__ import annotations

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.accounts import Account
from schema.billing import Subscription
from schema.documents import Document
from schema.extensions.cost import CostLimit
from schema.extensions.errors import ErrorCodes
from schema.extensions.exposure import SchemaExposure
from schema.extensions.read_only import RefuseWritesOfReadOnlyCredentials
from schema.extensions.skipped import SkippedRecords
from schema.extensions.stale import stale_fields
from schema.extensions.telemetry import OperationTelemetry
from schema.invoices import Invoice
from schema.mutation import Mutation
from schema.query import Query
from schema.subscription import Subscription as SubscriptionRoot
from schema.team import TeamMember
from schema.tickets import Ticket

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# Fields times the page sizes above them (schema/cost.py): the dashboard costs ~1,200.
MAX_COST = 5000
# Built once: the validation cache keys on the rule classes, and the limiters' own
# extensions would build new classes per request (measured: validation then ran on every
# request, ~10 ms of a warm dashboard under the profiler).
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_limit_rule(MAX_DEPTH, None),
    alias_limit_rule(MAX_ALIASES),
]


class PortalSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error with its traceback; `ErrorCodes` logs what matters
        (internal errors, with a request id) and clients' mistakes are not log-worthy."""
        for error in errors:
            # A parse error raised by ParserCache escapes the operation, and `ErrorCodes`
            # with it: this is the one place it still passes.
            if not error.extensions and error.message.startswith("Syntax Error"):
                error.extensions = {"code": "GRAPHQL_PARSE_FAILED"}


schema = PortalSchema(
    query=Query,
    mutation=Mutation,
    subscription=SubscriptionRoot,
    types=[Account, TeamMember, Invoice, Document, Ticket, Subscription],
    extensions=[
        ErrorCodes,
        # After ErrorCodes: its span ends once the errors have their final codes.
        OperationTelemetry,
        SkippedRecords,
        stale_fields,
        RefuseWritesOfReadOnlyCredentials,
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: CostLimit(max_cost=MAX_COST),
        SchemaExposure,
        # A portal sends the same few documents over and over: parse and validate each once
        # (measured: 0.8 ms parse + 2.9 ms validation of the dashboard, per request).
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
    ],
    config=StrawberryConfig(auto_camel_case=True),
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
