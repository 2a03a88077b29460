"""Client webhook endpoints (ADMIN): the type with its delivery log, and the mutations to
create, change, rotate the secret of, test and delete them. Secrets are shown once."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import strawberry

from auth.permissions import MANAGE_WEBHOOK_ENDPOINTS
from resolvers import webhook_endpoints as hooks
from resolvers.accounts import account_or_primary
from resolvers.request.writes import WriteResult
from schema.context import Info
from schema.roles import allowed_to
from schema.user_errors import UserError, user_errors
from webhooks.delivery.attempts import Attempt
from webhooks.delivery.endpoints import Endpoint


@strawberry.type(description="One attempt to deliver an event to an endpoint.")
class WebhookDeliveryAttempt:
    event_id: str = strawberry.field(description="The `webhook-id` header sent.")
    event_type: str
    attempt: int
    at: datetime
    status: int | None = strawberry.field(description="The HTTP status; null: no answer.")
    latency_ms: float
    response: str = strawberry.field(description="The answer's first 500 characters, or why none.")
    delivered: bool

    @classmethod
    def from_upstream(cls, found: Attempt) -> WebhookDeliveryAttempt:
        return cls(
            event_id=found.event_id,
            event_type=found.event_type,
            attempt=found.attempt,
            at=datetime.fromtimestamp(found.at, UTC),
            status=found.status,
            latency_ms=found.latency_ms,
            response=found.response,
            delivered=found.delivered,
        )


@strawberry.type(description="Where the account's systems receive portal events, signed.")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = strawberry.field(
        description="Why the endpoint is off: a run of failed deliveries, or who turned it off."
    )
    created_at: datetime
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="After `rotateWebhookSecret`: until when deliveries are signed with the "
        "previous secret too (a second signature in `webhook-signature`). Null when only the "
        "current secret signs."
    )
    record: strawberry.Private[Endpoint]

    @classmethod
    def from_upstream(cls, found: Endpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(found.id),
            url=found.url,
            events=list(found.events),
            enabled=found.enabled,
            disabled_reason=found.disabled_reason,
            created_at=datetime.fromtimestamp(found.created_at, UTC),
            previous_secret_expires_at=_moment(found.previous_secret_signs_until(time.time())),
            record=found,
        )

    @strawberry.field(description="The last delivery attempts, newest first (at most 50).")
    async def deliveries(self, info: Info, last: int = 20) -> list[WebhookDeliveryAttempt]:
        found = await hooks.last_attempts(info.context, self.record, max(0, min(last, 50)))
        return [WebhookDeliveryAttempt.from_upstream(a) for a in found]


def _moment(unix_time: float | None) -> datetime | None:
    return None if unix_time is None else datetime.fromtimestamp(unix_time, UTC)


@strawberry.type
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None
    user_errors: list[UserError]


@strawberry.type
class WebhookSecretPayload:
    webhook_endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…), for the `standardwebhooks` libraries. "
        "Shown this once only."
    )
    user_errors: list[UserError]


@strawberry.type
class SendTestWebhookPayload:
    event_id: str = strawberry.field(description="The `webhook-id` the test delivery carries.")


def _endpoint_payload(result: WriteResult[Endpoint]) -> WebhookEndpointPayload:
    endpoint = WebhookEndpoint.from_upstream(result.record) if result.record else None
    return WebhookEndpointPayload(
        webhook_endpoint=endpoint, user_errors=user_errors(result.problems)
    )


def _secret_payload(result: WriteResult[hooks.Created]) -> WebhookSecretPayload:
    endpoint, secret = result.record if result.record else (None, None)
    return WebhookSecretPayload(
        webhook_endpoint=WebhookEndpoint.from_upstream(endpoint) if endpoint else None,
        secret=secret,
        user_errors=user_errors(result.problems),
    )


@strawberry.type
class WebhookEndpointMutations:
    @strawberry.mutation(
        description="ADMIN only: a new endpoint; its secret is shown once.",
        extensions=allowed_to(MANAGE_WEBHOOK_ENDPOINTS),
    )
    async def create_webhook_endpoint(
        self, info: Info, url: str, events: list[str], account_id: strawberry.ID | None = None
    ) -> WebhookSecretPayload:
        account = await account_or_primary(info.context, account_id)
        return _secret_payload(await hooks.create_endpoint(info.context, account, url, events))

    @strawberry.mutation(
        description="ADMIN only: change the URL or events; turn off or on. Turning it on, or "
        "a new URL, starts its count of failures in a row from zero.",
        extensions=allowed_to(MANAGE_WEBHOOK_ENDPOINTS),
    )
    async def update_webhook_endpoint(
        self,
        info: Info,
        id: strawberry.ID,
        url: str | None = None,
        events: list[str] | None = None,
        enabled: bool | None = None,
        account_id: strawberry.ID | None = None,
    ) -> WebhookEndpointPayload:
        account = await account_or_primary(info.context, account_id)
        result = await hooks.update_endpoint(
            info.context, account, id, url=url, events=events, enabled=enabled
        )
        return _endpoint_payload(result)

    @strawberry.mutation(
        description="ADMIN only: a new signing secret, shown once. The previous secret keeps "
        "signing for 24 hours (`PORTAL_WEBHOOK_SECRET_OVERLAP_S`; see "
        "`previousSecretExpiresAt`): meanwhile each delivery's `webhook-signature` carries two "
        "signatures, by the new secret and by the old, so a receiver verifying with either "
        "accepts it and can switch secrets without losing a delivery. After that only the new "
        "secret signs. Rotating again within that time ends the older secret at once.",
        extensions=allowed_to(MANAGE_WEBHOOK_ENDPOINTS),
    )
    async def rotate_webhook_secret(
        self, info: Info, id: strawberry.ID, account_id: strawberry.ID | None = None
    ) -> WebhookSecretPayload:
        account = await account_or_primary(info.context, account_id)
        return _secret_payload(WriteResult(await hooks.rotate_secret(info.context, account, id)))

    @strawberry.mutation(
        description="ADMIN only: queue a `webhook.test` event to the endpoint.",
        extensions=allowed_to(MANAGE_WEBHOOK_ENDPOINTS),
    )
    async def send_test_webhook(
        self, info: Info, id: strawberry.ID, account_id: strawberry.ID | None = None
    ) -> SendTestWebhookPayload:
        account = await account_or_primary(info.context, account_id)
        return SendTestWebhookPayload(event_id=await hooks.send_test(info.context, account, id))

    @strawberry.mutation(
        description="ADMIN only: the endpoint and its delivery log go.",
        extensions=allowed_to(MANAGE_WEBHOOK_ENDPOINTS),
    )
    async def delete_webhook_endpoint(
        self, info: Info, id: strawberry.ID, account_id: strawberry.ID | None = None
    ) -> WebhookEndpointPayload:
        account = await account_or_primary(info.context, account_id)
        gone = await hooks.delete_endpoint(info.context, account, id)
        return WebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_upstream(gone), user_errors=[]
        )
