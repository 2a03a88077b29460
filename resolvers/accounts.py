"""Accounts (HubSpot companies): the viewer's own, one by id, parent and sub-accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cache import scopes
from cache.read_through import CacheKey
from connectors import deadline, hubspot, stripe
from connectors.http import NotSent, RateLimited, Rejected, Unavailable, UpstreamTimeout
from connectors.hubspot import Company, Owner
from resolvers.request import audit
from resolvers.request.access import may_see_account, visible_account, visible_account_ids
from resolvers.request.context import RequestContext
from resolvers.request.errors import not_found
from resolvers.request.ids import decode_id
from resolvers.request.user_input import Checks, Problem, ProblemCode
from resolvers.request.writes import WriteResult


async def viewer_accounts(ctx: RequestContext) -> list[Company]:
    ids = await visible_account_ids(ctx)
    return [c for c in await ctx.loaders.company_by_id.load_many(ids) if c is not None]


async def primary_account(ctx: RequestContext) -> Company | None:
    return await visible_account(ctx, ctx.require_viewer().primary_account_id)


async def account_by_global_id(ctx: RequestContext, global_id: str) -> Company:
    gid = decode_id(global_id, "Account")
    # An account's id names the company twice; a mixed pair is no id this API gave out.
    account = await visible_account(ctx, gid.account_id)
    if account is None or gid.upstream_id != gid.account_id:
        raise not_found("Account", global_id)
    return account


async def account_or_primary(ctx: RequestContext, global_id: str | None) -> Company:
    """The account a write names, or the viewer's own when it names none."""
    if global_id is not None:
        return await account_by_global_id(ctx, global_id)
    account = await primary_account(ctx)
    if account is None:
        raise not_found("Account", "(your account)")
    return account


async def parent_account(ctx: RequestContext, account: Company) -> Company | None:
    parent_id = await ctx.loaders.parent_id_by_company.load(account.id)
    if parent_id is None:
        return None
    return await visible_account(ctx, parent_id)


async def sub_accounts(ctx: RequestContext, account: Company) -> list[Company]:
    viewer = ctx.require_viewer()
    child_ids = await ctx.loaders.child_ids_by_company.load(account.id)
    visible = [c for c in child_ids if await may_see_account(ctx, viewer, c)]
    return [c for c in await ctx.loaders.company_by_id.load_many(visible) if c is not None]


async def account_manager(ctx: RequestContext, account: Company) -> Owner | None:
    if not account.owner_id:
        return None
    return await ctx.loaders.owner_by_id.load(account.owner_id)


# A Stripe write sent but not answered (a timeout) may have been applied: asking again under
# its Idempotency-Key tells, past the request's deadline if need be, for at most this long.
STRIPE_RESOLVE_S = 10.0
MAX_NAME, MAX_STREET, MAX_CITY, MAX_STATE = 200, 200, 100, 100


@dataclass(frozen=True)
class BillingAddress:
    street: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str | None


@dataclass(frozen=True)
class AccountDetailsInput:
    name: str | None = None
    phone: str | None = None
    billing_address: BillingAddress | None = None


async def update_account_details(
    ctx: RequestContext, account_global_id: str | None, details: AccountDetailsInput
) -> WriteResult[Company]:
    viewer = ctx.require_viewer()  # an ADMIN: the field's role rule (schema/accounts.py)
    account = await account_or_primary(ctx, account_global_id)
    checks = Checks()
    changes = _changes(checks, details)
    if not changes and not checks.problems:
        checks.add(None, "Give at least one field to change.", ProblemCode.REQUIRED)
    if checks.problems:
        return WriteResult(account, checks.problems)

    http = ctx.services.upstreams.hubspot
    updated = await hubspot.update_company(http, account.id, changes)
    await ctx.services.cache.replace(CacheKey(scopes.company(account.id)), updated)

    behind = await _keep_stripe_in_step(ctx, updated, changes)
    stripe_note = ""
    if updated.stripe_customer_id and _stripe_changes(changes).params():
        outcome = "updated" if behind is None else behind.note
        stripe_note = f"; Stripe customer {updated.stripe_customer_id} {outcome}"
    described = ", ".join(f"{_LABELS[k]} → {audit.quoted(v or '')}" for k, v in changes.items())
    await audit.record(
        ctx, viewer, account.id, f"changed the account details: {described}{stripe_note}"
    )
    return WriteResult(updated, [behind.problem] if behind else [])


