"""A gateway app per test, in-process over ASGI, talking real HTTP to the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import create_app
from config import Settings
from gateway import Gateway
from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl


@dataclass
class GatewayClient:
    http: httpx.AsyncClient
    gateway: Gateway
    backbone: Backbone
    outbox: Path

    async def token_for(self, person: Person) -> str:
        """A session as sign-in would issue it (the sign-in flow has tests of its own)."""
        return await self.gateway.sessions.issue(person.contact_id)

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: Person | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {await self.token_for(as_)}"} if as_ else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def settings(urls: dict[str, str], tmp_path: Path) -> Settings:
    return replace(
        Settings().with_sandbox(urls),
        secret_key="test-secret-key",
        outbox_dir=tmp_path / "outbox",
        public_url="http://localhost",
    )


@pytest.fixture
async def client(
    settings: Settings, sandbox: SandboxControl, backbone: Backbone
) -> AsyncIterator[GatewayClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            sandbox.clear_requests()
            yield GatewayClient(http, app.state.gateway, backbone, settings.outbox_dir)
