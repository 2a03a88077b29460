"""Builds `schema`, the one Strawberry schema of the gateway."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.account import Account
from schema.billing import Subscription
from schema.document import Document
from schema.errors import ErrorCodes
from schema.invoice import Invoice
from schema.mutation import Mutation
from schema.query import Query
from schema.team import TeamMember
from schema.ticket import Ticket

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000



class PortalSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error with its traceback; `ErrorCodes` logs what matters
        (internal errors, with a request id) and clients' mistakes are not log-worthy."""


schema = PortalSchema(
    query=Query,
    mutation=Mutation,
    types=[Account, TeamMember, Invoice, Document, Ticket, Subscription],
    extensions=[
        ErrorCodes,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ],
    config=StrawberryConfig(auto_camel_case=True),
)


def export_sdl() -> str:
    return schema.as_str() + "\n"
