"""Clients' webhook endpoints: only a signed-in ADMIN of the account manages them (declared
on the fields: MANAGE_WEBHOOK_ENDPOINTS). Each
write reads the list from the HubSpot company, changes it and writes it back under a
short Redis lock (two ADMINs saving at once must not lose one's endpoint). A rotated-out
secret signs beside the new one for `Outbound.secret_overlap_s`, then goes at the next write."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from connectors import uncached
from connectors.hubspot import Company
from resolvers.request import audit
from resolvers.request.context import RequestContext
from resolvers.request.errors import not_found
from resolvers.request.events_out import events_out
from resolvers.request.user_input import Problem, ProblemCode
from resolvers.request.writes import WriteResult
from webhooks.delivery import attempts, client_hooks, endpoints, targets
from webhooks.delivery.endpoints import MAX_ENDPOINTS, Endpoint
from webhooks.events.types import TEST_EVENT, EventType, PortalEvent, event_id
from webhooks.outbound import Outbound

EVENT_NAMES = tuple(e.value for e in EventType)
Created = tuple[Endpoint, str]  # the endpoint, and its secret (shown this once)


def _outbound(ctx: RequestContext) -> Outbound:
    return events_out(ctx, "Webhook endpoints")


async def endpoints_of_account(ctx: RequestContext, account: Company) -> list[Endpoint]:
    """`account` was resolved for this viewer already; the role is checked on the field."""
    return await endpoints.endpoints_of(ctx.services.upstreams.hubspot, account.id)


async def last_attempts(
    ctx: RequestContext, endpoint: Endpoint, count: int
) -> list[attempts.Attempt]:
    outbound = _outbound(ctx)
    uncached.note_call()  # the delivery log is in Redis: no answer built on it is kept
    return await attempts.last(outbound.redis, outbound.prefix, endpoint.id, count)


async def create_endpoint(
    ctx: RequestContext, account: Company, url: str, events: list[str]
) -> WriteResult[Created]:
    outbound = _outbound(ctx)
    problems = await _url_problems(outbound, url) + _event_problems(events)
    if problems:
        return WriteResult(None, problems)
    secret = endpoints.new_secret()
    endpoint = endpoints.new_endpoint(url.strip(), events, outbound.secrets.seal(secret))
    async with _editing(ctx, account) as current:
        if len(current) >= MAX_ENDPOINTS:
            return WriteResult(None, [Problem(None, f"An account has at most {MAX_ENDPOINTS} "
                                                   "webhook endpoints; delete one first.",
                                              ProblemCode.INVALID)])  # fmt: skip
        current.append(endpoint)
    await _audit(ctx, account, f"added the webhook endpoint {endpoint.url}")
    return WriteResult((endpoint, secret))


async def update_endpoint(
    ctx: RequestContext,
    account: Company,
    endpoint_id: str,
    *,
    url: str | None,
    events: list[str] | None,
    enabled: bool | None,
) -> WriteResult[Endpoint]:
    outbound = _outbound(ctx)
    problems = await _url_problems(outbound, url) if url is not None else []
    problems += _event_problems(events) if events is not None else []
    if problems:
        return WriteResult(None, problems)
    async with _editing(ctx, account) as current:
        index = _index(current, endpoint_id)
        found = current[index]
        current[index] = _switched(
            replace(
                found,
                url=url.strip() if url is not None else found.url,
                events=tuple(dict.fromkeys(events)) if events is not None else found.events,
            ),
            enabled,
            by=ctx.require_viewer().email,
        )
    if enabled or current[index].url != found.url:
        # Turned back on, or pointed elsewhere: its run of failures starts again.
        await attempts.reset_failures(outbound.redis, outbound.prefix, endpoint_id)
    await _audit(ctx, account, f"changed the webhook endpoint {current[index].url}")
    return WriteResult(current[index])


async def rotate_secret(ctx: RequestContext, account: Company, endpoint_id: str) -> Created:
    outbound = _outbound(ctx)
    secret = endpoints.new_secret()
    sealed = outbound.secrets.seal(secret)
    async with _editing(ctx, account) as current:
        index = _index(current, endpoint_id)
        current[index] = endpoints.rotated(
            current[index], sealed, now=time.time(), overlap_s=outbound.secret_overlap_s
        )
    await _audit(ctx, account, f"rotated the signing secret of {current[index].url}")
    return current[index], secret


async def delete_endpoint(ctx: RequestContext, account: Company, endpoint_id: str) -> Endpoint:
    outbound = _outbound(ctx)
    async with _editing(ctx, account) as current:
        gone = current.pop(_index(current, endpoint_id))
    await attempts.forget(outbound.redis, outbound.prefix, gone.id)
    await _audit(ctx, account, f"deleted the webhook endpoint {gone.url}")
    return gone


async def send_test(ctx: RequestContext, account: Company, endpoint_id: str) -> str:
    """Queues a `webhook.test` event to the endpoint; returns its id (the `webhook-id`)."""
    outbound = _outbound(ctx)
    found = await endpoints_of_account(ctx, account)
    endpoint = found[_index(found, endpoint_id)]
    event = PortalEvent(
        id=event_id("portal", f"test:{endpoint.id}:{uuid.uuid4()}", TEST_EVENT),
        type=TEST_EVENT,
        account_id=account.id,
        occurred_at=time.time(),
        title="A test event from the client portal",
        path="/settings/webhooks",
        data={"message": "This is a test event; nothing happened."},
    )
    await client_hooks.enqueue_delivery(
        outbound.queue, event, endpoint.id, timeout_s=outbound.hook_timeout_s
    )
    return event.id


@asynccontextmanager
async def _editing(ctx: RequestContext, account: Company) -> AsyncIterator[list[Endpoint]]:
    """The account's endpoints, to change in place; written back when the block ends."""
    outbound = _outbound(ctx)
    http = ctx.services.upstreams.hubspot
    lock = outbound.redis.lock(
        f"{outbound.prefix}lock:webhook-endpoints:{account.id}", timeout=10, blocking_timeout=5
    )
    async with lock:
        before = await endpoints.endpoints_of(http, account.id)
        now = time.time()
        current = [endpoints.without_expired_secret(e, now) for e in before]
        yield current
        if current != before:
            await endpoints.save(http, account.id, current)


