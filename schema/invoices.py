from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from connectors.stripe import Invoice as StripeInvoice
from resolvers.request.download_urls import download_url
from resolvers.request.ids import encode_id
from schema.context import Info
from schema.enums import parse_enum
from schema.money import Money
from schema.relay import Node


@strawberry.enum
class InvoiceStatus(Enum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"
    UNCOLLECTIBLE = "UNCOLLECTIBLE"


@strawberry.type(description="A Stripe invoice of the account, live.")
class Invoice(Node):
    number: str | None
    status: InvoiceStatus | None
    total: Money
    amount_due: Money
    amount_paid: Money
    amount_remaining: Money
    issued_at: datetime
    due_at: datetime | None
    paid_at: datetime | None
    period_start: datetime | None
    period_end: datetime | None
    document_id: strawberry.Private[str | None]

    @strawberry.field(description="A short-lived link to the PDF, served by the gateway.")
    def download_url(self, info: Info) -> str | None:
        return None if self.document_id is None else download_url(info.context, self.document_id)

    @classmethod
    def from_upstream(cls, invoice: StripeInvoice, account_id: str) -> Invoice:
        def money(amount: int) -> Money:
            return Money.of(amount, invoice.currency)

        has_pdf = bool(invoice.invoice_pdf)
        return cls(
            id=strawberry.ID(encode_id("Invoice", account_id, invoice.id)),
            number=invoice.number,
            status=parse_enum(InvoiceStatus, invoice.status),
            total=money(invoice.total),
            amount_due=money(invoice.amount_due),
            amount_paid=money(invoice.amount_paid),
            amount_remaining=money(invoice.amount_remaining),
            issued_at=invoice.created,
            due_at=invoice.due_date,
            paid_at=invoice.paid_at,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            document_id=encode_id("Document", account_id, f"invoice-{invoice.id}")
            if has_pdf
            else None,
        )
