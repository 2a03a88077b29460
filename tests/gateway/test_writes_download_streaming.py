"""A 50 MB document goes through the gateway in chunks: the bytes are counted as the ASGI
server would send them, and the gateway's memory stays flat meanwhile."""

from __future__ import annotations

import asyncio
import tracemalloc
from typing import Any

from app import create_app
from config import Settings
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, company, member

SIZE = 50 * 1024 * 1024
LATEST = "{ viewer { account { documents(first: 1) { nodes { name size downloadUrl } } } } }"


async def test_a_50_mb_file_streams_with_flat_memory(
    client: GatewayClient, sandbox: SandboxControl, settings: Settings
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    folder_id = company(client.backbone, ACME).drive_folder_id
    sandbox["drive"].call(
        "POST", "/_sandbox/files",
        {"folder_id": folder_id, "name": "Big export.pdf", "document_type": "report",
         "padding": SIZE},
    )  # fmt: skip
    [document] = (await client.query(LATEST, as_=admin))["data"]["viewer"]["account"]["documents"][
        "nodes"
    ]
    assert document["name"] == "Big export.pdf" and document["size"] > SIZE
    path, _, query = document["downloadUrl"].removeprefix("http://localhost").partition("?")

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        # A session of this app's own: sessions live in its (in-process) cache.
        token = await app.state.gateway.sessions.issue(admin.contact_id)
        tracemalloc.start()
        try:
            status, headers, received, largest = await _download(app, path, query, token)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert status == 200
    assert headers[b"content-length"] == str(document["size"]).encode()
    assert headers[b"content-type"] == b"application/pdf"
    assert received == document["size"]
    assert largest <= 64 * 1024  # chunk by chunk, as Drive sent them
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for a {SIZE / 2**20:.0f} MiB file"


async def _download(
    app: Any, path: str, query: str, token: str
) -> tuple[int, dict[bytes, bytes], int, int]:
    """Drives the app as an ASGI server would, keeping no body: only its size."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "headers": [(b"host", b"localhost"),
                                     (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 5000), "server": ("localhost", 80), "state": {},
    }  # fmt: skip
    result: dict[str, Any] = {"status": 0, "headers": {}, "received": 0, "largest": 0}
    requested, finished = False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # the client stays until the last byte, then leaves
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = dict(message["headers"])
        elif message["type"] == "http.response.body":
            size = len(message.get("body", b""))
            result["received"] += size
            result["largest"] = max(result["largest"], size)
            if not message.get("more_body", False):
                finished.set()

    await app(scope, receive, send)
    return result["status"], result["headers"], result["received"], result["largest"]
