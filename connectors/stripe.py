"""Stripe billing through the official SDK, async on aiohttp: customers, invoices,
subscriptions, billing meters and metered usage, as our own frozen records.

Every Stripe call goes through `_call`, which turns the SDK's exceptions (and transport
errors it lets through) into the `connectors.http` family:

    stripe.RateLimitError (429)            → RateLimited, with Retry-After
    404, or 400 `resource_missing`         → NotFound (batch reads answer None instead)
    APIConnectionError, APIError, 5xx      → Unavailable (UpstreamTimeout on a timeout)
    any other 4xx (auth, params, idempotency) → Rejected
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import stripe

from connectors.guard import UpstreamGuard
from connectors.http import (
    JsonService,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
    UpstreamTimeout,
    gather_aligned,
    parse_errors,
    retry_after,
    transport_errors,
)
from connectors.paging import chunks, every
from connectors.streams import ByteStream, open_stream
from connectors.stripe_http import GuardedStripeHttp

SERVICE = "stripe"
PAGE_LIMIT = 100  # Stripe's largest `limit` on every list
_DAY = timedelta(days=1)
_STRIPE_ID = re.compile(r"[a-z]{2,5}_[A-Za-z0-9]{1,64}")
T = TypeVar("T")
Obj = TypeVar("Obj", bound=stripe.StripeObject)


@dataclass(frozen=True)
class Customer:
    id: str
    name: str | None
    email: str | None
    phone: str | None
    currency: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str | None


@dataclass(frozen=True)
class Invoice:
    id: str
    customer_id: str
    number: str | None  # None while a draft
    status: str  # draft, open, paid, uncollectible, void
    currency: str
    amount_due: int  # minor units
    amount_paid: int
    amount_remaining: int
    total: int
    created: datetime
    due_date: datetime | None
    paid_at: datetime | None
    period_start: datetime
    period_end: datetime
    invoice_pdf: str | None
    hosted_invoice_url: str | None
    subscription_id: str | None = None


@dataclass(frozen=True)
class InvoicePage:
    invoices: tuple[Invoice, ...]
    has_more: bool


@dataclass(frozen=True)
class SubscriptionItem:
    id: str
    price_id: str
    product_id: str
    product_name: str | None
    quantity: int | None  # None for metered prices
    unit_amount: int | None
    currency: str
    interval: str | None  # month, year, ...
    usage_type: str | None  # licensed or metered
    meter_id: str | None
    included_quantity: int | None  # from the price's metadata
    # The quantity is the number of portal seats (`per_seat: "true"` in the price's metadata).
    per_seat: bool = False


@dataclass(frozen=True)
class PhaseItem:
    price_id: str
    quantity: int | None


@dataclass(frozen=True)
class SchedulePhase:
    start: datetime
    end: datetime
    items: tuple[PhaseItem, ...]


@dataclass(frozen=True)
class Schedule:
    """A subscription schedule: the subscription's changes planned for later periods."""

    id: str
    status: str
    phases: tuple[SchedulePhase, ...]


@dataclass(frozen=True)
class Subscription:
    id: str
    customer_id: str
    status: str
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    items: tuple[SubscriptionItem, ...]
    currency: str = ""
    trial_start: datetime | None = None
    trial_end: datetime | None = None
    cancel_at: datetime | None = None
    cancellation_feedback: str | None = None  # Stripe's `cancellation_details.feedback`
    cancellation_comment: str | None = None
    schedule: Schedule | None = None
    default_payment_method_id: str | None = None
    latest_invoice_id: str | None = None
    last_portal_change: str | None = None  # metadata `portal_change`: the last write's key

    def phase_after_period(self) -> SchedulePhase | None:
        """The change planned for the end of the current period, if any."""
        if self.schedule is None or self.schedule.status not in ("active", "not_started"):
            return None
        return next((p for p in self.schedule.phases if p.start >= self.current_period_end), None)


