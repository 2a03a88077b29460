"""The documents the bench sends: the tests' dashboard query and the trivial baseline."""

from __future__ import annotations

from tests.gateway.queries import DASHBOARD

TYPENAME = "{ __typename }"

__all__ = ["DASHBOARD", "TYPENAME"]
