"""The export tables: their stable columns, and the rows of each read from its upstream.

Each table walks its upstream page by page to the end, holding one page at a time, each
request in its vendor's `Pacer` turn; every record passes the same ownership check as in
GraphQL before it becomes a row. Columns are a contract with clients' BI tools: add new
ones at the end, never rename or reorder. Dates and times are ISO 8601 in UTC; money is a
decimal amount in major units beside an ISO 4217 currency code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from connectors import drive, hubspot, stripe, zendesk
from connectors.hubspot import Company
from connectors.pacing import Pacer
from connectors.paging import chunks, walk
from connectors.stripe_money import decimal_amount
from resolvers.documents import DocumentRecord, DocumentType
from resolvers.exports.query import ExportQuery
from resolvers.invoices import owns_invoice
from resolvers.request.services import Upstreams
from resolvers.team import is_portal_member
from resolvers.tickets import owns_ticket

Value = str | int | float | None
Row = tuple[Value, ...]

PAGE_SIZE = 100  # Stripe's, Zendesk's and HubSpot's largest page
DRIVE_PAGE_SIZE = 1000
USAGE_DEFAULT_DAYS = 30
USAGE_WINDOW_DAYS = 100  # one page of daily summaries


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    text: bool = False  # free text a person typed: CSV guards it against formula injection


@dataclass(frozen=True)
class Pacers:
    stripe: Pacer
    zendesk: Pacer
    hubspot: Pacer
    drive: Pacer


@dataclass(frozen=True)
class Source:
    """What a table reads with: the upstream clients and their pacers."""

    upstreams: Upstreams
    pacers: Pacers


RowSource = Callable[[Source, Company, ExportQuery], AsyncIterator[Row]]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: RowSource
    filter_name: str | None = None  # the query parameter that filters by status or type
    filter_values: tuple[str, ...] = ()
    dates: str = "created_at"  # the column `from` and `to` apply to


# --- invoices -------------------------------------------------------------------------------

INVOICE_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
INVOICE_COLUMNS = (
    Column("invoice_id", "Stripe invoice id, e.g. in_1Q…"),
    Column("number", "Invoice number as printed; empty while a draft"),
    Column("account_id", "HubSpot company id of the account"),
    Column("customer_id", "Stripe customer id"),
    Column("status", "draft, open, paid, uncollectible or void"),
    Column("currency", "ISO 4217 code, upper case"),
    Column("total", "Decimal amount in major units, e.g. 1250.00"),
    Column("amount_due", "Decimal"),
    Column("amount_paid", "Decimal"),
    Column("amount_remaining", "Decimal"),
    Column("created_at", "ISO 8601 UTC"),
    Column("due_at", "ISO 8601 UTC; empty when none"),
    Column("paid_at", "ISO 8601 UTC; empty unless paid"),
    Column("period_start", "ISO 8601 UTC"),
    Column("period_end", "ISO 8601 UTC"),
    Column("subscription_id", "Stripe subscription id; empty for one-off invoices"),
)


async def invoice_rows(source: Source, account: Company, query: ExportQuery) -> AsyncIterator[Row]:
    customer_id = account.stripe_customer_id
    if customer_id is None:
        return
    # Stripe filters by one status; several are filtered here.
    upstream_status = next(iter(query.statuses)) if len(query.statuses) == 1 else None

    async def read(after: str | None) -> tuple[tuple[stripe.Invoice, ...], str | None]:
        async def page() -> stripe.InvoicePage:
            return await stripe.invoices_of_customer(
                source.upstreams.stripe, customer_id, limit=stripe.PAGE_LIMIT,
                starting_after=after, status=upstream_status,
                created_gte=query.created_from, created_lt=query.created_before,
            )  # fmt: skip

        found = await source.pacers.stripe.call(page)
        more = found.has_more and found.invoices
        return found.invoices, found.invoices[-1].id if more else None

    async for invoice in walk(read):
        if owns_invoice(account, invoice) and query.wants(invoice.status):
            yield _invoice_row(account, invoice)


def _invoice_row(account: Company, invoice: stripe.Invoice) -> Row:
    def money(amount: int) -> str:
        return decimal_amount(amount, invoice.currency)

    return (
        invoice.id, invoice.number, account.id, invoice.customer_id, invoice.status,
        invoice.currency.upper(), money(invoice.total), money(invoice.amount_due),
        money(invoice.amount_paid), money(invoice.amount_remaining), iso(invoice.created),
        iso(invoice.due_date), iso(invoice.paid_at), iso(invoice.period_start),
        iso(invoice.period_end), invoice.subscription_id,
    )  # fmt: skip


# --- tickets --------------------------------------------------------------------------------

TICKET_STATUSES = zendesk.STATUS_ORDER
TICKET_COLUMNS = (
    Column("ticket_id", "Zendesk ticket id"),
    Column("account_id", "HubSpot company id of the account"),
    Column("subject", "As the requester wrote it", text=True),
    Column("status", "new, open, pending, hold, solved or closed"),
    Column("priority", "low, normal, high or urgent; empty when unset"),
    Column("type", "question, incident, problem or task; empty when unset"),
    Column("group_id", "Zendesk group id; empty when unassigned"),
    Column("requester_id", "Zendesk user id"),
    Column("created_at", "ISO 8601 UTC"),
    Column("updated_at", "ISO 8601 UTC"),
    Column("tags", "Space-separated, as Zendesk keeps them", text=True),
)


async def ticket_rows(source: Source, account: Company, query: ExportQuery) -> AsyncIterator[Row]:
    organization_id = account.zendesk_organization_id
    if organization_id is None:
        return

    async def read(after: str | None) -> tuple[tuple[zendesk.Ticket, ...], str | None]:
        async def page() -> zendesk.TicketPage:
            # Oldest first by id: a stable order while new tickets arrive during the walk.
            return await zendesk.tickets_of_organization(
                source.upstreams.zendesk, organization_id, page_size=PAGE_SIZE, after=after,
                sort="id",
            )  # fmt: skip

        found = await source.pacers.zendesk.call(page)
        return found.tickets, found.after_cursor if found.has_more else None

    async for ticket in walk(read):
        wanted = query.wants(ticket.status) and query.covers(ticket.created_at)
        if owns_ticket(account, ticket) and wanted:
            yield _ticket_row(account, ticket)


def _ticket_row(account: Company, ticket: zendesk.Ticket) -> Row:
    return (
        ticket.id, account.id, ticket.subject, ticket.status, ticket.priority, ticket.type,
        ticket.group_id, ticket.requester_id, iso(ticket.created_at), iso(ticket.updated_at),
        " ".join(ticket.tags),
    )  # fmt: skip


# --- documents ------------------------------------------------------------------------------

DOCUMENT_TYPES = tuple(t.value.lower() for t in DocumentType if t is not DocumentType.INVOICE)
DOCUMENT_COLUMNS = (
    Column("document_id", "Google Drive file id"),
    Column("account_id", "HubSpot company id of the account"),
    Column("name", "File name", text=True),
    Column("type", "contract, statement_of_work, report or other"),
    Column("mime_type", "e.g. application/pdf"),
    Column("size_bytes", "Integer; empty for Google Docs, which have no size"),
    Column("created_at", "ISO 8601 UTC"),
    Column("modified_at", "ISO 8601 UTC"),
)


async def document_rows(source: Source, account: Company, query: ExportQuery) -> AsyncIterator[Row]:
    folder_id = account.drive_folder_id
    if folder_id is None:
        return

    async def read(token: str | None) -> tuple[tuple[drive.DriveFile, ...], str | None]:
        async def page() -> drive.FilePage:
            return await drive.files_in_folder(
                source.upstreams.drive, folder_id, page_size=DRIVE_PAGE_SIZE, page_token=token,
                created_after=query.created_from, created_before=query.created_before,
            )  # fmt: skip

        found = await source.pacers.drive.call(page)
        return found.files, found.next_page_token or None

    async for file in walk(read):
        kind = DocumentRecord.of_file(file).type.value.lower()
        if folder_id in file.parents and not file.trashed and query.wants(kind):
            yield (
                file.id, account.id, file.name, kind, file.mime_type, file.size,
                iso(file.created_time), iso(file.modified_time),
            )  # fmt: skip


# --- usage ----------------------------------------------------------------------------------

USAGE_COLUMNS = (
    Column("account_id", "HubSpot company id of the account"),
    Column("meter_id", "Stripe billing meter id"),
    Column("metric", "The meter's name", text=True),
    Column("unit", "What is counted, e.g. API calls"),
    Column("day", "ISO 8601 date (UTC day)"),
    Column("quantity", "Decimal; what the account used that day"),
)


async def usage_rows(source: Source, account: Company, query: ExportQuery) -> AsyncIterator[Row]:
    customer_id = account.stripe_customer_id
    if customer_id is None:
        return
    client = source.upstreams.stripe
    end = query.end or datetime.now(UTC).date()
    start = query.start or end - timedelta(days=USAGE_DEFAULT_DAYS - 1)
    meters = await source.pacers.stripe.call(lambda: stripe.meters(client))
    for meter in meters:
        for low, high in _windows(start, end):

            async def window(m: str = meter.id, low: date = low, high: date = high) -> (
                list[stripe.UsageBucket]
            ):  # fmt: skip
                return await stripe.meter_usage(client, m, customer_id, _at(low), _at(high))

            for bucket in await source.pacers.stripe.call(window):
                yield (
                    account.id, meter.id, meter.display_name, meter.unit,
                    bucket.start.date().isoformat(), _quantity(bucket.value),
                )  # fmt: skip


def _windows(start: date, end: date) -> list[tuple[date, date]]:
    """Half-open windows of at most one page of days, covering `start` to `end` inclusive."""
    windows, low, stop = [], start, end + timedelta(days=1)
    while low < stop:
        high = min(low + timedelta(days=USAGE_WINDOW_DAYS), stop)
        windows.append((low, high))
        low = high
    return windows


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _quantity(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


# --- team -----------------------------------------------------------------------------------

MEMBER_STATUSES = ("invited", "active", "disabled")
TEAM_COLUMNS = (
    Column("member_id", "HubSpot contact id"),
    Column("account_id", "HubSpot company id of the account"),
    Column("email", "Lower case", text=True),
    Column("first_name", "", text=True),
    Column("last_name", "", text=True),
    Column("job_title", "", text=True),
    Column("role", "ADMIN, USER or READ_ONLY"),
    Column("status", "INVITED, ACTIVE or DISABLED"),
    Column("created_at", "ISO 8601 UTC: when the contact was created in HubSpot"),
)


async def team_rows(source: Source, account: Company, query: ExportQuery) -> AsyncIterator[Row]:
    http = source.upstreams.hubspot
    # Only ids are held whole (a few bytes each); records are read a batch at a time.
    [contact_ids] = await source.pacers.hubspot.call(
        lambda: hubspot.contact_ids_of_companies(http, [account.id])
    )
    for batch in chunks(contact_ids, PAGE_SIZE):

        async def read(batch: list[str] = batch) -> list[hubspot.Contact | None]:
            return await hubspot.contacts_by_id(http, batch)

        for contact in await source.pacers.hubspot.call(read):
            if contact is None or not is_portal_member(contact):
                continue
            if query.wants(contact.portal_status) and query.covers(contact.created_at):
                yield (
                    contact.id, account.id, contact.email, contact.first_name, contact.last_name,
                    contact.job_title, contact.portal_role, contact.portal_status,
                    iso(contact.created_at),
                )  # fmt: skip


# --- the catalogue --------------------------------------------------------------------------

TABLES: Mapping[str, Table] = {
    t.name: t
    for t in (
        Table("invoices", INVOICE_COLUMNS, invoice_rows, "status", INVOICE_STATUSES),
        Table("tickets", TICKET_COLUMNS, ticket_rows, "status", TICKET_STATUSES),
        Table("documents", DOCUMENT_COLUMNS, document_rows, "type", DOCUMENT_TYPES),
        Table("usage", USAGE_COLUMNS, usage_rows, dates="day"),
        Table("team", TEAM_COLUMNS, team_rows, "status", MEMBER_STATUSES),
    )
}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
