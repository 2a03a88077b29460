"""Upstream calls per query do not grow with list sizes: a team of 5 or of 500, 100 or
10,000 invoices, make the same calls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import create_app
from config import Settings
from sandbox.control import SandboxControl
from sandbox.runner import SandboxConfig, SandboxThread
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import GLOBEX, member
from tests.gateway.queries import DASHBOARD


@pytest.fixture(scope="module")
def large_sandbox() -> Iterator[SandboxThread]:
    with SandboxThread(SandboxConfig(scale=100, port_base=0)) as running:
        yield running


async def dashboard_calls(
    sandbox: SandboxThread, tmp_path: Path
) -> tuple[dict[str, int], dict[str, Any]]:
    settings = replace(Settings().with_sandbox(sandbox.urls), secret_key="k", outbox_dir=tmp_path)
    control = SandboxControl(sandbox.urls)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            client = GatewayClient(http, app.state.gateway, sandbox.backbone, tmp_path)
            control.clear_requests()
            body = await client.query(DASHBOARD, as_=member(sandbox.backbone, GLOBEX, "ADMIN"))
    assert "errors" not in body
    return control.call_counts(), body


async def test_a_team_of_500_costs_the_same_calls_as_a_team_of_5(
    sandbox_thread: SandboxThread,
    sandbox: SandboxControl,
    large_sandbox: SandboxThread,
    tmp_path: Path,
) -> None:
    small_calls, small = await dashboard_calls(sandbox_thread, tmp_path / "small")
    large_calls, large = await dashboard_calls(large_sandbox, tmp_path / "large")

    assert small["data"]["viewer"]["account"]["team"]["totalCount"] == 5
    assert large["data"]["viewer"]["account"]["team"]["totalCount"] == 500
    assert len(large["data"]["viewer"]["account"]["team"]["nodes"]) == 100
    assert large_calls == small_calls
