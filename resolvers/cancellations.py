"""Cancelling the subscription (at the period's end with Stripe's `cancellation_details`, or
at once) and resuming it (ADMIN). A planned change is released first: it is moot once the
subscription ends.

Stripe calls: retrieve + update (DELETE when at once), + a schedule release when a change was
planned; the HubSpot note."""

from __future__ import annotations

from cache import scopes
from connectors import stripe_subscriptions
from connectors.http import Rejected
from connectors.stripe import Subscription
from resolvers.idempotency import derived_key
from resolvers.request import audit
from resolvers.request.context import RequestContext
from resolvers.request.user_input import Checks, Problem, ProblemCode
from resolvers.request.writes import WriteResult
from resolvers.subscription_changes import change_target, refused, with_names

MAX_FEEDBACK = 5000  # Stripe's limit on `cancellation_details.comment`


async def cancel(
    ctx: RequestContext,
    account_id: str | None,
    at_period_end: bool,
    reason: str | None,
    feedback: str | None,
) -> WriteResult[Subscription]:
    target = await change_target(ctx, account_id)
    if isinstance(target, Problem):
        return WriteResult(None, [target])
    subscription = target.subscription
    checks = Checks()
    comment = checks.text("feedback", feedback, max_length=MAX_FEEDBACK) or None
    if subscription.cancel_at_period_end and at_period_end:
        checks.add(None, "The subscription is already set to end at the period's end.",
                   ProblemCode.ALREADY_CANCELLED)  # fmt: skip
    if checks.problems:
        return WriteResult(None, checks.problems)
    key = derived_key("cancel", subscription.id, at_period_end, reason, comment,
                      subscription.last_portal_change)  # fmt: skip
    client = ctx.services.upstreams.stripe
    try:
        if subscription.schedule is not None:  # a planned change is moot once it ends
            await stripe_subscriptions.release_schedule(
                client, subscription.schedule.id, f"{key}-release"
            )
        if at_period_end:
            changed = await stripe_subscriptions.set_cancel_at_period_end(
                client, subscription.id, True, key, feedback=reason, comment=comment
            )
        else:
            changed = await stripe_subscriptions.cancel_now(
                client, subscription.id, key, feedback=reason, comment=comment
            )
    except Rejected as exc:
        return WriteResult(None, [refused(exc)])
    finally:
        await ctx.services.cache.invalidate(*scopes.billing(subscription.customer_id))
    if changed.replayed:  # the same request, answered twice: one change, one note
        return WriteResult(await with_names(ctx, changed.subscription))
    when = (
        f"at the period's end ({subscription.current_period_end.date().isoformat()})"
        if at_period_end
        else "at once"
    )
    why = f" (reason: {reason or 'none given'}"
    why += f", feedback: {audit.quoted(comment)})" if comment else ")"
    await audit.record(
        ctx, target.viewer, target.account.id,
        f"cancelled the subscription {subscription.id} {when}{why}",
    )  # fmt: skip
    return WriteResult(await with_names(ctx, changed.subscription))


async def resume(ctx: RequestContext, account_id: str | None) -> WriteResult[Subscription]:
    target = await change_target(ctx, account_id)
    if isinstance(target, Problem):
        return WriteResult(None, [target])
    subscription = target.subscription
    if not subscription.cancel_at_period_end:
        return WriteResult(None, [Problem(
            None, "The subscription is not set to end: there is nothing to resume.",
            ProblemCode.NOT_CANCELLING,
        )])  # fmt: skip
    key = derived_key("resume", subscription.id, subscription.last_portal_change)
    try:
        changed = await stripe_subscriptions.set_cancel_at_period_end(
            ctx.services.upstreams.stripe, subscription.id, False, key
        )
    except Rejected as exc:
        return WriteResult(None, [refused(exc)])
    finally:
        await ctx.services.cache.invalidate(*scopes.billing(subscription.customer_id))
    if not changed.replayed:  # the same request, answered twice: one change, one note
        await audit.record(
            ctx, target.viewer, target.account.id,
            f"resumed the subscription {subscription.id}: it no longer ends at the period's end",
        )  # fmt: skip
    return WriteResult(await with_names(ctx, changed.subscription))
