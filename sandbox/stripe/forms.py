"""Stripe's form encoding: `a[b][c]=v` nests, `a[]=v` and `a[0]=v` build arrays; every leaf
is a string. `Params` reads the decoded tree with Stripe's validation messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from sandbox.stripe.errors import StripeApiError, invalid

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def parse_form(text: str) -> dict[str, Any]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    except ValueError as exc:  # e.g. too many fields
        raise invalid(f"Invalid request: {exc}") from exc
    return decode_pairs(pairs)


def decode_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    appended: dict[str, int] = {}
    for key, value in pairs:
        path = _path(key, appended)
        node = root
        for depth, segment in enumerate(path[:-1]):
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                name = _name(path[: depth + 1])
                raise invalid(f"Invalid object: {name}", name)
            node = child
        if isinstance(node.get(path[-1]), dict):
            raise invalid(f"Invalid string: {_name(path)}", _name(path))
        node[path[-1]] = value
    result = _listify(root)
    assert isinstance(result, dict)
    return result


def _path(key: str, appended: dict[str, int]) -> list[str]:
    match = _KEY.match(key)
    if match is None:
        raise invalid(f"Invalid parameter name: {key}")
    path = [match.group(1), *_SEGMENT.findall(match.group(2))]
    for index, segment in enumerate(path):
        if segment == "":  # `a[]`: the next free index of that array
            prefix = _name(path[:index])
            path[index] = str(appended.get(prefix, 0))
            appended[prefix] = int(path[index]) + 1
    return path


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _name(path: list[str]) -> str:
    return path[0] + "".join(f"[{segment}]" for segment in path[1:])


@dataclass(frozen=True)
class Range:
    """A `created[gte]=...`-style filter; each bound inclusive after normalising."""

    gte: int | None = None
    lte: int | None = None

    def contains(self, value: int) -> bool:
        return (self.gte is None or value >= self.gte) and (self.lte is None or value <= self.lte)


class Params:
    """Typed reads of a decoded form, raising Stripe's 400s for bad values."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}[{key}]" if self.prefix else key

    def allow(self, *names: str) -> None:
        for key in self.data:
            if key not in names:
                raise StripeApiError(
                    400,
                    f"Received unknown parameter: {self.name(key)}",
                    code="parameter_unknown",
                    param=self.name(key),
                )

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise invalid(
                    f"Missing required param: {self.name(key)}.",
                    self.name(key),
                    "parameter_missing",
                )
            return None
        if not isinstance(value, str):
            raise invalid(f"Invalid string: {self.name(key)}", self.name(key))
        return value

    def required_text(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None
        if value == "":
            raise invalid(f"You passed an empty string for '{self.name(key)}'. "
                          "We assume empty values are an attempt to unset a parameter; "
                          f"however '{self.name(key)}' cannot be unset. You should remove "
                          f"'{self.name(key)}' from your request or supply a non-empty value.",
                          self.name(key))  # fmt: skip
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is not None and value not in choices:
            listed = ", ".join(choices[:-1]) + f", or {choices[-1]}"
            raise invalid(f"Invalid {self.name(key)}: must be one of {listed}", self.name(key))
        return value

    def integer(self, key: str, *, low: int | None = None, high: int | None = None) -> int | None:
        value = self.text(key)
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except ValueError:
            raise invalid(
                f"Invalid integer: {value}", self.name(key), "parameter_invalid_integer"
            ) from None
        if low is not None and number < low:
            raise invalid(f"This value must be greater than or equal to {low}.", self.name(key))
        if high is not None and number > high:
            raise invalid(f"This value must be less than or equal to {high}.", self.name(key))
        return number

    def boolean(self, key: str) -> bool | None:
        value = self.text(key)
        if value is None or value == "":
            return None
        if value not in ("true", "false"):
            raise invalid(f"Invalid boolean: {value}", self.name(key))
        return value == "true"

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(f"Invalid array: {self.name(key)}", self.name(key))
        return list(value)

    def nested(self, key: str) -> Params | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise invalid(f"Invalid object: {self.name(key)}", self.name(key))
        return Params(value, self.name(key))

    def items(self, key: str) -> list[Params]:
        value = self.data.get(key)
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise invalid(f"Invalid array: {self.name(key)}", self.name(key))
        return [Params(v, f"{self.name(key)}[{i}]") for i, v in enumerate(value)]

    def metadata(self, key: str = "metadata") -> dict[str, str] | None:
        """The metadata update: key → value, "" deletes a key; None when absent."""
        value = self.data.get(key)
        if value is None:
            return None
        if value == "":
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise invalid(f"Invalid object: {self.name(key)}", self.name(key))
        return dict(value)

    def range(self, key: str) -> Range | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            exact = self.integer(key)
            return Range(exact, exact)
        bounds = self.nested(key)
        assert bounds is not None
        bounds.allow("gt", "gte", "lt", "lte")
        lows = [bounds.integer("gte"), _plus(bounds.integer("gt"), 1)]
        highs = [bounds.integer("lte"), _plus(bounds.integer("lt"), -1)]
        return Range(_extreme(max, lows), _extreme(min, highs))


def _extreme(pick: Callable[[list[int]], int], values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return pick(present) if present else None


def _plus(value: int | None, delta: int) -> int | None:
    return None if value is None else value + delta
