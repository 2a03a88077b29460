"""Idempotency-Keys derived from the request, so that the same request sent twice (a double
click, a retry after a lost answer) makes one change in Stripe, which replays the first
answer for a key it has seen.

A key names the action and what it acts on, and the state it acts on where a later, equal
request must be a new change (cancel, resume, cancel again): that state is the key of the
last portal write, which every write stamps into the Stripe object's `portal_change`
metadata."""

from __future__ import annotations

import hashlib


def derived_key(action: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"portal-{action}-{digest[:40]}"
