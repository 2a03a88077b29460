"""Runs a cold dashboard query and an unauthenticated one through a gateway with tracing on
(an in-memory exporter), and prints the spans, responses, access log lines and upstream
request counts as JSON. A process of its own: tracing is installed once per process, and
must not switch on for the rest of the test session."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app import create_app
from config import Settings
from sandbox.control import SandboxControl
from sandbox.runner import SandboxConfig, SandboxThread
from tests.gateway.people import ACME, member
from tests.gateway.queries import DASHBOARD
from web.tracing import install_tracing


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


async def probe(urls: dict[str, str], sandbox: SandboxThread, outbox: Path) -> dict[str, Any]:
    exporter = InMemorySpanExporter()
    install_tracing(env={}, exporter=exporter)
    access = Lines()
    logging.getLogger("portal.access").addHandler(access)
    logging.getLogger("portal.access").setLevel(logging.INFO)
    settings = replace(
        Settings().with_sandbox(urls), secret_key="probe", outbox_dir=outbox,
        public_url="http://localhost",
    )  # fmt: skip
    control = SandboxControl(urls)
    app = create_app(settings)
    admin = member(sandbox.backbone, ACME, "ADMIN")
    found: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        token = await app.state.gateway.sessions.issue(admin.contact_id)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            for name, body, headers in (
                ("dashboard", {"query": DASHBOARD}, {"Authorization": f"Bearer {token}"}),
                ("unauthenticated", {"query": "{ viewer { account { name } } }"}, {}),
            ):
                control.clear_requests()
                exporter.clear()
                response = await http.post("/graphql", json=body, headers=headers)
                found[name] = {
                    "response": response.json(),
                    "spans": [json.loads(s.to_json()) for s in exporter.get_finished_spans()],
                    "log": access.lines[-1],
                    "upstream_requests": sum(control.call_counts().values()),
                }
    found["secrets"] = [admin.email, admin.name, token]
    return found


def main() -> None:
    with SandboxThread(SandboxConfig(port_base=0)) as sandbox, TemporaryDirectory() as tmp:
        found = asyncio.run(probe(sandbox.urls, sandbox, Path(tmp)))
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    main()
