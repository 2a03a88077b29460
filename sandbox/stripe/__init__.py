"""A local stand-in for the Stripe API v1 (version 2026-10-28), seeded from the backbone.

Auth: `Authorization: Bearer <key>` or HTTP basic auth with the key as user name, as Stripe
takes it; any key shaped `sk_test_<letters, digits, _>` (or `rk_test_…`) is accepted, e.g.
`sk_test_sandbox`. Requests are form encoded (`a[b]=`, `a[]=`, `a[0]=`), answers are Stripe's
JSON objects and list objects, errors Stripe's `{"error": {...}}`. POSTs honour
`Idempotency-Key`; `Stripe-Version` is accepted and echoed.

API: customers (list, create, retrieve, update), payment methods (list by customer,
retrieve, detach), invoices (list, retrieve, lines, `create_preview`), subscriptions (list,
create, retrieve, update with `proration_date`/`proration_behavior`/`cancellation_details`,
cancel), subscription schedules (create `from_subscription`, retrieve, update phases,
release, cancel), prices, products, billing meters and their event summaries, billing
portal and Checkout (setup mode) sessions; `expand[]` on any id field, at most four levels,
and of a price's `tiers` (left out unless expanded, as on Stripe).
Hosted pages: invoice PDFs (`invoice_pdf`) and hosted invoices, portal and Checkout pages.

Admin API (besides the shared one in `sandbox.upstream`):
    POST /_sandbox/invoices/{id}/pay  mark an open invoice paid
    POST /_sandbox/invoices           {"customer", "amount_due", "description"?,
                                       "days_until_due"?}: a new open one-off invoice
    POST /_sandbox/meter_events       {"customer", "event_name", "value", "timestamp"?}
    POST /_sandbox/checkout/sessions/{id}/complete  {"card"?: {"brand", "last4", "exp_month",
                                      "exp_year", "country"}}: the customer finishes a setup
                                      page; answers the new, attached payment method
    POST /_sandbox/subscriptions/{id}/end_period   the current period ends (as a test clock
                                      would): cancellation, the schedule's next phase, renewal
    GET  /_sandbox/changes            every change so far, as (Stripe event type, object id)
"""

from __future__ import annotations

from aiohttp import web

from sandbox.accounts import Backbone
from sandbox.stripe.app import add_routes
from sandbox.stripe.errors import error_body
from sandbox.stripe.seed import build_state
from sandbox.stripe.state import StripeState
from sandbox.stripe.webhooks import render as render_webhooks
from sandbox.upstream import Knobs, StateHolder, vendor_app
from sandbox.webhooks import attach as attach_webhooks

__all__ = ["create_app"]


def create_app(backbone: Backbone, knobs: Knobs) -> web.Application:
    holder: StateHolder[StripeState] = StateHolder(lambda: build_state(backbone))
    app = vendor_app(holder=holder, error_body=error_body, batch_size=_batch_size, knobs=knobs)
    add_routes(app, holder)
    attach_webhooks(app, holder, lambda state: state.changes, render_webhooks)
    return app


def _batch_size(request: web.Request, body: bytes) -> int | None:
    """Stripe has no batch reads; a product list by `ids[]` is the nearest thing."""
    if request.path != "/v1/products":
        return None
    return sum(1 for key in request.query if key.startswith("ids["))
