"""JSON for cached values in a shared store.

A shared store is written by every replica, so reading from it must never run arbitrary
code: no pickle. Values are our own records (frozen dataclasses), enums, dates, tuples,
lists, string-keyed dicts and JSON scalars; a record or enum is tagged with a name and
rebuilt only if that name is registered. JSON, not msgpack: no extra dependency, values
stay readable in `redis-cli`, and our records are small.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any


class CodecError(ValueError):
    """A value of a type the codec does not know, or bytes it did not write."""


class Codec:
    def __init__(self, types: Iterable[type]) -> None:
        self._types = {_name(t): t for t in types}

    def dumps(self, value: Any) -> bytes:
        return json.dumps(self.to_json(value), separators=(",", ":")).encode()

    def loads(self, raw: bytes | str) -> Any:
        try:
            return self.from_json(json.loads(raw))
        except ValueError as exc:
            raise CodecError(f"undecodable cache value: {exc}") from exc

    def to_json(self, value: Any) -> Any:
        """`value` as plain JSON data (tagged where JSON has no such type)."""
        return self._encode(value)

    def from_json(self, data: Any) -> Any:
        try:
            return self._decode(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise CodecError(f"undecodable cache value: {exc}") from exc

    def _encode(self, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, Enum):
            return {"$e": self._registered(type(value)), "v": value.value}
        if isinstance(value, str):
            return value
        if isinstance(value, datetime):
            return {"$dt": value.isoformat()}
        if isinstance(value, date):
            return {"$d": value.isoformat()}
        if isinstance(value, tuple):
            return {"$t": [self._encode(v) for v in value]}
        if isinstance(value, list):
            return [self._encode(v) for v in value]
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"$m": {k: self._encode(v) for k, v in value.items()}}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = {
                f.name: self._encode(getattr(value, f.name)) for f in dataclasses.fields(value)
            }
            return {"$r": self._registered(type(value)), "f": fields}
        raise CodecError(f"cannot store a {type(value).__qualname__} in a shared cache")

    def _decode(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self._decode(v) for v in data]
        if not isinstance(data, dict):
            return data
        if "$r" in data:
            cls = self._types[data["$r"]]
            return cls(**{k: self._decode(v) for k, v in data["f"].items()})
        if "$e" in data:
            return self._types[data["$e"]](data["v"])
        if "$t" in data:
            return tuple(self._decode(v) for v in data["$t"])
        if "$m" in data:
            return {k: self._decode(v) for k, v in data["$m"].items()}
        if "$dt" in data:
            return datetime.fromisoformat(data["$dt"])
        if "$d" in data:
            return date.fromisoformat(data["$d"])
        raise CodecError(f"unknown tag in {sorted(data)}")

    def _registered(self, cls: type) -> str:
        name = _name(cls)
        if self._types.get(name) is not cls:
            raise CodecError(f"{name} is not registered with the cache codec")
        return name


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
