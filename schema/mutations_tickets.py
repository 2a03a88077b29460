"""`createTicket` and `addTicketComment`: support requests into the account's Zendesk."""

from __future__ import annotations

from enum import Enum

import strawberry

from connectors import zendesk
from connectors.hubspot import Company
from resolvers import ticket_writes
from resolvers.writes import WriteResult
from schema.context import Info
from schema.ticket import Ticket, TicketPriority
from schema.user_errors import UserError, user_errors


@strawberry.enum(description="What the ticket is about: it decides the team that handles it.")
class TicketCategory(Enum):
    BILLING = ticket_writes.TicketCategory.BILLING.value
    TECHNICAL = ticket_writes.TicketCategory.TECHNICAL.value
    ONBOARDING = ticket_writes.TicketCategory.ONBOARDING.value
    ACCOUNT = ticket_writes.TicketCategory.ACCOUNT.value


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
    @strawberry.mutation(description="Opens a Zendesk ticket requested by the member.")
    async def create_ticket(self, info: Info, input: CreateTicketInput) -> TicketPayload:
        new = ticket_writes.NewTicket(
            subject=input.subject,
            description=input.description,
            priority=input.priority.value,
            category=ticket_writes.TicketCategory(input.category.value),
        )
        account_id = None if input.account_id is None else str(input.account_id)
        return _payload(await ticket_writes.create_ticket(info.context, account_id, new))

    @strawberry.mutation(description="Adds a public comment by the member to a ticket.")
    async def add_ticket_comment(self, info: Info, input: AddTicketCommentInput) -> TicketPayload:
        result = await ticket_writes.add_ticket_comment(
            info.context, str(input.ticket_id), input.body
        )
        return _payload(result)


def _payload(result: WriteResult[tuple[Company, zendesk.Ticket]]) -> TicketPayload:
    ticket = None
    if result.record is not None:
        account, record = result.record
        ticket = Ticket.from_upstream(record, account.id)
    return TicketPayload(ticket=ticket, user_errors=user_errors(result.problems))
