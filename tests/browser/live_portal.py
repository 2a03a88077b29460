"""The gateway on a real loopback port (uvicorn in a thread), pointed at the test sandbox:
what a browser needs, since it cannot talk to an in-process ASGI app."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import uvicorn

from app import create_app
from config import Settings
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl


@dataclass(frozen=True)
class LivePortal:
    base_url: str
    outbox: Path
    urls: dict[str, str]  # the sandbox vendors'
    backbone: Backbone
    sandbox: SandboxControl
    settings: Settings  # the gateway's, e.g. for a worker beside it
    server: uvicorn.Server

    def drop_connections(self) -> None:
        """Closes every open client connection at once, as a restarting replica or a proxy
        would; the gateway goes on listening."""
        for connection in list(self.server.server_state.connections):
            connection.loop.call_soon_threadsafe(connection.transport.close)


@contextmanager
def live_portal(
    urls: dict[str, str], backbone: Backbone, outbox: Path, **settings_changes: Any
) -> Iterator[LivePortal]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = replace(
        Settings().with_sandbox(urls),
        secret_key="browser-test-secret",
        outbox_dir=outbox,
        public_url=base_url,
        # Reads go upstream again within a second, and an outage shows as one (not as a
        # stale copy), so that each test sees what it changed in the sandbox.
        cache_ttl_s=0.5,
        cache_stale_max_s=0.0,
        breaker_reset_s=0.2,
    )
    settings = replace(settings, **settings_changes)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the gateway did not start")
        time.sleep(0.02)
    try:
        yield LivePortal(base_url, outbox, urls, backbone, SandboxControl(urls), settings, server)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
