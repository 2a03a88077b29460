"""The Zendesk sandbox's mutable data: records in Zendesk's own JSON shape, their indexes,
and the one place every change goes through (`changed`), for the webhooks to come."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.zendesk.errors import Json

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_TYPES = ("question", "incident", "problem", "task")

SortKey = tuple[Any, int]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Change:
    kind: str  # ticket, comment, user
    id: int
    action: str  # created, updated
    at: str


def _sort_value(ticket: Json, name: str) -> Any:
    if name == "status":
        return STATUSES.index(ticket["status"])
    if name == "priority":
        priority = ticket["priority"]
        return PRIORITIES.index(priority) + 1 if priority else 0
    if name == "subject":
        return (ticket["subject"] or "").casefold()
    return ticket[name]


TICKET_SORTS = ("id", "created_at", "updated_at", "status", "priority", "subject")


@dataclass
class ZendeskState:
    now: datetime  # the seed's "now": no write is stamped earlier than this
    organizations: dict[int, Json] = field(default_factory=dict)
    users: dict[int, Json] = field(default_factory=dict)
    groups: dict[int, Json] = field(default_factory=dict)
    tickets: dict[int, Json] = field(default_factory=dict)
    comments: dict[int, list[Json]] = field(default_factory=dict)  # by ticket, oldest first
    memberships: dict[int, list[int]] = field(default_factory=dict)  # user -> organizations
    integration_user_id: int = 0  # the agent behind API calls whose email is no user
    changes: list[Change] = field(default_factory=list)
    next_ids: dict[str, int] = field(default_factory=dict)
    _tickets_by_org: dict[int, list[int]] = field(default_factory=dict)
    _users_by_email: dict[str, int] = field(default_factory=dict)
    _orders: dict[tuple[int | None, str], list[SortKey]] = field(default_factory=dict)
    _last_tick: datetime | None = None

    # -- time and ids ------------------------------------------------------------------

    def current_time(self) -> datetime:
        wall = datetime.now(UTC).replace(microsecond=0)
        return max(wall, self._last_tick or self.now)

    def tick(self) -> datetime:
        """The timestamp of a write: never before the seed's now, one second apart at least,
        so a write always sorts as the latest update."""
        last = self._last_tick or self.now
        moment = max(datetime.now(UTC).replace(microsecond=0), last + timedelta(seconds=1))
        self._last_tick = moment
        return moment

    def new_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    # -- reads ---------------------------------------------------------------------------

    def tickets_of(self, organization_id: int) -> list[int]:
        return self._tickets_by_org.get(organization_id, [])

    def user_by_email(self, email: str) -> Json | None:
        user_id = self._users_by_email.get(email.casefold())
        return self.users[user_id] if user_id is not None else None

    def agent_ids(self) -> set[int]:
        return {uid for uid, user in self.users.items() if user["role"] in ("agent", "admin")}

    def ticket_order(self, organization_id: int | None, sort: str) -> list[SortKey]:
        """(sort value, id) of the organization's tickets (all, for None), ascending; cached
        until the next ticket write."""
        key = (organization_id, sort)
        order = self._orders.get(key)
        if order is None:
            ids = self.tickets if organization_id is None else self.tickets_of(organization_id)
            order = sorted((_sort_value(self.tickets[i], sort), i) for i in ids)
            self._orders[key] = order
        return order

    # -- writes ----------------------------------------------------------------------------

    def changed(self, kind: str, record_id: int, action: str) -> None:
        """Every API write and admin change ends here."""
        self.changes.append(Change(kind, record_id, action, iso(self.current_time())))

    def load_ticket(self, ticket: Json, comments: list[Json]) -> None:
        """Stores a ticket without recording a change (the seed)."""
        self.tickets[ticket["id"]] = ticket
        self.comments[ticket["id"]] = comments
        if ticket["organization_id"] is not None:
            self._tickets_by_org.setdefault(ticket["organization_id"], []).append(ticket["id"])
        self._orders.clear()

    def load_user(self, user: Json, organization_ids: list[int]) -> None:
        self.users[user["id"]] = user
        self.memberships[user["id"]] = organization_ids
        if user["email"]:
            self._users_by_email[user["email"].casefold()] = user["id"]

    def save_ticket(self, ticket: Json, action: str) -> None:
        """Stores a new or updated ticket (a ticket never moves to another organization)."""
        if ticket["id"] in self.tickets:
            self.tickets[ticket["id"]] = ticket
            self._orders.clear()
        else:
            self.load_ticket(ticket, [])
        self.changed("ticket", ticket["id"], action)

    def save_comment(self, ticket_id: int, comment: Json) -> None:
        self.comments[ticket_id].append(comment)
        self.changed("comment", comment["id"], "created")

    def save_user(self, user: Json, organization_ids: list[int], action: str) -> None:
        previous = self.users.get(user["id"])
        if previous is not None and previous["email"]:
            self._users_by_email.pop(previous["email"].casefold(), None)
        self.load_user(user, organization_ids)
        self.changed("user", user["id"], action)
