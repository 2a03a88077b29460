"""Stripe-hosted pages the portal sends people to: billing portal sessions and Checkout
sessions in setup mode (to add a card). Their URLs point at simple pages on this sandbox."""

from __future__ import annotations

from sandbox.stripe.api import Call
from sandbox.stripe.errors import invalid, no_such
from sandbox.stripe.objects import ORIGIN, Json

CHECKOUT_MODES = ("payment", "setup", "subscription")


def create_portal_session(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow("customer", "return_url", "configuration", "flow_data", "locale",
                 "on_behalf_of")  # fmt: skip
    customer_id = params.required_text("customer")
    state.require(state.customers, customer_id, param="customer", status=400)
    session_id = state.new_id("bps_")
    session = {
        "id": session_id,
        "object": "billing_portal.session",
        "configuration": params.text("configuration") or state.portal_configuration_id,
        "created": state.tick(),
        "customer": customer_id,
        "customer_account": None,
        "flow": None,
        "livemode": False,
        "locale": params.text("locale") or None,
        "on_behalf_of": None,
        "return_url": params.text("return_url") or None,
        "url": f"{ORIGIN}/p/session/{session_id}",
    }
    state.sessions[session_id] = session
    return session


def create_checkout_session(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow("mode", "customer", "success_url", "cancel_url", "return_url", "currency",
                 "payment_method_types", "client_reference_id", "metadata", "ui_mode",
                 "locale", "setup_intent_data")  # fmt: skip
    mode = params.choice("mode", CHECKOUT_MODES)
    if mode is None:
        raise invalid("Missing required param: mode.", "mode", "parameter_missing")
    if mode != "setup":
        raise invalid("This sandbox creates Checkout sessions in `setup` mode only.", "mode")
    customer_id = params.text("customer")
    customer = None
    if customer_id:
        customer = state.require(state.customers, customer_id, param="customer", status=400)
    success_url = params.required_text("success_url")
    session_id = state.new_id("cs_test_", 58)
    created = state.tick()
    session = {
        "id": session_id,
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": None,
        "amount_total": None,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": params.text("cancel_url") or None,
        "client_reference_id": params.text("client_reference_id") or None,
        "client_secret": None,
        "consent": None,
        "consent_collection": None,
        "created": created,
        "currency": params.text("currency") or (customer["currency"] if customer else None),
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": customer_id or None,
        "customer_account": None,
        "customer_creation": None,
        "customer_details": None,
        "customer_email": None,
        "discounts": None,
        "expires_at": created + 86_400,
        "invoice": None,
        "invoice_creation": None,
        "livemode": False,
        "locale": params.text("locale") or None,
        "metadata": params.metadata() or {},
        "mode": "setup",
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": "always",
        "payment_method_types": params.strings("payment_method_types") or ["card"],
        "payment_status": "no_payment_required",
        "return_url": None,
        "setup_intent": state.new_id("seti_"),
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": success_url,
        "total_details": None,
        "ui_mode": "hosted",
        "url": f"{ORIGIN}/c/pay/{session_id}",
    }
    state.sessions[session_id] = session
    return session


def retrieve_checkout_session(call: Call) -> Json:
    call.params.allow()
    session_id = call.match("session")
    session = call.state.sessions.get(session_id)
    if session is None or session["object"] != "checkout.session":
        raise no_such("checkout.session", session_id)
    return session
