"""CRM v4 associations: read one record's, batch read (≤1000 records), create default and
labelled associations, remove them, and list the labels between two object types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from sandbox.hubspot.catalog import (
    ASSOCIATION_TYPES,
    ObjectType,
    association_type,
    default_association,
)
from sandbox.hubspot.errors import HubSpotError, json_response
from sandbox.hubspot.inputs import input_id, inputs_of, json_body, json_object, path_type
from sandbox.hubspot.objects_api import state_of
from sandbox.hubspot.records import timestamp
from sandbox.hubspot.state import State

BATCH_LIMIT = 1000
PAGE_LIMIT = 500  # associations per record in one answer
_ONE = "/crm/v4/objects/{objectType}/{objectId}/associations"
_BATCH = "/crm/v4/associations/{fromObjectType}/{toObjectType}"


def add_routes(app: web.Application) -> None:
    app.router.add_get(_ONE + "/{toObjectType}", read_page)
    app.router.add_put(_ONE + "/default/{toObjectType}/{toObjectId}", create_default)
    app.router.add_put(_ONE + "/{toObjectType}/{toObjectId}", create_labelled)
    app.router.add_delete(_ONE + "/{toObjectType}/{toObjectId}", remove)
    app.router.add_post(_BATCH + "/batch/read", batch_read)
    app.router.add_get(_BATCH + "/labels", labels)


async def read_page(request: web.Request) -> web.Response:
    state = state_of(request)
    kind, other = _pair(request, "objectType", "toObjectType")
    object_id = request.match_info["objectId"]
    state.require(kind, object_id)
    limit = _limit(request.query.get("limit"))
    page, following = _page(state, kind, object_id, other, request.query.get("after"), limit)
    body: dict[str, Any] = {"results": page}
    if following is not None:
        link = request.url.update_query(after=following)
        body["paging"] = {"next": {"after": following, "link": str(link)}}
    return json_response(body)


async def batch_read(request: web.Request) -> web.Response:
    state = state_of(request)
    started = state.clock()
    kind, other = _pair(request, "fromObjectType", "toObjectType")
    results, errors = [], []
    for item in inputs_of(await json_object(request), BATCH_LIMIT):
        object_id, after = input_id(item), item.get("after")
        page, following = _page(state, kind, object_id, other, after, PAGE_LIMIT)
        if not page:
            errors.append(_none_found(kind, other, object_id))
            continue
        result: dict[str, Any] = {"from": {"id": object_id}, "to": page}
        if following is not None:
            result["paging"] = {"next": {"after": following}}
        results.append(result)
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": timestamp(started),
        "completedAt": timestamp(state.clock()),
    }
    if errors:
        body.update(numErrors=len(errors), errors=errors)
    return json_response(body, status=207 if errors else 200)


async def create_default(request: web.Request) -> web.Response:
    state = state_of(request)
    started = state.clock()
    kind, other = _pair(request, "objectType", "toObjectType")
    from_id, to_id = request.match_info["objectId"], request.match_info["toObjectId"]
    unlabeled = default_association(kind.name, other.name)
    assert unlabeled is not None  # _pair checked the types may be associated
    state.associate(kind, from_id, other, to_id, unlabeled.type_id)
    both_ways = [(from_id, to_id, unlabeled.type_id), (to_id, from_id, unlabeled.inverse_id)]
    results = [
        {
            "from": {"id": a},
            "to": {"id": b},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": t},
        }
        for a, b, t in both_ways
    ]
    return json_response(
        {
            "status": "COMPLETE",
            "results": results,
            "startedAt": timestamp(started),
            "completedAt": timestamp(state.clock()),
        }
    )


async def create_labelled(request: web.Request) -> web.Response:
    state = state_of(request)
    kind, other = _pair(request, "objectType", "toObjectType")
    from_id, to_id = request.match_info["objectId"], request.match_info["toObjectId"]
    specs = await json_body(request)
    if not isinstance(specs, list) or not specs:
        raise HubSpotError(400, "Invalid input JSON: expected a list of association specs")
    for spec in specs:
        type_id = spec.get("associationTypeId") if isinstance(spec, Mapping) else None
        if not isinstance(type_id, int) or isinstance(type_id, bool):
            raise HubSpotError(400, "each association spec needs an associationTypeId")
        state.associate(kind, from_id, other, to_id, type_id)
    type_ids = dict(state.associations.targets(kind.name, from_id, other.name)).get(to_id, set())
    names = [association_type(kind.name, other.name, i) for i in sorted(type_ids)]
    return json_response(
        {
            "fromObjectTypeId": kind.type_id,
            "fromObjectId": int(from_id),
            "toObjectTypeId": other.type_id,
            "toObjectId": int(to_id),
            "labels": [t.label for t in names if t is not None and t.label is not None],
        },
        status=201,
    )


async def remove(request: web.Request) -> web.Response:
    state = state_of(request)
    kind, other = _pair(request, "objectType", "toObjectType")
    state.dissociate(kind, request.match_info["objectId"], other, request.match_info["toObjectId"])
    return web.Response(status=204)


async def labels(request: web.Request) -> web.Response:
    kind, other = _pair(request, "fromObjectType", "toObjectType")
    found = [a for a in ASSOCIATION_TYPES if (a.from_type, a.to_type) == (kind.name, other.name)]
    return json_response(
        {
            "results": [
                {"category": a.category, "typeId": a.type_id, "label": a.label} for a in found
            ]
        }
    )


def _pair(request: web.Request, from_key: str, to_key: str) -> tuple[ObjectType, ObjectType]:
    kind, other = path_type(request, from_key), path_type(request, to_key)
    if default_association(kind.name, other.name) is None:
        raise HubSpotError(
            400, f"There are no association types between {kind.name} and {other.name}"
        )
    return kind, other


def _page(
    state: State, kind: ObjectType, object_id: str, other: ObjectType, after: Any, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a record's associations to `other`; `after` is the next page's first id."""
    targets = state.associations.targets(kind.name, object_id, other.name)
    if after is not None:
        if not str(after).isdigit():
            raise HubSpotError(400, f"Invalid value for after: {after!r}")
        targets = [t for t in targets if int(t[0]) >= int(after)]
    page = [
        {"toObjectId": int(to_id), "associationTypes": _types(kind, other, type_ids)}
        for to_id, type_ids in targets[:limit]
    ]
    following = targets[limit][0] if len(targets) > limit else None
    return page, following


def _types(kind: ObjectType, other: ObjectType, type_ids: set[int]) -> list[dict[str, Any]]:
    found = (association_type(kind.name, other.name, i) for i in sorted(type_ids))
    return [
        {"category": t.category, "typeId": t.type_id, "label": t.label}
        for t in found
        if t is not None
    ]


def _none_found(kind: ObjectType, other: ObjectType, object_id: str) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
        "message": f"No {other.singular} is associated with {kind.singular} {object_id}.",
        "context": {"fromObjectId": [object_id]},
        "links": {},
        "errors": [],
    }


def _limit(raw: str | None) -> int:
    if raw is None:
        return PAGE_LIMIT
    if not raw.isdigit() or not 0 < int(raw) <= PAGE_LIMIT:
        raise HubSpotError(400, f"limit must be between 1 and {PAGE_LIMIT}")
    return int(raw)