@dataclass(frozen=True)
class Meter:
    id: str
    display_name: str
    event_name: str
    unit: str  # the metered product's unit label, else the event name


@dataclass(frozen=True)
class UsageBucket:
    start: datetime
    end: datetime
    value: float


def stripe_client(
    api_key: str, base_url: str, session: aiohttp.ClientSession, guard: UpstreamGuard | None = None
) -> stripe.StripeClient:
    """A client on the shared session. The SDK's own retries stay off (they would sleep
    through the request's deadline); with a `guard`, it decides timeouts and retries."""
    http_client = (
        stripe.AIOHTTPClient(session=session, timeout=None)
        if guard is None
        else GuardedStripeHttp(session, guard)
    )
    return stripe.StripeClient(
        api_key,
        http_client=http_client,
        base_addresses={"api": base_url},
        max_network_retries=0,
    )


# Customers


async def customers_by_id(client: stripe.StripeClient, ids: Sequence[str]) -> list[Customer | None]:
    async def one(customer_id: str) -> Customer | None:
        found = await _optional(client.v1.customers.retrieve_async(customer_id))
        return None if found is None else _customer(found)

    return await _aligned(ids, one)


def _customer(customer: stripe.Customer) -> Customer:
    address = customer.address
    return Customer(
        id=customer.id,
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        currency=customer.currency,
        address_line1=address.line1 if address else None,
        address_line2=address.line2 if address else None,
        city=address.city if address else None,
        postal_code=address.postal_code if address else None,
        state=address.state if address else None,
        country=address.country if address else None,
    )


@dataclass(frozen=True)
class CustomerChanges:
    """What the portal keeps in step with HubSpot; None leaves a field as it is, "" clears it."""

    name: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    state: str | None = None
    country: str | None = None

    def params(self) -> dict[str, Any]:
        address = {
            "line1": self.address_line1,
            "city": self.city,
            "postal_code": self.postal_code,
            "state": self.state,
            "country": self.country,
        }
        given: dict[str, Any] = {k: v for k, v in address.items() if v is not None}
        params: dict[str, Any] = {"address": given} if given else {}
        if self.name is not None:
            params["name"] = self.name
        return params