_LABELS = {
    "name": "name",
    "phone": "phone",
    "street": "street",
    "city": "city",
    "postal_code": "postal code",
    "state": "state",
    "country": "country",
}


def _changes(checks: Checks, details: AccountDetailsInput) -> dict[str, str | None]:
    """The HubSpot company fields to write (named as in `Company`)."""
    changes: dict[str, str | None] = {}
    if details.name is not None:
        changes["name"] = checks.text("name", details.name, max_length=MAX_NAME, required=True)
    if details.phone is not None:
        changes["phone"] = checks.phone("phone", details.phone) or None
    address = details.billing_address
    if address is not None:
        prefix = "billingAddress."
        country = checks.country(prefix + "country", address.country)
        if country is None:
            checks.add(prefix + "country", "This field is required.", ProblemCode.REQUIRED)
        changes["street"] = checks.text(
            prefix + "street", address.street, max_length=MAX_STREET, required=True
        )
        changes["city"] = checks.text(
            prefix + "city", address.city, max_length=MAX_CITY, required=True
        )
        changes["state"] = (
            checks.text(prefix + "state", address.state, max_length=MAX_STATE) or None
        )
        changes["postal_code"] = (
            checks.postal_code(prefix + "postalCode", address.postal_code, country) or None
        )
        changes["country"] = country
    return changes


def _stripe_changes(changes: dict[str, str | None]) -> stripe.CustomerChanges:
    def address(name: str) -> str | None:
        # The address is replaced as a whole: a part left out is cleared ("") in Stripe too.
        return (changes.get(name) or "") if "country" in changes else None

    return stripe.CustomerChanges(
        name=changes.get("name"),
        address_line1=address("street"),
        city=address("city"),
        postal_code=address("postal_code"),
        state=address("state"),
        country=address("country"),
    )


@dataclass(frozen=True)
class _StripeBehind:
    problem: Problem  # for the member
    note: str  # for the audit note

    @classmethod
    def because(cls, reason: str) -> _StripeBehind:
        problem = Problem(
            None,
            f"Saved in HubSpot, but the Stripe customer is behind: {reason} "
            "Send the same change again to bring Stripe in step.",
            ProblemCode.STRIPE_BEHIND,
        )
        unknown = reason == STRIPE_UNKNOWN
        note = (
            "MAYBE updated (its answer was lost)" if unknown else "NOT updated (Stripe is behind)"
        )
        return cls(problem, note)


async def _keep_stripe_in_step(
    ctx: RequestContext, company: Company, changes: dict[str, str | None]
) -> _StripeBehind | None:
    """Writes the change to Stripe; the problem to report when Stripe stays behind."""
    customer_id = company.stripe_customer_id
    stripe_changes = _stripe_changes(changes)
    if customer_id is None or not stripe_changes.params():
        return None
    # One key for every attempt: a write that landed but whose answer was lost is not
    # applied twice. A new mutation is a new change, so it gets a new key.
    key = f"portal-account-details-{company.id}-{uuid.uuid4().hex}"
    # One retry layer: the upstream guard retries this POST (it carries an Idempotency-Key)
    # within the deadline; what is left to decide here is what to tell the member.
    try:
        await stripe.update_customer(
            ctx.services.upstreams.stripe, customer_id, stripe_changes, key
        )
    except Rejected as exc:
        return _StripeBehind.because(f"Stripe refused the change ({exc.detail}).")
    except UpstreamTimeout:
        return await _resolve_stripe_write(ctx, customer_id, stripe_changes, key)
    except (NotSent, Unavailable, RateLimited):
        return _StripeBehind.because(STRIPE_DOWN)
    return None


async def _resolve_stripe_write(
    ctx: RequestContext, customer_id: str, changes: stripe.CustomerChanges, key: str
) -> _StripeBehind | None:
    """The write was sent and its answer lost. The same request under the same key gets
    Stripe's stored result if the first one was applied (or applies it now, once)."""
    client = ctx.services.upstreams.stripe
    with deadline.replaced(STRIPE_RESOLVE_S):
        try:
            await stripe.update_customer(client, customer_id, changes, key)
        except Rejected as exc:
            return _StripeBehind.because(f"Stripe refused the change ({exc.detail}).")
        except (Unavailable, RateLimited):
            return _StripeBehind.because(STRIPE_UNKNOWN)
    return None


STRIPE_DOWN = "Stripe did not answer."
STRIPE_UNKNOWN = "Stripe did not confirm the change, which it may or may not have applied."
