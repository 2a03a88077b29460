"""An account's documents: the files of its Drive folder and the PDFs of its Stripe
invoices, as one list, newest first.

Both upstreams filter by creation time, so pages are cut by keyset: a cursor holds the
creation time of the last document shown and the ids shown at that very instant; the next
page asks each upstream for documents created at or before it and drops those ids.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cache import scopes
from cache.read_through import CacheKey
from connectors import drive, stripe
from connectors.hubspot import Company
from resolvers.invoices import list_invoices, owns_invoice
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import not_found
from resolvers.request.ids import decode_id
from resolvers.request.pages import Cursors, Edge, Page


class DocumentType(StrEnum):
    CONTRACT = "CONTRACT"
    STATEMENT_OF_WORK = "STATEMENT_OF_WORK"
    REPORT = "REPORT"
    INVOICE = "INVOICE"
    OTHER = "OTHER"


_DRIVE_TYPES = {
    "contract": DocumentType.CONTRACT,
    "statement_of_work": DocumentType.STATEMENT_OF_WORK,
    "report": DocumentType.REPORT,
}
PDF = "application/pdf"


@dataclass(frozen=True)
class DocumentRecord:
    source: str  # "drive" or "invoice"
    upstream_id: str
    name: str
    type: DocumentType
    mime_type: str
    size: int | None
    created_at: datetime
    modified_at: datetime

    @property
    def public_upstream_id(self) -> str:
        return f"{self.source}-{self.upstream_id}"

    @classmethod
    def of_file(cls, file: drive.DriveFile) -> DocumentRecord:
        kind = _DRIVE_TYPES.get(file.document_type or "", DocumentType.OTHER)
        return cls("drive", file.id, file.name, kind, file.mime_type, file.size,
                   file.created_time, file.modified_time)  # fmt: skip

    @classmethod
    def of_invoice(cls, invoice: stripe.Invoice) -> DocumentRecord:
        name = f"Invoice {invoice.number or invoice.id}.pdf"
        return cls("invoice", invoice.id, name, DocumentType.INVOICE, PDF, None,
                   invoice.created, invoice.created)  # fmt: skip


@dataclass(frozen=True)
class DocumentCriteria:
    types: frozenset[DocumentType] = frozenset()
    created_from: datetime | None = None
    created_to: datetime | None = None
    name_contains: str | None = None

    def wants(self, kind: DocumentType) -> bool:
        return not self.types or kind in self.types

    def matches(self, document: DocumentRecord) -> bool:
        name = (self.name_contains or "").casefold()
        return self.wants(document.type) and name in document.name.casefold()

    def describe(self) -> str:
        types = ",".join(sorted(self.types))
        return f"{types}|{self.created_from}|{self.created_to}|{self.name_contains}"


@dataclass(frozen=True)
class _Position:
    """Where the last page ended: its oldest creation time and the ids shown at it."""

    created_at: datetime
    seen_ids: frozenset[str]

    def encode(self) -> dict[str, object]:
        return {"t": self.created_at.isoformat(), "ids": sorted(self.seen_ids)}

    @classmethod
    def decode(cls, raw: object) -> _Position | None:
        if not isinstance(raw, dict):
            return None
        return cls(datetime.fromisoformat(str(raw["t"])), frozenset(raw["ids"]))


async def documents_page(
    ctx: RequestContext,
    account: Company,
    first: int,
    after: str | None,
    where: DocumentCriteria,
) -> Page[DocumentRecord]:
    cursors = Cursors(ctx.services.cursor_signer, f"documents:{account.id}:{where.describe()}")
    position = _Position.decode(cursors.decode(after))
    if first == 0:
        return Page.empty()
    upper = where.created_to
    if position is not None:
        upper = min(upper, position.created_at) if upper else position.created_at
    files, invoices = await asyncio.gather(
        _files(ctx, account, first, where, upper),
        _invoice_pdfs(ctx, account, first, where, upper),
    )
    seen = position.seen_ids if position else frozenset()
    candidates = sorted(
        (d for d in [*files.documents, *invoices.documents]
         if d.public_upstream_id not in seen and where.matches(d)),
        key=lambda d: (d.created_at, d.public_upstream_id),
        reverse=True,
    )  # fmt: skip
    shown = candidates[:first]
    more = len(candidates) > first or files.more or invoices.more
    edges = [
        Edge(d, cursors, p.encode())
        for d, p in zip(shown, _positions(shown, position), strict=True)
    ]
    return Page(edges, more)


def _positions(shown: list[DocumentRecord], previous: _Position | None) -> list[_Position]:
    """The position just past each shown document: its creation time and every id shown
    so far at that instant (including the previous page's, when the instant carries on)."""
    positions: list[_Position] = []
    instant = previous.created_at if previous else None
    ids: set[str] = set(previous.seen_ids) if previous else set()
    for document in shown:
        if document.created_at != instant:
            instant, ids = document.created_at, set()
        ids.add(document.public_upstream_id)
        positions.append(_Position(document.created_at, frozenset(ids)))
    return positions


@dataclass(frozen=True)
class _Found:
    documents: list[DocumentRecord]
    more: bool


async def _files(
    ctx: RequestContext, account: Company, limit: int, where: DocumentCriteria,
    created_upto: datetime | None,
) -> _Found:  # fmt: skip
    folder_id = account.drive_folder_id
    drive_types = [k for k, v in _DRIVE_TYPES.items() if where.wants(v)]
    if folder_id is None or not (drive_types or where.wants(DocumentType.OTHER)):
        return _Found([], False)
    # OTHER means "no known type", which Drive's query cannot say: filter those here.
    server_types = None if where.wants(DocumentType.OTHER) or not where.types else drive_types
    before = created_upto + timedelta(milliseconds=1) if created_upto else None

    async def fetch() -> drive.FilePage:
        return await drive.files_in_folder(
            ctx.services.upstreams.drive, folder_id, page_size=limit,
            name_contains=where.name_contains, document_types=server_types,
            created_after=where.created_from, created_before=before,
        )  # fmt: skip

    key = CacheKey(scopes.files(folder_id), f"{limit}|{before}|{where.describe()}")
    page = await ctx.services.cache.get_or_load(key, fetch)
    documents = [DocumentRecord.of_file(f) for f in page.files if folder_id in f.parents]
    return _Found(documents, page.next_page_token is not None)


async def _invoice_pdfs(
    ctx: RequestContext, account: Company, limit: int, where: DocumentCriteria,
    created_upto: datetime | None,
) -> _Found:  # fmt: skip
    customer_id = account.stripe_customer_id
    if customer_id is None or not where.wants(DocumentType.INVOICE):
        return _Found([], False)

    page = await list_invoices(
        ctx, customer_id, limit=min(limit, 100), created_gte=where.created_from,
        created_lte=created_upto,
    )  # fmt: skip
    documents = [
        DocumentRecord.of_invoice(i) for i in page.invoices
        if owns_invoice(account, i) and i.invoice_pdf
    ]  # fmt: skip
    return _Found(documents, page.has_more)


async def document_by_global_id(
    ctx: RequestContext, global_id: str
) -> tuple[Company, DocumentRecord]:
    gid = decode_id(global_id, "Document")
    account = await visible_account(ctx, gid.account_id)
    source, _, upstream_id = gid.upstream_id.partition("-")
    if account is not None and source == "drive" and upstream_id:
        file = await ctx.loaders.file_by_id.load(upstream_id)
        if file is not None and account.drive_folder_id in file.parents and not file.trashed:
            return account, DocumentRecord.of_file(file)
    if account is not None and source == "invoice" and upstream_id.startswith("in_"):
        invoice = await ctx.loaders.invoice_by_id.load(upstream_id)
        if owns_invoice(account, invoice) and invoice is not None and invoice.invoice_pdf:
            return account, DocumentRecord.of_invoice(invoice)
    raise not_found("Document", global_id)
