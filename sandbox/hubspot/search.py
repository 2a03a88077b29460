"""The CRM search API's filters and sorts: `filterGroups` are ORed, the filters in a group
ANDed. String comparisons ignore case, as HubSpot's do; `associations.<type>` filters
match records associated with the given ids."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.hubspot.associations import AssociationStore
from sandbox.hubspot.catalog import ObjectType, object_type
from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.properties import parse_moment
from sandbox.hubspot.records import CrmObject

MAX_GROUPS = 5
MAX_FILTERS = 18  # in all groups together
MAX_LIMIT = 200
MAX_RESULTS = 10_000  # HubSpot pages no further than this

_TOKEN = re.compile(r"[\w@.*-]+", re.UNICODE)

Predicate = Callable[[CrmObject], bool]


@dataclass(frozen=True)
class SearchRequest:
    predicate: Predicate
    sort_key: Callable[[CrmObject], Any]
    descending: bool
    properties: list[str] | None
    limit: int
    offset: int


def parse_search(body: Any, kind: ObjectType, links: AssociationStore) -> SearchRequest:
    if not isinstance(body, Mapping):
        raise HubSpotError(400, "Invalid input JSON: expected an object")
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise HubSpotError(400, f"filterGroups: at most {MAX_GROUPS} groups are allowed")
    filters = [_group_filters(g) for g in groups]
    if sum(len(f) for f in filters) > MAX_FILTERS:
        raise HubSpotError(400, f"at most {MAX_FILTERS} filters are allowed in all groups")
    predicates = [[_predicate(f, kind, links) for f in group] for group in filters]
    query = body.get("query")
    limit = _int(body.get("limit", 10), "limit")
    if not 0 < limit <= MAX_LIMIT:
        raise HubSpotError(400, f"limit must be between 1 and {MAX_LIMIT}")
    offset = _int(body.get("after") or 0, "after")
    if offset + limit > MAX_RESULTS:
        raise HubSpotError(400, f"The search API pages through at most {MAX_RESULTS} results")
    sort_key, descending = _sort(body.get("sorts") or [])

    def matches(record: CrmObject) -> bool:
        in_groups = not predicates or any(all(p(record) for p in g) for g in predicates)
        return in_groups and (not query or _matches_query(record, kind, str(query)))

    properties = body.get("properties")
    if properties is not None and not isinstance(properties, list):
        raise HubSpotError(400, "properties must be a list of property names")
    return SearchRequest(matches, sort_key, descending, properties, limit, offset)


def run_search(request: SearchRequest, records: Iterable[CrmObject]) -> list[CrmObject]:
    found = [r for r in records if request.predicate(r)]
    return sorted(found, key=request.sort_key, reverse=request.descending)


def _group_filters(group: Any) -> list[Mapping[str, Any]]:
    filters = group.get("filters") if isinstance(group, Mapping) else None
    if not isinstance(filters, list) or not all(isinstance(f, Mapping) for f in filters):
        raise HubSpotError(400, "each filter group needs a list of filters")
    return filters


def _predicate(spec: Mapping[str, Any], kind: ObjectType, links: AssociationStore) -> Predicate:
    name, operator = spec.get("propertyName"), spec.get("operator", "EQ")
    if not isinstance(name, str) or not name:
        raise HubSpotError(400, "a filter needs a propertyName")
    if name.startswith("associations."):
        return _association_predicate(name, operator, spec, kind, links)
    test = _OPERATORS.get(str(operator))
    if test is None:
        raise HubSpotError(400, f"Unsupported filter operator: {operator}")
    if operator in ("IN", "NOT_IN"):
        values = spec.get("values")
        if not isinstance(values, list) or not values:
            raise HubSpotError(400, f"{operator} filter on {name} needs `values`")
        wanted: Any = [str(v) for v in values]
    elif operator == "BETWEEN":
        wanted = (str(spec.get("value")), str(spec.get("highValue")))
    else:
        wanted = None if spec.get("value") is None else str(spec.get("value"))
        if wanted is None and operator not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            raise HubSpotError(400, f"{operator} filter on {name} needs a `value`")
    return lambda record: test(record.properties.get(name), wanted)


def _association_predicate(
    name: str, operator: Any, spec: Mapping[str, Any], kind: ObjectType, links: AssociationStore
) -> Predicate:
    other = object_type(name.removeprefix("associations."))
    if other is None or operator not in ("EQ", "IN"):
        raise HubSpotError(400, f"Unsupported association filter: {name} {operator}")
    raw = spec.get("values") if operator == "IN" else [spec.get("value")]
    wanted = {str(v) for v in raw or []}

    def associated(record: CrmObject) -> bool:
        return any(i in wanted for i, _ in links.targets(kind.name, record.id, other.name))

    return associated


def _key(value: str) -> tuple[int, Any]:
    """Orders numbers as numbers, dates as dates, anything else as case-folded text."""
    try:
        return (0, float(value))
    except ValueError:
        pass
    moment = parse_moment(value) if len(value) >= 10 and value[4:5] == "-" else None
    if moment is not None:
        return (0, moment.timestamp() * 1000)
    return (1, value.casefold())


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[str | None, Any], bool]:
    def test(value: str | None, wanted: Any) -> bool:
        if value is None:
            return False
        left, right = _key(value), _key(wanted)
        return left[0] == right[0] and op(left[1], right[1])

    return test


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _TOKEN.findall(text)]


def _contains_token(value: str | None, wanted: Any) -> bool:
    if value is None:
        return False
    pattern = str(wanted).casefold()
    return any(fnmatch.fnmatchcase(t, pattern) for t in [*_tokens(value), value.casefold()])


def _eq(value: str | None, wanted: Any) -> bool:
    return value is not None and _key(value) == _key(wanted)


_OPERATORS: dict[str, Callable[[str | None, Any], bool]] = {
    "EQ": _eq,
    "NEQ": lambda v, w: not _eq(v, w),
    "IN": lambda v, w: any(_eq(v, x) for x in w),
    "NOT_IN": lambda v, w: not any(_eq(v, x) for x in w),
    "GT": _compare(lambda a, b: a > b),
    "GTE": _compare(lambda a, b: a >= b),
    "LT": _compare(lambda a, b: a < b),
    "LTE": _compare(lambda a, b: a <= b),
    "BETWEEN": lambda v, w: (
        _compare(lambda a, b: a >= b)(v, w[0]) and _compare(lambda a, b: a <= b)(v, w[1])
    ),
    "HAS_PROPERTY": lambda v, w: v not in (None, ""),
    "NOT_HAS_PROPERTY": lambda v, w: v in (None, ""),
    "CONTAINS_TOKEN": _contains_token,
    "NOT_CONTAINS_TOKEN": lambda v, w: not _contains_token(v, w),
}


def _sort(sorts: Sequence[Any]) -> tuple[Callable[[CrmObject], Any], bool]:
    """HubSpot sorts by one property; without one, oldest record first."""
    if not isinstance(sorts, list):
        raise HubSpotError(400, "sorts must be a list")
    if not sorts:
        return (lambda r: (r.created_at, int(r.id))), False
    first = sorts[0]
    if isinstance(first, str):
        name, descending = first.removeprefix("-"), first.startswith("-")
    elif isinstance(first, Mapping) and isinstance(first.get("propertyName"), str):
        name, descending = first["propertyName"], first.get("direction") == "DESCENDING"
    else:
        raise HubSpotError(400, "each sort needs a propertyName")

    def key(record: CrmObject) -> tuple[int, Any, int]:
        value = record.properties.get(name)
        # Records without the property come last in ascending order, as in HubSpot.
        rank, sortable = (2, "") if value is None else _key(value)
        return (rank, sortable, int(record.id))

    return key, descending


def _matches_query(record: CrmObject, kind: ObjectType, query: str) -> bool:
    """The free-text `query`: every word prefixes a token of a default property."""
    words = _tokens(query)
    haystack = [t for n in kind.default_properties for t in _tokens(record.properties.get(n) or "")]
    return all(any(t.startswith(w) for t in haystack) for w in words)


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HubSpotError(400, f"{name} must be an integer") from None
