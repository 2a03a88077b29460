from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from connectors import zendesk
from resolvers.ids import encode_id
from resolvers.tickets import public_comments
from schema.context import Info
from schema.enums import parse_enum
from schema.relay import Node


@strawberry.enum
class TicketStatus(Enum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "hold"
    SOLVED = "solved"
    CLOSED = "closed"


@strawberry.enum
class TicketPriority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@strawberry.type(description="Someone who wrote on a ticket.")
class Person:
    name: str | None
    email: str | None


@strawberry.type(description="A public comment; internal notes are never shown.")
class TicketComment:
    id: strawberry.ID
    body: str
    created_at: datetime
    author_id: strawberry.Private[str]

    @strawberry.field
    async def author(self, info: Info) -> Person | None:
        user = await info.context.loaders.zendesk_user_by_id.load(self.author_id)
        return None if user is None else Person(name=user.name, email=user.email)


@strawberry.type(description="A Zendesk ticket of the account's organization, live.")
class Ticket(Node):
    number: int
    subject: str | None
    status: TicketStatus | None
    priority: TicketPriority | None
    created_at: datetime
    updated_at: datetime
    record: strawberry.Private[zendesk.Ticket]

    @strawberry.field(description="The team handling it, e.g. Billing.")
    async def group(self, info: Info) -> str | None:
        if self.record.group_id is None:
            return None
        group = await info.context.loaders.group_by_id.load(self.record.group_id)
        return None if group is None else group.name

    @strawberry.field(
        description="When Zendesk's SLA target for the ticket falls due; null without one."
    )
    def estimated_resolution_at(self) -> datetime | None:
        return self.record.sla_breach_at

    @strawberry.field
    async def requester(self, info: Info) -> Person | None:
        user = await info.context.loaders.zendesk_user_by_id.load(self.record.requester_id)
        return None if user is None else Person(name=user.name, email=user.email)

    @strawberry.field(description="Public comments, oldest first.")
    async def comments(self, info: Info) -> list[TicketComment]:
        return [
            TicketComment(
                id=strawberry.ID(c.id), body=c.body, created_at=c.created_at,
                author_id=c.author_id,
            )
            for c in await public_comments(info.context, self.record)
        ]  # fmt: skip

    @classmethod
    def from_upstream(cls, ticket: zendesk.Ticket, account_id: str) -> Ticket:
        return cls(
            id=strawberry.ID(encode_id("Ticket", account_id, ticket.id)),
            number=int(ticket.id),
            subject=ticket.subject,
            status=parse_enum(TicketStatus, ticket.status, upper=False),
            priority=parse_enum(TicketPriority, ticket.priority, upper=False),
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            record=ticket,
        )
