"""`updateAccountDetails`: the company's name, phone and billing address. HubSpot is the
master and is written first; the Stripe customer's name and address follow in the same
mutation, retried under one Idempotency-Key, and reported when Stripe stays behind.

Upstream calls: HubSpot PATCH + read-back, Stripe customer update (1, up to 3 when
retried), HubSpot note: 4, plus the account read when not cached."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from auth.permissions import UPDATE_ACCOUNT_DETAILS
from cache import scopes
from cache.read_through import CacheKey
from connectors import hubspot, stripe
from connectors.http import RateLimited, Rejected, Unavailable
from connectors.hubspot import Company
from resolvers import audit
from resolvers.accounts import account_or_primary
from resolvers.context import RequestContext
from resolvers.guard import require
from resolvers.user_input import Checks, Problem, ProblemCode
from resolvers.writes import WriteResult

# Pauses before each attempt at the Stripe write: all three fit well inside the deadline.
STRIPE_ATTEMPT_PAUSES_S = (0.0, 0.15, 0.4)
MAX_NAME, MAX_STREET, MAX_CITY, MAX_STATE = 200, 200, 100, 100


@dataclass(frozen=True)
class AddressInput:
    street: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str | None


@dataclass(frozen=True)
class AccountDetailsInput:
    name: str | None = None
    phone: str | None = None
    billing_address: AddressInput | None = None


async def update_account_details(
    ctx: RequestContext, account_global_id: str | None, details: AccountDetailsInput
) -> WriteResult[Company]:
    viewer = require(ctx, UPDATE_ACCOUNT_DETAILS)
    account = await account_or_primary(ctx, account_global_id)
    checks = Checks()
    changes = _changes(checks, details)
    if not changes and not checks.problems:
        checks.add(None, "Give at least one field to change.", ProblemCode.REQUIRED)
    if checks.problems:
        return WriteResult(account, checks.problems)

    http = ctx.services.upstreams.hubspot
    updated = await hubspot.update_company(http, account.id, changes)
    await ctx.services.cache.invalidate(scopes.company(account.id))
    await ctx.services.cache.prime(CacheKey(scopes.company(account.id)), updated)

    behind = await _keep_stripe_in_step(ctx, updated, changes)
    stripe_note = ""
    if updated.stripe_customer_id and _stripe_changes(changes).params():
        stripe_note = (
            f"; Stripe customer {updated.stripe_customer_id} NOT updated (Stripe is behind)"
            if behind
            else f"; Stripe customer {updated.stripe_customer_id} updated"
        )
    described = ", ".join(f"{_LABELS[k]} → {audit.quoted(v or '')}" for k, v in changes.items())
    await audit.record(
        ctx, viewer, account.id, f"changed the account details: {described}{stripe_note}"
    )
    return WriteResult(updated, [behind] if behind else [])


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


async def _keep_stripe_in_step(
    ctx: RequestContext, company: Company, changes: dict[str, str | None]
) -> Problem | None:
    """Writes the change to Stripe; the problem to report when Stripe stays behind."""
    customer_id = company.stripe_customer_id
    stripe_changes = _stripe_changes(changes)
    if customer_id is None or not stripe_changes.params():
        return None
    # One key for every attempt: a write that landed but whose answer was lost is not
    # applied twice. A new mutation is a new change, so it gets a new key.
    key = f"portal-account-details-{company.id}-{uuid.uuid4().hex}"
    client = ctx.services.upstreams.stripe
    for pause in STRIPE_ATTEMPT_PAUSES_S:
        await asyncio.sleep(pause)
        try:
            await stripe.update_customer(client, customer_id, stripe_changes, key)
            return None
        except Rejected as exc:
            return _behind(f"Stripe refused the change ({exc.detail}).")
        except (Unavailable, RateLimited):
            continue
    return _behind("Stripe did not answer.")


def _behind(reason: str) -> Problem:
    return Problem(
        None,
        f"Saved in HubSpot, but the Stripe customer is behind: {reason} "
        "Send the same change again to bring Stripe in step.",
        ProblemCode.STRIPE_BEHIND,
    )
