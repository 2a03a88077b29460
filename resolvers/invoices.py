"""An account's Stripe invoices, newest first, paged with Stripe's own `starting_after`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cache import scopes
from cache.read_through import CacheKey
from connectors import stripe
from connectors.hubspot import Company
from resolvers.request.access import visible_account
from resolvers.request.context import RequestContext
from resolvers.request.errors import not_found
from resolvers.request.ids import decode_id
from resolvers.request.pages import Cursors, Edge, Page


@dataclass(frozen=True)
class InvoiceFilter:
    status: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def describe(self) -> str:
        return f"{self.status}|{self.created_from}|{self.created_to}"


def owns_invoice(account: Company, invoice: stripe.Invoice | None) -> bool:
    return (
        invoice is not None
        and account.stripe_customer_id is not None
        and invoice.customer_id == account.stripe_customer_id
    )


async def invoices_page(
    ctx: RequestContext,
    account: Company,
    first: int,
    after: str | None,
    where: InvoiceFilter,
) -> Page[stripe.Invoice]:
    customer_id = account.stripe_customer_id
    cursors = Cursors(ctx.services.cursor_signer, f"invoices:{account.id}:{where.describe()}")
    starting_after = cursors.decode(after)
    if customer_id is None or first == 0:
        return Page.empty()

    page = await list_invoices(
        ctx,
        customer_id,
        limit=first,
        starting_after=starting_after,
        status=where.status,
        created_gte=where.created_from,
        created_lte=where.created_to,
    )
    edges = [Edge(i, cursors, i.id) for i in page.invoices if owns_invoice(account, i)]
    return Page(edges, page.has_more)


async def list_invoices(
    ctx: RequestContext,
    customer_id: str,
    *,
    limit: int,
    starting_after: str | None = None,
    status: str | None = None,
    created_gte: datetime | None = None,
    created_lte: datetime | None = None,
) -> stripe.InvoicePage:
    """One page of the customer's invoices through the shared cache. The invoices list and
    the documents list ask for the same page on a dashboard: one key, so one Stripe call."""

    async def fetch() -> stripe.InvoicePage:
        return await stripe.invoices_of_customer(
            ctx.services.upstreams.stripe,
            customer_id,
            limit=limit,
            starting_after=starting_after,
            status=status,
            created_gte=created_gte,
            created_lte=created_lte,
        )

    detail = f"{limit}|{starting_after}|{status}|{created_gte}|{created_lte}"
    return await ctx.services.cache.get_or_load(
        CacheKey(scopes.invoices(customer_id), detail), fetch
    )


async def invoice_by_global_id(
    ctx: RequestContext, global_id: str
) -> tuple[Company, stripe.Invoice]:
    gid = decode_id(global_id, "Invoice")
    account = await visible_account(ctx, gid.account_id)
    if account is not None and gid.upstream_id.startswith("in_"):
        invoice = await ctx.loaders.invoice_by_id.load(gid.upstream_id)
        if owns_invoice(account, invoice):
            assert invoice is not None
            return account, invoice
    raise not_found("Invoice", global_id)
