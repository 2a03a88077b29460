"""Reading what a request carries: path object types, query lists and numbers, JSON bodies;
anything malformed is HubSpot's 400."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from sandbox.hubspot.catalog import ObjectType, object_type
from sandbox.hubspot.errors import HubSpotError


def path_type(request: web.Request, key: str = "objectType") -> ObjectType:
    alias = request.match_info[key]
    kind = object_type(alias)
    if kind is None:
        raise HubSpotError(400, f"Unable to infer object type from: {alias}")
    return kind


def query_list(request: web.Request, name: str) -> list[str] | None:
    """A list parameter, repeated (`?p=a&p=b`) or comma-separated (`?p=a,b`)."""
    values = request.query.getall(name, [])
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def query_int(request: web.Request, name: str, default: int, maximum: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HubSpotError(400, f"Invalid value for {name}: {raw!r} is not an integer") from None
    if not 0 < value <= maximum:
        raise HubSpotError(400, f"{name} must be between 1 and {maximum}")
    return value


def query_bool(request: web.Request, name: str) -> bool:
    return request.query.get(name, "false").lower() == "true"


async def json_object(request: web.Request) -> Mapping[str, Any]:
    body = await json_body(request)
    if not isinstance(body, Mapping):
        raise HubSpotError(400, "Invalid input JSON: expected an object")
    return body


async def json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw:
        raise HubSpotError(400, "Invalid input JSON: the request body is empty")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise HubSpotError(400, f"Invalid input JSON on line 1: {exc}") from None


def inputs_of(body: Mapping[str, Any], maximum: int) -> list[Mapping[str, Any]]:
    """A batch request's `inputs`, each an object, no more than `maximum` of them."""
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, Mapping) for i in inputs):
        raise HubSpotError(400, "Invalid input JSON: `inputs` must be a list of objects")
    if len(inputs) > maximum:
        raise HubSpotError(400, f"Batch input must contain at most {maximum} inputs")
    return inputs


def string_list(value: Any, name: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise HubSpotError(400, f"Invalid input JSON: `{name}` must be a list of strings")
    return value


def input_id(item: Mapping[str, Any]) -> str:
    value = item.get("id")
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        raise HubSpotError(400, "Invalid input JSON: every input needs an `id`")
    return str(value)