async def update_customer(
    client: stripe.StripeClient, customer_id: str, changes: CustomerChanges, idempotency_key: str
) -> Customer:
    """Updates the customer; a retry with the same `idempotency_key` is applied at most once."""
    updated = await _call(
        client.v1.customers.update_async(
            customer_id,
            params=changes.params(),  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
    )
    return _customer(updated)


# Invoices


async def invoices_of_customer(
    client: stripe.StripeClient,
    customer_id: str,
    *,
    limit: int,
    starting_after: str | None = None,
    ending_before: str | None = None,
    status: str | None = None,
    created_gte: datetime | None = None,
    created_lte: datetime | None = None,
    created_lt: datetime | None = None,
) -> InvoicePage:
    """Newest first, as Stripe lists them; more than 100 takes several requests."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if starting_after and ending_before:
        raise ValueError("pass starting_after or ending_before, not both")
    params: dict[str, Any] = {"customer": customer_id}
    if status:
        params["status"] = status
    created = {
        op: _unix(moment)
        for op, moment in (("gte", created_gte), ("lte", created_lte), ("lt", created_lt))
        if moment is not None
    }
    if created:
        params["created"] = created
    found: list[dict[str, Any]] = []
    after, before = starting_after, ending_before
    while True:
        page_params = {**params, "limit": min(PAGE_LIMIT, limit - len(found))}
        if before:
            page_params["ending_before"] = before
        elif after:
            page_params["starting_after"] = after
        page = await _raw_json(client, "/v1/invoices", page_params)
        data: list[dict[str, Any]] = page["data"]
        if before:
            found = data + found
            before = data[0]["id"] if data else None
        else:
            found += data
            after = data[-1]["id"] if data else None
        if not page["has_more"] or not data or len(found) >= limit:
            return InvoicePage(tuple(_invoice(i) for i in found), bool(page["has_more"]))


async def invoices_by_id(client: stripe.StripeClient, ids: Sequence[str]) -> list[Invoice | None]:
    async def one(invoice_id: str) -> Invoice | None:
        if not _STRIPE_ID.fullmatch(invoice_id):
            return None  # no such id can exist, and it must not reach a path
        try:
            return _invoice(await _raw_json(client, f"/v1/invoices/{invoice_id}", {}))
        except NotFound:
            return None

    return await _aligned(ids, one)


async def _raw_json(
    client: stripe.StripeClient, path: str, params: dict[str, Any]
) -> dict[str, Any]:
    """A GET through the SDK (auth, API version, transport, error types) whose JSON we read
    ourselves. Measured on a 100-invoice page: the SDK's object tree costs ~75 ms of CPU,
    the JSON ~6 ms, and on a cold dashboard that CPU sits on the critical path."""
    response = await _call(client.raw_request_async("get", path, **params))
    body = response.data
    if not isinstance(body, dict):
        raise Unavailable(SERVICE, "response was not a JSON object")
    return body


def _invoice(raw: dict[str, Any]) -> Invoice:
    with parse_errors(SERVICE):
        details = (raw.get("parent") or {}).get("subscription_details") or {}
        paid_at = (raw.get("status_transitions") or {}).get("paid_at")
        subscription = details.get("subscription")
        return Invoice(
            id=raw["id"],
            customer_id=_json_id(raw["customer"]),
            number=raw.get("number"),
            status=raw.get("status") or "draft",
            currency=raw["currency"],
            amount_due=raw["amount_due"],
            amount_paid=raw["amount_paid"],
            amount_remaining=raw["amount_remaining"],
            total=raw["total"],
            created=_time(raw["created"]),
            due_date=_optional_time(raw.get("due_date")),
            paid_at=_optional_time(paid_at),
            period_start=_time(raw["period_start"]),
            period_end=_time(raw["period_end"]),
            invoice_pdf=raw.get("invoice_pdf"),
            hosted_invoice_url=raw.get("hosted_invoice_url"),
            subscription_id=_json_id(subscription) if subscription else None,
        )


def _json_id(value: str | dict[str, Any]) -> str:
    """An id, or the id of an expanded object."""
    return value if isinstance(value, str) else str(value["id"])


async def open_invoice_pdf(files: JsonService, invoice: Invoice) -> ByteStream:
    """Starts downloading the invoice's PDF. Stripe's PDF URLs are capabilities, fetched
    without the API key: the secret key is never sent to a URL that came in a response.
    Only URLs on Stripe's own hosts (or `files.base_url`'s, the sandbox) are followed."""
    url = invoice.invoice_pdf
    if not url:
        raise NotFound(SERVICE, f"invoice {invoice.id} has no PDF")
    host = urlsplit(url).hostname or ""
    ours = urlsplit(files.base_url)
    on_stripe = url.startswith("https://") and (
        host == "stripe.com" or host.endswith(".stripe.com")
    )
    if not (on_stripe or (host == ours.hostname and urlsplit(url).port == ours.port)):
        raise Unavailable(SERVICE, "invoice PDF URL is not on a Stripe host")
    return await open_stream(files, url)


# Subscriptions


async def subscriptions_of_customer(
    client: stripe.StripeClient, customer_id: str
) -> list[Subscription]:
    """The customer's current (not canceled) subscriptions with their items' products.

    Stripe expands at most four levels, so `data.items.data.price.product` is refused; the
    products come from a product list fetched alongside, in the same round trip."""
    subscriptions, products = await gather_aligned(
        _all(
            client.v1.subscriptions.list_async,
            {"customer": customer_id, "expand": ["data.schedule"]},
        ),
        _call(client.v1.products.list_async(params={"limit": PAGE_LIMIT})),
    )
    names = {product.id: product.name for product in products.data}
    wanted = {
        _product_id(item.price) for subscription in subscriptions for item in subscription.items
    }
    missing = sorted(wanted - names.keys())
    for chunk in chunks(missing, PAGE_LIMIT):  # beyond the first page of products: rare
        more = await _call(
            client.v1.products.list_async(params={"ids": chunk, "limit": PAGE_LIMIT})
        )
        names.update({product.id: product.name for product in more.data})
    return [parse_subscription(subscription, names) for subscription in subscriptions]


def parse_subscription(subscription: stripe.Subscription, names: dict[str, str]) -> Subscription:
    """Our record of a subscription (its `schedule` expanded, if it has one); `names` are
    product names by id."""
    items = list(subscription.items)
    customer_id = _id_of(subscription.customer)
    assert customer_id is not None
    details = subscription.cancellation_details
    return Subscription(
        id=subscription.id,
        customer_id=customer_id,
        status=subscription.status,
        current_period_start=_time(min(i.current_period_start for i in items)),
        current_period_end=_time(max(i.current_period_end for i in items)),
        cancel_at_period_end=subscription.cancel_at_period_end,
        items=tuple(_item(item, names) for item in items),
        currency=subscription.currency,
        trial_start=_optional_time(subscription.trial_start),
        trial_end=_optional_time(subscription.trial_end),
        cancel_at=_optional_time(subscription.cancel_at),
        cancellation_feedback=details.feedback if details else None,
        cancellation_comment=details.comment if details else None,
        schedule=_schedule(subscription.schedule),
        default_payment_method_id=_id_of(subscription.default_payment_method),
        latest_invoice_id=_id_of(subscription.latest_invoice),
        last_portal_change=_metadata(subscription.metadata).get("portal_change"),
    )


def _metadata(metadata: stripe.StripeObject | None) -> dict[str, str]:
    return {} if metadata is None else {str(k): str(v) for k, v in metadata.to_dict().items()}


def _schedule(schedule: str | stripe.SubscriptionSchedule | None) -> Schedule | None:
    if schedule is None:
        return None
    if isinstance(schedule, str):  # not expanded: the id alone says a change is planned
        return Schedule(schedule, "active", ())
    return Schedule(
        id=schedule.id,
        status=schedule.status,
        phases=tuple(
            SchedulePhase(
                start=_time(phase.start_date),
                end=_time(phase.end_date),
                items=tuple(
                    PhaseItem(str(_id_of(item.price)), item.quantity) for item in phase.items
                ),
            )
            for phase in schedule.phases
        ),
    )


def _item(item: stripe.SubscriptionItem, names: dict[str, str]) -> SubscriptionItem:
    price = item.price
    recurring = price.recurring
    product_id = _product_id(price)
    included = price.metadata.to_dict().get("included_quantity")
    return SubscriptionItem(
        id=item.id,
        price_id=price.id,
        product_id=product_id,
        product_name=names.get(product_id),
        quantity=item.quantity,
        unit_amount=price.unit_amount,
        currency=price.currency,
        interval=recurring.interval if recurring else None,
        usage_type=recurring.usage_type if recurring else None,
        meter_id=recurring.meter if recurring else None,
        included_quantity=int(included) if included and included.isdigit() else None,
        per_seat=price.metadata.to_dict().get("per_seat") == "true",
    )


def _product_id(price: stripe.Price) -> str:
    product_id = _id_of(price.product)
    assert product_id is not None
    return product_id


# Meters and usage


async def meters(client: stripe.StripeClient) -> list[Meter]:
    """Active billing meters, each with the unit label of the product its prices bill."""
    found, metered_prices = await gather_aligned(
        _all(client.v1.billing.meters.list_async, {"status": "active"}),
        _all(
            client.v1.prices.list_async,
            {
                "type": "recurring",
                "recurring": {"usage_type": "metered"},
                "expand": ["data.product"],
            },
        ),
    )
    units: dict[str, str | None] = {}
    for price in metered_prices:
        product = price.product
        if price.recurring and price.recurring.meter and isinstance(product, stripe.Product):
            units.setdefault(price.recurring.meter, product.unit_label)
    return [
        Meter(
            meter.id, meter.display_name, meter.event_name, units.get(meter.id) or meter.event_name
        )
        for meter in found
    ]


async def meter_usage(
    client: stripe.StripeClient, meter_id: str, customer_id: str, start: datetime, end: datetime
) -> list[UsageBucket]:
    """Daily usage, oldest first, over whole UTC days covering `start` to `end`. Windows of
    100 days (one page each) are fetched concurrently."""
    first, last = _day_floor(start), _day_floor(end - timedelta(microseconds=1)) + _DAY
    windows = []
    while first < last:
        windows.append((first, min(first + PAGE_LIMIT * _DAY, last)))
        first += PAGE_LIMIT * _DAY
    pages = await gather_aligned(
        *(
            _all(
                lambda params, _m=meter_id: client.v1.billing.meters.event_summaries.list_async(
                    _m, params=params
                ),
                {
                    "customer": customer_id,
                    "start_time": _unix(low),
                    "end_time": _unix(high),
                    "value_grouping_window": "day",
                },
            )
            for low, high in windows
        )
    )
    buckets = [
        UsageBucket(_time(s.start_time), _time(s.end_time), float(s.aggregated_value))
        for page in pages
        for s in page
    ]
    return sorted(buckets, key=lambda bucket: bucket.start)


# Calls and errors


async def _call(request: Awaitable[T]) -> T:
    try:
        # The SDK reads the body outside its own error handling: transport errors get through.
        with transport_errors(SERVICE, "request"):
            return await request
    except stripe.StripeError as exc:
        raise _upstream_error(exc) from exc


async def _optional(request: Awaitable[T]) -> T | None:
    try:
        return await _call(request)
    except NotFound:
        return None


def _upstream_error(exc: stripe.StripeError) -> UpstreamError:
    status, message = exc.http_status, exc.user_message or type(exc).__name__
    if isinstance(exc, stripe.RateLimitError) or status == 429:
        return RateLimited(SERVICE, message, retry_after(exc.headers))
    if isinstance(exc, stripe.APIConnectionError):
        if isinstance(exc.__cause__, TimeoutError):
            return UpstreamTimeout(SERVICE, "request timed out")
        return Unavailable(SERVICE, message)
    if status == 404 or exc.code == "resource_missing":  # 400 when the id was a parameter
        return NotFound(SERVICE, message)
    if status is None or not 400 <= status < 500:
        return Unavailable(SERVICE, f"HTTP {status}: {message}")
    return Rejected(SERVICE, status, message)


async def _all(
    list_call: Callable[..., Awaitable[stripe.ListObject[Obj]]], params: dict[str, Any]
) -> list[Obj]:
    """Every object of a list, page by page (100 at a time)."""

    async def read(after: str | None) -> tuple[list[Obj], str | None]:
        following = {"starting_after": after} if after else {}
        page = await _call(list_call(params={**params, "limit": PAGE_LIMIT, **following}))
        return page.data, str(page.data[-1]["id"]) if page.has_more and page.data else None

    return await every(read)


async def _aligned(
    ids: Sequence[str], fetch: Callable[[str], Awaitable[T | None]]
) -> list[T | None]:
    """One concurrent request per distinct id; the answers aligned with `ids`."""
    unique = list(dict.fromkeys(ids))
    found = await gather_aligned(*(fetch(i) for i in unique))
    by_id = dict(zip(unique, found, strict=True))
    return [by_id[i] for i in ids]


def _id_of(value: str | stripe.StripeObject | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return str(value["id"])


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())


def _time(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _optional_time(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else _time(timestamp)


def _day_floor(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
