from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from auth.permissions import SUBMIT_TICKETS
from connectors import zendesk
from connectors.hubspot import Company
from resolvers import tickets
from resolvers.request.ids import encode_id
from resolvers.request.writes import WriteResult
from resolvers.tickets import public_comments
from schema.context import Info
from schema.enums import parse_enum
from schema.relay import Node
from schema.roles import allowed_to
from schema.user_errors import UserError, user_errors


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


@strawberry.enum(description="What the ticket is about: it decides the team that handles it.")
class TicketCategory(Enum):
    BILLING = tickets.TicketCategory.BILLING.value
    TECHNICAL = tickets.TicketCategory.TECHNICAL.value
    ONBOARDING = tickets.TicketCategory.ONBOARDING.value
    ACCOUNT = tickets.TicketCategory.ACCOUNT.value


@strawberry.input
class CreateTicketInput:
    subject: str
    description: str
    category: TicketCategory
    priority: TicketPriority = TicketPriority.NORMAL
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="A sub-account's id; the member's own account by default."
    )


@strawberry.input
class AddTicketCommentInput:
    ticket_id: strawberry.ID
    body: str


@strawberry.type
class TicketPayload:
    ticket: Ticket | None = strawberry.field(description="The ticket as it is now.")
    user_errors: list[UserError]


@strawberry.type
class TicketMutations:
    @strawberry.mutation(
        description="Opens a Zendesk ticket requested by the member.",
        extensions=allowed_to(SUBMIT_TICKETS),
    )
    async def create_ticket(self, info: Info, input: CreateTicketInput) -> TicketPayload:
        new = tickets.NewTicket(
            subject=input.subject,
            description=input.description,
            priority=input.priority.value,
            category=tickets.TicketCategory(input.category.value),
        )
        account_id = None if input.account_id is None else str(input.account_id)
        return _payload(await tickets.create_ticket(info.context, account_id, new))

    @strawberry.mutation(
        description="Adds a public comment by the member to a ticket.",
        extensions=allowed_to(SUBMIT_TICKETS),
    )
    async def add_ticket_comment(self, info: Info, input: AddTicketCommentInput) -> TicketPayload:
        result = await tickets.add_ticket_comment(info.context, str(input.ticket_id), input.body)
        return _payload(result)


def _payload(result: WriteResult[tuple[Company, zendesk.Ticket]]) -> TicketPayload:
    ticket = None
    if result.record is not None:
        account, record = result.record
        ticket = Ticket.from_upstream(record, account.id)
    return TicketPayload(ticket=ticket, user_errors=user_errors(result.problems))
