"""The pages behind Stripe-hosted URLs: invoice PDFs and hosted invoices, and stand-ins for
the billing portal and Checkout. No API key: these URLs are capabilities, as on Stripe."""

from __future__ import annotations

import html

from aiohttp import web

from sandbox.stripe.api import origin
from sandbox.stripe.objects import ORIGIN, Json, invoice_id_of_token
from sandbox.stripe.pdf import invoice_page, invoice_pdf
from sandbox.stripe.state import StripeState
from sandbox.upstream import StateHolder


def hosted_routes(holder: StateHolder[StripeState]) -> list[web.RouteDef]:
    def finalized_invoice(request: web.Request) -> Json:
        state = holder.state
        invoice_id = invoice_id_of_token(request.match_info["token"])
        invoice = state.invoices.get(invoice_id or "")
        if (
            invoice is None
            or invoice["status"] == "draft"
            or request.match_info["account"] != state.account_id
        ):
            raise web.HTTPNotFound(text="Invoice not found")
        return invoice

    async def pdf(request: web.Request) -> web.Response:
        invoice = finalized_invoice(request)
        return web.Response(
            body=invoice_pdf(invoice),
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="Invoice-{invoice["number"]}.pdf"'},
        )

    async def page(request: web.Request) -> web.Response:
        invoice = finalized_invoice(request)
        pdf_url = invoice["invoice_pdf"].replace(ORIGIN, origin(request))
        return web.Response(text=invoice_page(invoice, pdf_url), content_type="text/html")

    async def portal(request: web.Request) -> web.Response:
        session = _session(holder.state, request, "billing_portal.session")
        customer = holder.state.customers[session["customer"]]
        back = session["return_url"] or "#"
        return _html(
            "Billing portal",
            f"<p>Manage billing for {html.escape(customer['name'] or '')}.</p>"
            f"<p><a href='{html.escape(back)}'>Return</a></p>",
        )

    async def checkout(request: web.Request) -> web.Response:
        session = _session(holder.state, request, "checkout.session")
        return _html(
            "Add a payment method",
            "<p>This sandbox page stands in for Stripe Checkout (setup mode).</p>"
            f"<p><a href='{html.escape(session['success_url'])}'>Done</a></p>",
        )

    return [
        web.get("/invoice/{account}/{token}/pdf", pdf),
        web.get("/i/{account}/{token}", page),
        web.get("/p/session/{session}", portal),
        web.get("/c/pay/{session}", checkout),
    ]


def _session(state: StripeState, request: web.Request, kind: str) -> Json:
    session = state.sessions.get(request.match_info["session"])
    if session is None or session["object"] != kind:
        raise web.HTTPNotFound(text="Session not found")
    return session


def _html(title: str, body: str) -> web.Response:
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return web.Response(text=page, content_type="text/html")
