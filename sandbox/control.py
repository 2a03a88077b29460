"""A small blocking client of the sandbox admin API, for tests, the demo and benchmarks."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoggedCall:
    method: str
    path: str
    query: str
    batch_size: int | None
    status: int
    body: str = ""  # a write's body as sent


@dataclass(frozen=True)
class VendorControl:
    """Admin access to one vendor sandbox at `base_url`."""

    base_url: str

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback sandbox URL
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            raw = response.read()
        return json.loads(raw) if raw else None

    def requests(self) -> list[LoggedCall]:
        return [
            LoggedCall(e["method"], e["path"], e["query"], e["batch_size"], e["status"], e["body"])
            for e in self.call("GET", "/_sandbox/requests")
        ]

    def clear_requests(self) -> None:
        self.call("DELETE", "/_sandbox/requests")

    def set_knobs(self, **changes: Any) -> dict[str, Any]:
        knobs: dict[str, Any] = self.call("PATCH", "/_sandbox/knobs", changes)
        return knobs

    def reset(self) -> None:
        self.call("POST", "/_sandbox/reset")


class SandboxControl:
    """Admin access to all four vendors, by name: hubspot, stripe, zendesk, drive."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.vendors = {name: VendorControl(url) for name, url in urls.items()}

    def __getitem__(self, vendor: str) -> VendorControl:
        return self.vendors[vendor]

    def reset(self) -> None:
        for vendor in self.vendors.values():
            vendor.reset()

    def clear_requests(self) -> None:
        for vendor in self.vendors.values():
            vendor.clear_requests()

    def call_counts(self) -> dict[str, int]:
        return {name: len(v.requests()) for name, v in self.vendors.items()}

    def calls_by_path(self, vendor: str) -> Counter[str]:
        return Counter(f"{c.method} {c.path}" for c in self.vendors[vendor].requests())
