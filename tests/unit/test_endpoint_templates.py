"""Endpoint templates and cache families: bounded labels whatever the ids
(connectors/telemetry.py, cache/telemetry.py)."""

from __future__ import annotations

import pytest

from cache.telemetry import family
from connectors.telemetry import endpoint_template


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("https://api.hubapi.com/crm/v3/objects/companies/1001?properties=name",
         "/crm/v3/objects/companies/{id}"),
        ("https://api.hubapi.com/crm/v4/objects/companies/1001/associations/contacts",
         "/crm/v4/objects/companies/{id}/associations/contacts"),
        ("https://x.zendesk.com/api/v2/tickets/145/comments.json",
         "/api/v2/tickets/{id}/comments.json"),
        ("https://x.zendesk.com/api/v2/tickets/145.json", "/api/v2/tickets/{id}.json"),
        ("https://api.stripe.com/v1/billing/meters/mtr_61Rx9/event_summaries",
         "/v1/billing/meters/{id}/event_summaries"),
        ("https://api.stripe.com/v1/invoices/in_1LtoGe6briTv6oU6fJ8E8Rihm/pdf",
         "/v1/invoices/{id}/pdf"),
        ("https://www.googleapis.com/drive/v3/files/AbCdEfGhIjKlMnOpQrStUvWxYz?alt=media",
         "/drive/v3/files/{id}"),
    ],
)  # fmt: skip
def test_ids_become_placeholders_and_queries_go(url: str, template: str) -> None:
    assert endpoint_template("any", url) == template


def test_a_vendor_gets_a_bounded_number_of_templates() -> None:
    made = {endpoint_template("runaway", f"https://x/kind{chr(97 + i % 26)}/{'x' * (i // 26)}")
            for i in range(200)}  # fmt: skip
    assert "other" in made
    assert len(made) <= 65


def test_cache_families_drop_the_record() -> None:
    assert family("stripe:invoices:cus_123") == "stripe:invoices"
    assert family("hubspot:company:1001") == "hubspot:company"
    assert family("viewer:2001") == "viewer"
