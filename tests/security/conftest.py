"""The hostile-input and regression tests of issue 11 use the gateway fixtures of
tests/gateway: one gateway app per test, in-process, over real HTTP to the sandbox."""

from __future__ import annotations

from tests.gateway.conftest import client, settings

__all__ = ["client", "settings"]