def _switched(endpoint: Endpoint, enabled: bool | None, *, by: str) -> Endpoint:
    """Turned on or off as asked; an endpoint off says why (the worker's reason, or who)."""
    if enabled is None or enabled == endpoint.enabled:
        return endpoint
    if enabled:
        return replace(endpoint, enabled=True, disabled_reason=None)
    return endpoints.disabled(endpoint, f"turned off by {by}")


def _index(found: list[Endpoint], endpoint_id: str) -> int:
    for index, endpoint in enumerate(found):
        if endpoint.id == endpoint_id:
            return index
    raise not_found("WebhookEndpoint", endpoint_id)


async def _url_problems(outbound: Outbound, url: str | None) -> list[Problem]:
    try:
        checked = targets.check_url(url or "", allow_loopback=outbound.allow_loopback)
        await targets.check_resolves(checked, allow_loopback=outbound.allow_loopback)
    except targets.TargetRefused as exc:
        return [Problem("url", str(exc), ProblemCode.INVALID)]
    return []


def _event_problems(events: list[str] | None) -> list[Problem]:
    if not events:
        return [Problem("events", "Choose at least one event.", ProblemCode.REQUIRED)]
    unknown = [e for e in events if e not in EVENT_NAMES]
    if unknown:
        return [Problem("events", f"Unknown events: {', '.join(unknown[:5])}. Known: "
                                  f"{', '.join(EVENT_NAMES)}.", ProblemCode.INVALID)]  # fmt: skip
    return []


async def _audit(ctx: RequestContext, account: Company, what: str) -> None:
    await audit.record(ctx, ctx.require_viewer(), account.id, what)
