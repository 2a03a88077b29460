"""Odd records planted in a vendor's answers: a field set to another value (null, a wrong
type, an unknown enum value, a 64-bit id) or left out, on every object the vendor sends with
that id. Vendors do send such records (nulls their references allow, fields added or
dropped over the years); tests plant them to check that one odd record fails only itself."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class OddRecords:
    # record id (as a string) → (fields to set, fields to leave out)
    planted: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = field(default_factory=dict)

    def plant(self, body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("id"), str | int):
            raise ValueError('send {"id": ..., "set": {...}, "remove": [...]}')
        changes, removed = body.get("set") or {}, body.get("remove") or []
        if not isinstance(changes, dict) or not isinstance(removed, list):
            raise ValueError("`set` is an object, `remove` a list of field names")
        self.planted[str(body["id"])] = (changes, tuple(str(name) for name in removed))

    def applied(self, response: web.StreamResponse) -> web.StreamResponse:
        """The response with the planted changes, when it is JSON that holds such a record."""
        if not self.planted or not isinstance(response, web.Response):
            return response
        if response.content_type != "application/json" or response.body is None:
            return response
        assert isinstance(response.body, bytes)
        data = json.loads(response.body)
        if not self._rewrite(data):
            return response
        return web.Response(
            status=response.status, text=json.dumps(data), content_type="application/json",
            headers={k: v for k, v in response.headers.items() if k.lower() not in _RECOMPUTED},
        )  # fmt: skip

    def _rewrite(self, value: Any) -> bool:
        changed = False
        if isinstance(value, list):
            for item in value:
                changed = self._rewrite(item) or changed
        elif isinstance(value, dict):
            for item in value.values():
                changed = self._rewrite(item) or changed
            planted = self.planted.get(str(value.get("id")))
            if planted is not None:
                changes, removed = planted
                value.update(changes)
                for name in removed:
                    value.pop(name, None)
                changed = True
        return changed


_RECOMPUTED = {"content-length", "content-type", "content-encoding"}
