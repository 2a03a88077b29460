"""A subset of Zendesk's search language, over the sandbox's tickets, users, organizations
and groups.

Supported: `type:` (ticket, user, organization, group); for tickets `organization:`,
`requester:`, `assignee:`, `submitter:`, `group:` (id, email or name, or `none`), `status`,
`priority` (with `:`, `<`, `>`, `<=`, `>=`), `ticket_type:`, `tags:`/`tag:`, `subject:`,
`description:`, `created`/`updated` (a date `2026-01-31`, a time `2026-01-31T10:00:00Z` or a
relative `4hours`, `2days`, `1weeks`... meaning that long before now); for users `email:`,
`name:`, `role:`, `organization:`; for organizations and groups `name:`. A leading `-`
negates a term, double quotes group words, other words are matched in the text.
Sorting: `sort_by` created_at, updated_at, priority, status or ticket_type; `sort_order` asc
or desc (default desc). Without `sort_by` results come most recently updated first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.zendesk.errors import Json, search_invalid
from sandbox.zendesk.state import PRIORITIES, STATUSES, ZendeskState, parse_iso

RESULT_TYPES = ("ticket", "user", "organization", "group")
SORTS = ("created_at", "updated_at", "priority", "status", "ticket_type")
_TERM = re.compile(r'(-)?(?:([a-z_]+)(<=|>=|:|<|>))?("([^"]*)"?|[^\s"]+)', re.IGNORECASE)
_RELATIVE = re.compile(r"^(\d+)(minute|hour|day|week|month|year)s?$")
_UNIT = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
    "year": timedelta(days=365),
}


@dataclass(frozen=True)
class Term:
    keyword: str | None  # None for free text
    op: str
    value: str
    negated: bool


@dataclass(frozen=True)
class Hit:
    result_type: str
    record: Json


def parse(query: str) -> list[Term]:
    terms = []
    for match in _TERM.finditer(query):
        negated, keyword, op, raw, quoted = match.groups()
        value = quoted if quoted is not None else raw
        keyword = keyword.lower() if keyword else None
        terms.append(Term(keyword, op or ":", value, bool(negated)))
    return terms


def search(state: ZendeskState, query: str) -> list[Hit]:
    terms = parse(query)
    types = {t.value.lower() for t in terms if t.keyword == "type" and not t.negated}
    unknown = types - set(RESULT_TYPES)
    if unknown:
        raise search_invalid(f"Invalid search: unknown type {sorted(unknown)[0]}")
    wanted = [t for t in RESULT_TYPES if not types or t in types]
    filters = [t for t in terms if t.keyword != "type"]
    now = state.current_time()
    hits: list[Hit] = []
    for result_type in wanted:
        match = _MATCHERS[result_type]
        for record in _candidates(state, result_type, filters):
            if all(match(state, record, term, now) != term.negated for term in filters):
                hits.append(Hit(result_type, record))
    return hits


def match_users(state: ZendeskState, query: str) -> list[Json]:
    """Users search (`/users/search?query=`): `email:`, `name:`, `role:`, `organization:`
    or words in the name and email."""
    terms = parse(query)
    now = state.current_time()
    emails = [t.value for t in terms if t.keyword == "email" and not t.negated]
    candidates: Iterable[Json] = state.users.values()
    if emails:  # the email index makes the portal's lookup O(1)
        found = state.user_by_email(emails[0])
        candidates = [found] if found else []
    return [
        user
        for user in candidates
        if all(_match_user(state, user, term, now) != term.negated for term in terms)
    ]


def sort_hits(hits: list[Hit], sort_by: str | None, sort_order: str | None) -> list[Hit]:
    descending = (sort_order or "desc").lower() != "asc"
    field = sort_by if sort_by in SORTS else None
    if field is None:
        return sorted(hits, key=lambda h: (h.record["updated_at"], h.record["id"]), reverse=True)
    return sorted(hits, key=lambda h: _sort_key(h.record, field), reverse=descending)


def _sort_key(record: Json, field: str) -> tuple[Any, ...]:
    if field == "status":
        status = record.get("status")
        value: Any = STATUSES.index(status) if status in STATUSES else -1
    elif field == "priority":
        priority = record.get("priority")
        value = PRIORITIES.index(priority) if priority in PRIORITIES else -1
    elif field == "ticket_type":
        value = record.get("type") or ""
    else:
        value = record[field]
    return (value, record["id"])


def _candidates(state: ZendeskState, result_type: str, filters: list[Term]) -> Iterable[Json]:
    if result_type == "ticket":
        # The organization index keeps a scoped search O(organization), not O(account).
        for term in filters:
            if term.keyword == "organization" and not term.negated and term.value.isdigit():
                return [state.tickets[i] for i in state.tickets_of(int(term.value))]
        return state.tickets.values()
    if result_type == "user":
        return state.users.values()
    if result_type == "organization":
        return state.organizations.values()
    return state.groups.values()


# -- matching ----------------------------------------------------------------------------


Matcher = Callable[[ZendeskState, Json, Term, datetime], bool]


def _match_ticket(state: ZendeskState, ticket: Json, term: Term, now: datetime) -> bool:
    key, value = term.keyword, term.value
    if key is None:
        return _contains(value, ticket["subject"], ticket["description"], *ticket["tags"])
    if key == "status":
        return _ordinal(STATUSES, ticket["status"], term)
    if key == "priority":
        return _ordinal(PRIORITIES, ticket["priority"], term)
    if key == "ticket_type":
        return _equals_or_none(ticket["type"], value)
    if key in ("tags", "tag"):
        return value.lower() in ticket["tags"]
    if key in ("subject", "description"):
        return _contains(value, ticket[key])
    if key in ("organization", "requester", "assignee", "submitter", "group"):
        return _refers_to(state, key, ticket[f"{key}_id"], value)
    if key in ("created", "updated"):
        return _compare_time(ticket[f"{key}_at"], term, now)
    return _contains(f"{key}:{value}", ticket["subject"], ticket["description"])


def _match_user(state: ZendeskState, user: Json, term: Term, now: datetime) -> bool:
    key, value = term.keyword, term.value
    if key is None:
        return _contains(value, user["name"], user["email"])
    if key == "email":
        return (user["email"] or "").casefold() == value.casefold()
    if key == "name":
        return _contains(value, user["name"])
    if key == "role":
        return bool(user["role"] == value.lower())
    if key == "organization":
        return _refers_to(state, key, user["organization_id"], value)
    if key in ("created", "updated"):
        return _compare_time(user[f"{key}_at"], term, now)
    return False


def _match_named(state: ZendeskState, record: Json, term: Term, now: datetime) -> bool:
    key, value = term.keyword, term.value
    if key is None:
        return _contains(value, record["name"])
    if key == "name":
        return bool(record["name"].casefold() == value.casefold())
    if key in ("created", "updated"):
        return _compare_time(record[f"{key}_at"], term, now)
    return False


_MATCHERS: dict[str, Matcher] = {
    "ticket": _match_ticket,
    "user": _match_user,
    "organization": _match_named,
    "group": _match_named,
}


def _contains(needle: str, *haystacks: str | None) -> bool:
    folded = needle.casefold()
    return any(folded in (h or "").casefold() for h in haystacks)


def _equals_or_none(actual: str | None, value: str) -> bool:
    return actual is None if value.lower() == "none" else actual == value.lower()


def _ordinal(scale: tuple[str, ...], actual: str | None, term: Term) -> bool:
    wanted = term.value.lower()
    if wanted == "none" and term.op == ":":
        return actual is None
    if wanted not in scale:
        raise search_invalid(f"Invalid search: {term.keyword} {term.value} is not valid")
    if actual is None:
        return False
    a, w = scale.index(actual), scale.index(wanted)
    return {":": a == w, "<": a < w, ">": a > w, "<=": a <= w, ">=": a >= w}[term.op]


def _refers_to(state: ZendeskState, key: str, record_id: int | None, value: str) -> bool:
    if value.lower() == "none":
        return record_id is None
    if record_id is None:
        return False
    if value.isdigit():
        return record_id == int(value)
    if key == "organization":
        return _contains_exact(state.organizations.get(record_id), value)
    if key == "group":
        return _contains_exact(state.groups.get(record_id), value)
    user = state.users.get(record_id)
    if user is None:
        return False
    return value.casefold() in ((user["email"] or "").casefold(), user["name"].casefold())


def _contains_exact(record: Json | None, name: str) -> bool:
    return record is not None and record["name"].casefold() == name.casefold()


def _compare_time(stamp: str, term: Term, now: datetime) -> bool:
    low, high = _interval(term.value, now)
    moment = parse_iso(stamp)
    return {
        ":": low <= moment < high,
        "<": moment < low,
        "<=": moment < high,
        ">": moment >= high,
        ">=": moment >= low,
    }[term.op]


def _interval(value: str, now: datetime) -> tuple[datetime, datetime]:
    """The span a date value names: a whole day, a second, or the instant `N units` ago."""
    text = value.strip().lower()
    relative = _RELATIVE.match(text)
    if relative:
        moment = now - int(relative.group(1)) * _UNIT[relative.group(2)]
        return moment, moment
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return day, day + timedelta(days=1)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise search_invalid(f"Invalid search: {value} is not a valid date") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, moment + timedelta(seconds=1)
