"""Builds `schema`, the one Strawberry schema of the gateway."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.accounts import Account
from schema.billing import Subscription
from schema.documents import Document
from schema.extensions.cost import CostLimit
from schema.extensions.document_gate import DocumentChecker, DocumentGate
from schema.extensions.document_shape import DocumentLimits
from schema.extensions.errors import ErrorCodes
from schema.extensions.exposure import SchemaExposure
from schema.extensions.read_only import RefuseWritesOfReadOnlyCredentials
from schema.extensions.skipped import SkippedRecords
from schema.extensions.stale import stale_fields
from schema.extensions.telemetry import OperationTelemetry
from schema.extensions.text_input import WellFormedText
from schema.invoices import Invoice
from schema.mutation import Mutation
from schema.query import Query
from schema.subscription import Subscription as SubscriptionRoot
from schema.team import TeamMember
from schema.tickets import Ticket

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# Fields of one operation with its fragments spread, and `...F` in its text: the dashboard
# has ~60 fields and no spreads; GraphiQL's introspection query 220 fields and 8 spreads.
MAX_FIELDS = 500
MAX_SPREADS = 100
# Fields times the page sizes above them (schema/extensions/cost.py): the dashboard ~1,200.
MAX_COST = 5000
# CPU one new document may take to be validated (the dashboard takes ~3 ms); a check still
# unfinished after `wait_s` (its thread queued behind others) is refused as well.
DOCUMENTS = DocumentChecker(
    DocumentLimits(MAX_DEPTH, MAX_ALIASES, MAX_FIELDS, MAX_SPREADS),
    max_tokens=MAX_TOKENS,
    cpu_budget_s=0.25,
    wait_s=1.0,
)


class PortalSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error with its traceback; `ErrorCodes` logs what matters
        (internal errors, with a request id) and clients' mistakes are not log-worthy."""
        for error in errors:
            # A parse error raised by DocumentGate escapes the operation, and `ErrorCodes`
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
        lambda: CostLimit(max_cost=MAX_COST),
        WellFormedText,
        SchemaExposure,
        # Parses and validates each new document once, off the event loop (a portal sends
        # the same few over and over: 0.8 ms parse + 2.9 ms validation of the dashboard).
        lambda: DocumentGate(DOCUMENTS),
    ],
    config=StrawberryConfig(auto_camel_case=True),
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
