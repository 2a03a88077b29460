"""A gateway served over real HTTP (uvicorn in a thread), for senders that need a URL: the
sandbox's webhooks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from app import create_app
from config import Settings
from gateway import Gateway


@dataclass(frozen=True)
class Served:
    url: str
    app: Starlette

    @property
    def gateway(self) -> Gateway:
        gateway: Gateway = self.app.state.gateway
        return gateway


@contextmanager
def serving(settings_for: Callable[[str], Settings]) -> Iterator[Served]:
    """Serves a gateway made from `settings_for(its own URL)` until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(settings_for(url))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the gateway did not start")
            time.sleep(0.01)
        yield Served(url, app)
    finally:
        server.should_exit = True
        thread.join()
        sock.close()
