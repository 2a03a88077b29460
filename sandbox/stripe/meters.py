"""`/v1/billing/meters` and their per-customer event summaries."""

from __future__ import annotations

import hashlib

from sandbox.stripe.api import LIST_PARAMS, Call, list_query, paged_list, sliced_list
from sandbox.stripe.errors import invalid
from sandbox.stripe.objects import Json
from sandbox.stripe.timeline import Timeline
from sandbox.stripe.usage import WINDOWS, Bucket

_MINUTE = 60


def list_meters(call: Call) -> Json:
    params, meters = call.params, call.state.catalog.meters
    params.allow(*LIST_PARAMS, "status")
    status = params.choice("status", ("active", "inactive"))
    timeline = Timeline([(m["created"], meter_id) for meter_id, m in meters.items()])
    return paged_list(
        list_query(params), timeline, meters, "/v1/billing/meters",
        keep=(lambda i: meters[i]["status"] == status) if status else None,
    )  # fmt: skip


def retrieve_meter(call: Call) -> Json:
    call.params.allow()
    return call.state.require(call.state.catalog.meters, call.match("meter"))


def list_event_summaries(call: Call) -> Json:
    params, state = call.params, call.state
    meter = state.require(state.catalog.meters, call.match("meter"))
    params.allow(*LIST_PARAMS, "customer", "start_time", "end_time", "value_grouping_window")
    customer_id = params.required_text("customer")
    state.require(state.customers, customer_id, param="customer", status=400)
    start, end = (
        _required_time(params.integer("start_time"), "start_time"),
        _required_time(params.integer("end_time"), "end_time"),
    )
    window = params.choice("value_grouping_window", tuple(WINDOWS))
    width = WINDOWS[window] if window else None
    for value, name in ((start, "start_time"), (end, "end_time")):
        if value % (width or _MINUTE):
            boundary = window or "minute"
            raise invalid(f"{name} must be aligned with {boundary} boundaries.", name)
    if end <= start:
        raise invalid("end_time must be after start_time.", "end_time")
    formula = meter["default_aggregation"]["formula"]
    buckets = state.usage.buckets(meter["id"], customer_id, start, end, width, formula)
    summaries = [_summary(meter["id"], customer_id, b, width) for b in reversed(buckets)]
    url = f"/v1/billing/meters/{meter['id']}/event_summaries"
    return sliced_list(summaries, list_query(params), url, "billing.meter_event_summary")


def _required_time(value: int | None, name: str) -> int:
    if value is None:
        raise invalid(f"Missing required param: {name}.", name, "parameter_missing")
    return value


def _summary(meter_id: str, customer_id: str, bucket: Bucket, width: int | None) -> Json:
    digest = hashlib.sha256(f"{meter_id}:{customer_id}:{bucket.start}:{width}".encode())
    return {
        "id": "mtrusg_test_" + digest.hexdigest()[:48],
        "object": "billing.meter_event_summary",
        "aggregated_value": bucket.value,
        "end_time": bucket.end,
        "livemode": False,
        "meter": meter_id,
        "start_time": bucket.start,
    }
