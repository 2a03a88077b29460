"""CRM v3 objects: read, list, create, update, archive, batch read/create/update/archive and
search, for every object type of the catalog (`/crm/v3/objects/{objectType}...`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from aiohttp import web

from sandbox.hubspot.catalog import (
    AssociationType,
    ObjectType,
    association_type_from,
    object_type,
)
from sandbox.hubspot.errors import HubSpotError, json_response, not_found
from sandbox.hubspot.inputs import (
    input_id,
    inputs_of,
    json_object,
    path_type,
    query_bool,
    query_int,
    query_list,
    string_list,
)
from sandbox.hubspot.properties import clean_properties
from sandbox.hubspot.records import CrmObject, Properties, object_json, timestamp
from sandbox.hubspot.search import parse_search, run_search
from sandbox.hubspot.state import State
from sandbox.upstream import HOLDER

BATCH_LIMIT = 100
LIST_LIMIT = 100
PREFIX = "/crm/v3/objects/{objectType}"


def state_of(request: web.Request) -> State:
    state: State = request.app[HOLDER].state
    return state


def add_routes(app: web.Application) -> None:
    app.router.add_post(PREFIX + "/batch/read", batch_read)
    app.router.add_post(PREFIX + "/batch/create", batch_create)
    app.router.add_post(PREFIX + "/batch/update", batch_update)
    app.router.add_post(PREFIX + "/batch/archive", batch_archive)
    app.router.add_post(PREFIX + "/search", search)
    app.router.add_get(PREFIX, list_objects)
    app.router.add_post(PREFIX, create)
    app.router.add_get(PREFIX + "/{objectId}", read)
    app.router.add_patch(PREFIX + "/{objectId}", update)
    app.router.add_delete(PREFIX + "/{objectId}", archive)


# Single records


async def read(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    object_id = request.match_info["objectId"]
    archived = query_bool(request, "archived")
    record = state.find(kind, object_id, request.query.get("idProperty"), archived=archived)
    if record is None:
        raise not_found(kind.singular, object_id)
    links = _v3_associations(state, kind, record, query_list(request, "associations"))
    return json_response(object_json(record, kind, query_list(request, "properties"), links))


async def list_objects(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    limit = query_int(request, "limit", 10, LIST_LIMIT)
    after = request.query.get("after")
    records = list(state.live(kind, archived=query_bool(request, "archived")))
    start = 0
    if after:
        if not after.isdigit():
            raise HubSpotError(400, f"Invalid value for after: {after!r}")
        start = next((i for i, r in enumerate(records) if int(r.id) >= int(after)), len(records))
    page = records[start : start + limit]
    properties, names = query_list(request, "properties"), query_list(request, "associations")
    body: dict[str, Any] = {
        "results": [
            object_json(r, kind, properties, _v3_associations(state, kind, r, names)) for r in page
        ]
    }
    if start + limit < len(records):
        following = records[start + limit].id
        link = request.url.update_query(after=following)
        body["paging"] = {"next": {"after": following, "link": str(link)}}
    return json_response(body)


async def create(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    body = await json_object(request)
    properties = clean_properties(kind, body.get("properties", {}))
    links = _planned_links(state, kind, body)
    record = state.create(kind, properties)
    _link(state, kind, record.id, links)
    return json_response(object_json(record, kind, list(properties)), status=201)


async def update(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    object_id = request.match_info["objectId"]
    body = await json_object(request)
    properties = clean_properties(kind, body.get("properties", {}))
    record = state.find(kind, object_id, request.query.get("idProperty"))
    if record is None:
        raise not_found(kind.singular, object_id)
    state.update(kind, record.id, properties)
    return json_response(object_json(record, kind, list(properties)))


async def archive(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    record = state.get(kind, request.match_info["objectId"])
    if record is not None:  # HubSpot answers 204 for an id that is already gone
        state.archive(kind, record.id)
    return web.Response(status=204)


# Batches


async def batch_read(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    started = state.clock()
    body = await json_object(request)
    inputs = inputs_of(body, BATCH_LIMIT)
    properties = string_list(body.get("properties"), "properties")
    id_property = body.get("idProperty")
    archived = query_bool(request, "archived")
    found: dict[str, CrmObject] = {}
    missing: list[str] = []
    for value in dict.fromkeys(input_id(i) for i in inputs):
        record = state.find(kind, value, id_property, archived=archived)
        if record is None:
            missing.append(value)
        else:
            found.setdefault(record.id, record)
    results = [object_json(r, kind, properties) for r in found.values()]
    errors = [_missing_error(kind, missing)] if missing else []
    return _batch_response(state, results, errors, started)


async def batch_create(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    started = state.clock()
    inputs = inputs_of(await json_object(request), BATCH_LIMIT)
    planned = [
        (clean_properties(kind, i.get("properties", {})), _planned_links(state, kind, i))
        for i in inputs
    ]
    results = []
    for properties, links in planned:
        record = state.create(kind, properties)
        _link(state, kind, record.id, links)
        results.append(object_json(record, kind, list(properties)))
    return _batch_response(state, results, [], started, ok_status=201)


async def batch_update(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    started = state.clock()
    inputs = inputs_of(await json_object(request), BATCH_LIMIT)
    ids = [input_id(i) for i in inputs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise HubSpotError(400, f"Duplicate IDs found in batch input: {duplicates}")
    changes: list[tuple[CrmObject, Properties]] = []
    missing: list[str] = []
    for item, value in zip(inputs, ids, strict=True):
        properties = clean_properties(kind, item.get("properties", {}))
        record = state.find(kind, value, item.get("idProperty"))
        if record is None:
            missing.append(value)
        else:
            changes.append((record, properties))
    results = [
        object_json(state.update(kind, r.id, props), kind, list(props)) for r, props in changes
    ]
    errors = [_missing_error(kind, missing)] if missing else []
    return _batch_response(state, results, errors, started)


async def batch_archive(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    for value in [input_id(i) for i in inputs_of(await json_object(request), BATCH_LIMIT)]:
        if state.get(kind, value) is not None:
            state.archive(kind, value)
    return web.Response(status=204)


async def search(request: web.Request) -> web.Response:
    kind, state = path_type(request), state_of(request)
    query = parse_search(await json_object(request), kind, state.associations)
    found = run_search(query, state.live(kind))
    page = found[query.offset : query.offset + query.limit]
    body: dict[str, Any] = {
        "total": len(found),
        "results": [object_json(r, kind, query.properties) for r in page],
    }
    if query.offset + query.limit < len(found):
        body["paging"] = {"next": {"after": str(query.offset + query.limit)}}
    return json_response(body)


# Helpers


def _batch_response(
    state: State,
    results: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    started: datetime,
    ok_status: int = 200,
) -> web.Response:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": timestamp(started),
        "completedAt": timestamp(state.clock()),
    }
    if errors:
        body.update(numErrors=len(errors), errors=errors)
    return json_response(body, status=207 if errors else ok_status)


def _missing_error(kind: ObjectType, ids: Sequence[str]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": f"Could not get some {kind.upper} objects, they may be deleted or not "
        "exist. Check that ids are valid.",
        "context": {"ids": list(ids)},
        "links": {},
        "errors": [],
    }


def _v3_associations(
    state: State, kind: ObjectType, record: CrmObject, names: Sequence[str] | None
) -> dict[str, Any]:
    """The v3 `associations` of a read: one result per associated record and type."""
    links: dict[str, Any] = {}
    for name in names or ():
        other = object_type(name)
        if other is None:
            continue
        results = [
            {"id": to_id, "type": t.v3_name}
            for to_id, type_ids in state.associations.targets(kind.name, record.id, other.name)
            for t in _known_types(kind, other, type_ids)
        ]
        if results:
            links[other.name] = {"results": results}
    return links


def _known_types(kind: ObjectType, other: ObjectType, type_ids: set[int]) -> list[AssociationType]:
    found = (association_type_from(kind.name, i) for i in sorted(type_ids))
    return [t for t in found if t is not None and t.to_type == other.name]


_Link = tuple[ObjectType, str, int]


def _planned_links(state: State, kind: ObjectType, item: Mapping[str, Any]) -> list[_Link]:
    """The `associations` of a create, checked before anything is written."""
    raw = item.get("associations")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise HubSpotError(400, "Invalid input JSON: `associations` must be a list")
    links: list[_Link] = []
    for item in raw:
        to = item.get("to") if isinstance(item, Mapping) else None
        types = item.get("types") if isinstance(item, Mapping) else None
        if not isinstance(to, Mapping) or not isinstance(types, list):
            raise HubSpotError(400, "each association needs `to` and `types`")
        to_id = input_id(to)
        for spec in types:
            link = _link_type(kind, spec)
            other = object_type(link.to_type)
            assert other is not None
            state.require(other, to_id)
            links.append((other, to_id, link.type_id))
    return links


def _link_type(kind: ObjectType, spec: Any) -> AssociationType:
    type_id = spec.get("associationTypeId") if isinstance(spec, Mapping) else None
    found = association_type_from(kind.name, type_id) if isinstance(type_id, int) else None
    if found is None:
        raise HubSpotError(400, f"{type_id} is not a valid association type for {kind.name}")
    return found


def _link(state: State, kind: ObjectType, object_id: str, links: list[_Link]) -> None:
    for other, to_id, type_id in links:
        state.associate(kind, object_id, other, to_id, type_id)
