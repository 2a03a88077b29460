"""What a vendor event says happened, before the account it belongs to is known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from webhooks.events.types import EventType, PortalEvent, event_id


@dataclass(frozen=True)
class Owner:
    """How to find the account: a company property holding the vendor's id
    (e.g. `stripe_customer_id` = cus_…), or the company itself (`company`)."""

    property: str
    value: str


@dataclass(frozen=True)
class Derived:
    type: EventType
    source: str  # the vendor
    source_id: str  # the vendor's event id
    owner: Owner
    occurred_at: float
    title: str
    path: str | Callable[[str], str]  # a path, or one made from the account's id
    data: dict[str, Any] = field(default_factory=dict)

    def for_account(self, account_id: str) -> PortalEvent:
        return PortalEvent(
            id=event_id(self.source, f"{self.source_id}:{account_id}", self.type.value),
            type=self.type.value,
            account_id=account_id,
            occurred_at=self.occurred_at,
            title=self.title,
            path=self.path if isinstance(self.path, str) else self.path(account_id),
            data=self.data,
        )
