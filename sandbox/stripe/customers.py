"""`/v1/customers` (list, create, retrieve, update) and the customers' card payment methods
(list, retrieve, detach)."""

from __future__ import annotations

import re

from sandbox.stripe.api import LIST_PARAMS, Call, list_query, paged_list
from sandbox.stripe.errors import invalid
from sandbox.stripe.forms import Params
from sandbox.stripe.objects import Json, address_json, customer_json, list_object
from sandbox.stripe.timeline import Timeline

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def list_customers(call: Call) -> Json:
    params, state = call.params, call.state
    params.allow(*LIST_PARAMS, "email", "created", "test_clock")
    email = params.text("email")
    return paged_list(
        list_query(params),
        state.customer_timeline,
        state.customers,
        "/v1/customers",
        created=params.range("created"),
        keep=(lambda i: state.customers[i]["email"] == email) if email else None,
    )


def create_customer(call: Call) -> Json:
    """A customer without a currency yet: its first subscription or invoice sets it."""
    params, state = call.params, call.state
    params.allow("name", "email", "phone", "description", "metadata", "address",
                 "preferred_locales")  # fmt: skip
    email = params.text("email") or None
    if email is not None and not _EMAIL.match(email):
        raise invalid(f"Invalid email address: {email}", "email", "email_invalid")
    customer_id = state.new_id("cus_", 14)
    customer = customer_json(
        customer_id, name=params.text("name") or "", email=email or "",
        phone=params.text("phone") or "", currency="",
        address=address_json(None, None, None, None, None), created=state.tick(),
        invoice_prefix=customer_id[4:12].upper(),
        default_payment_method=None,
    )  # fmt: skip
    address = _address(None, params.nested("address")) if params.has("address") else None
    customer.update(name=customer["name"] or None, email=email, phone=customer["phone"] or None,
                    address=address,
                    currency=None, description=params.text("description") or None,
                    metadata=params.metadata() or {})  # fmt: skip
    state.add_customer(customer)
    state.changed("customer.created", customer_id)
    return customer


def retrieve_customer(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.customers, call.match("customer"))


def update_customer(call: Call) -> Json:
    params, state = call.params, call.state
    customer = state.require(state.customers, call.match("customer"))
    params.allow("address", "description", "email", "metadata", "name", "phone",
                 "preferred_locales", "invoice_settings")  # fmt: skip
    changes: Json = {}
    for key in ("name", "phone", "description"):
        if params.has(key):
            changes[key] = params.text(key) or None
    if params.has("email"):
        email = params.text("email") or None
        if email is not None and not _EMAIL.match(email):
            raise invalid(f"Invalid email address: {email}", "email", "email_invalid")
        changes["email"] = email
    if params.has("address"):
        changes["address"] = _address(customer["address"], params.nested("address"))
    if params.has("preferred_locales"):
        changes["preferred_locales"] = params.strings("preferred_locales")
    settings = params.nested("invoice_settings")
    if settings is not None:
        changes["invoice_settings"] = _invoice_settings(call, customer, settings)
    metadata = params.metadata()
    if metadata is not None:
        changes["metadata"] = _merged(customer["metadata"], metadata)
    customer.update(changes)
    state.tick()
    state.changed("customer.updated", customer["id"])
    return customer


def _address(current: Json | None, update: Params | None) -> Json | None:
    if update is None:  # `address=""` unsets it
        return None
    update.allow(*_ADDRESS_FIELDS)
    address = dict(current or address_json(None, None, None, None, None))
    for key in _ADDRESS_FIELDS:
        if update.has(key):
            address[key] = update.text(key) or None
    return address


def _invoice_settings(call: Call, customer: Json, settings: Params) -> Json:
    settings.allow("default_payment_method", "footer")
    updated = dict(customer["invoice_settings"])
    if settings.has("default_payment_method"):
        pm_id = settings.text("default_payment_method") or None
        if pm_id is not None:
            _owned_payment_method(call, customer, pm_id, settings.name("default_payment_method"))
        updated["default_payment_method"] = pm_id
    if settings.has("footer"):
        updated["footer"] = settings.text("footer") or None
    return updated


def _owned_payment_method(call: Call, customer: Json, pm_id: str, param: str) -> Json:
    state = call.state
    payment_method = state.require(state.payment_methods, pm_id, param=param, status=400)
    if payment_method["customer"] != customer["id"]:
        raise invalid(
            f"The payment method `{pm_id}` is not attached to customer `{customer['id']}`.",
            param,
        )
    return payment_method


def _merged(current: dict[str, str], update: dict[str, str]) -> dict[str, str]:
    if not update:
        return {}
    merged = {**current, **update}
    return {key: value for key, value in merged.items() if value != ""}


# Payment methods


def list_payment_methods(call: Call) -> Json:
    params = call.params
    params.allow(*LIST_PARAMS, "customer", "type")
    customer_id = params.text("customer")
    if customer_id:
        call.state.require(call.state.customers, customer_id, param="customer", status=400)
    return _payment_methods(call, customer_id, params.text("type"), "/v1/payment_methods")


def list_customer_payment_methods(call: Call) -> Json:
    params, customer_id = call.params, call.match("customer")
    params.allow(*LIST_PARAMS, "type", "allow_redisplay")
    call.state.require(call.state.customers, customer_id)
    url = f"/v1/customers/{customer_id}/payment_methods"
    return _payment_methods(call, customer_id, params.text("type"), url)


def retrieve_payment_method(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.payment_methods, call.match("payment_method"))


def _payment_methods(call: Call, customer_id: str | None, kind: str | None, url: str) -> Json:
    state = call.state
    if not customer_id:
        return list_object([], url)
    ids = state.payment_methods_by_customer.get(customer_id, [])
    timeline = Timeline([(state.payment_methods[i]["created"], i) for i in ids])
    return paged_list(
        list_query(call.params),
        timeline,
        state.payment_methods,
        url,
        keep=(lambda i: state.payment_methods[i]["type"] == kind) if kind else None,
    )


def detach_payment_method(call: Call) -> Json:
    """Detaching is for good: the card can no longer be used or attached again. A customer
    (or subscription) whose default it was is left without a default."""
    call.params.allow()
    state = call.state
    payment_method = state.require(state.payment_methods, call.match("payment_method"))
    customer_id = payment_method["customer"]
    if customer_id is None:
        raise invalid(
            "The payment method you provided is not attached to a customer so detachment "
            "is impossible.",
        )
    state.payment_methods_by_customer[customer_id].remove(payment_method["id"])
    payment_method["customer"] = None
    customer = state.customers[customer_id]
    if customer["invoice_settings"]["default_payment_method"] == payment_method["id"]:
        customer["invoice_settings"]["default_payment_method"] = None
        state.changed("customer.updated", customer_id)
    for subscription in state.subscriptions.values():
        if subscription["default_payment_method"] == payment_method["id"]:
            subscription["default_payment_method"] = None
    state.tick()
    state.changed("payment_method.detached", payment_method["id"])
    return payment_method
