"""The Stripe API v1 routes of the sandbox."""

from __future__ import annotations

from aiohttp import web

from sandbox.stripe import (
    customers,
    invoices,
    meters,
    products,
    schedules,
    sessions,
    subscriptions,
)
from sandbox.stripe.admin import admin_routes
from sandbox.stripe.api import Endpoint, endpoint, unrecognized
from sandbox.stripe.hosted import hosted_routes
from sandbox.stripe.state import StripeState
from sandbox.upstream import StateHolder

_API: tuple[tuple[str, str, Endpoint], ...] = (
    ("GET", "/v1/customers", customers.list_customers),
    ("POST", "/v1/customers", customers.create_customer),
    ("GET", "/v1/customers/{customer}", customers.retrieve_customer),
    ("POST", "/v1/customers/{customer}", customers.update_customer),
    ("GET", "/v1/customers/{customer}/payment_methods", customers.list_customer_payment_methods),
    ("GET", "/v1/payment_methods", customers.list_payment_methods),
    ("GET", "/v1/payment_methods/{payment_method}", customers.retrieve_payment_method),
    ("POST", "/v1/payment_methods/{payment_method}/detach", customers.detach_payment_method),
    ("GET", "/v1/invoices", invoices.list_invoices),
    ("POST", "/v1/invoices/create_preview", invoices.create_preview),
    ("GET", "/v1/invoices/{invoice}", invoices.retrieve_invoice),
    ("GET", "/v1/invoices/{invoice}/lines", invoices.list_invoice_lines),
    ("GET", "/v1/subscriptions", subscriptions.list_subscriptions),
    ("POST", "/v1/subscriptions", subscriptions.create_subscription),
    ("GET", "/v1/subscriptions/{subscription}", subscriptions.retrieve_subscription),
    ("POST", "/v1/subscriptions/{subscription}", subscriptions.update_subscription),
    ("DELETE", "/v1/subscriptions/{subscription}", subscriptions.cancel_subscription),
    ("POST", "/v1/subscription_schedules", schedules.create_schedule),
    ("GET", "/v1/subscription_schedules/{schedule}", schedules.retrieve_schedule),
    ("POST", "/v1/subscription_schedules/{schedule}", schedules.update_schedule),
    ("POST", "/v1/subscription_schedules/{schedule}/release", schedules.release_schedule),
    ("POST", "/v1/subscription_schedules/{schedule}/cancel", schedules.cancel_schedule),
    ("GET", "/v1/prices", products.list_prices),
    ("GET", "/v1/prices/{price}", products.retrieve_price),
    ("GET", "/v1/products", products.list_products),
    ("GET", "/v1/products/{product}", products.retrieve_product),
    ("GET", "/v1/billing/meters", meters.list_meters),
    ("GET", "/v1/billing/meters/{meter}", meters.retrieve_meter),
    ("GET", "/v1/billing/meters/{meter}/event_summaries", meters.list_event_summaries),
    ("POST", "/v1/billing_portal/sessions", sessions.create_portal_session),
    ("POST", "/v1/checkout/sessions", sessions.create_checkout_session),
    ("GET", "/v1/checkout/sessions/{session}", sessions.retrieve_checkout_session),
)


def add_routes(app: web.Application, holder: StateHolder[StripeState]) -> None:
    for method, path, handler in _API:
        app.router.add_route(method, path, endpoint(holder, handler))
    app.router.add_route("*", "/v1/{tail:.*}", unrecognized)
    app.router.add_routes(hosted_routes(holder))
    app.router.add_routes(admin_routes(holder))
