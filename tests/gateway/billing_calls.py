"""GraphQL calls of billing tests, and Stripe read back through the official SDK."""

from __future__ import annotations

from typing import Any

import stripe

from tests.gateway.conftest import GatewayClient
from tests.gateway.upstream_state import stripe_sdk

PREVIEW = """
mutation ($input: SubscriptionChangeInput!) {
  previewSubscriptionChange(input: $input) {
    preview {
      plan { priceId name perSeat maxQuantity }
      quantity timing effectiveAt prorationDate nextInvoiceAt
      lines { description amount { amount currency } proration periodStart }
      amountDueNow { amount currency decimal }
      nextInvoiceTotal { amount currency decimal }
    }
    userErrors { field message code }
  }
}"""
CHANGE = """
mutation ($input: ChangeSubscriptionInput!) {
  changeSubscription(input: $input) {
    subscription { plan cancelAtPeriodEnd items { priceId quantity }
                   scheduledChange { priceId quantity plan effectiveAt } }
    timing invoiceId
    userErrors { field message code }
  }
}"""


def price_id(urls: dict[str, str], lookup_key: str) -> str:
    return stripe_sdk(urls).v1.prices.list(params={"lookup_keys": [lookup_key]}).data[0].id


def subscription_of(urls: dict[str, str], customer_id: str) -> stripe.Subscription:
    sdk = stripe_sdk(urls)
    return sdk.v1.subscriptions.list(
        params={"customer": customer_id, "expand": ["data.schedule"]}
    ).data[0]


async def preview(client: GatewayClient, person: Any, price: str, quantity: int) -> dict[str, Any]:
    body = await client.query(
        PREVIEW, {"input": {"priceId": price, "quantity": quantity}}, as_=person
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["previewSubscriptionChange"]
    return result


async def change(
    client: GatewayClient, person: Any, price: str, quantity: int, token: str
) -> dict[str, Any]:
    variables = {"input": {"priceId": price, "quantity": quantity, "prorationDate": token}}
    body = await client.query(CHANGE, variables, as_=person)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["changeSubscription"]
    return result
