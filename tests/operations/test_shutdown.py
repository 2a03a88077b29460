"""SIGTERM to a real `portal-gateway serve` process: it stops accepting connections at once,
finishes the request in flight (a slow upstream holds it), closes its upstream sessions and
the cache, flushes its spans to the OTLP collector, and exits."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from bench.gateway_process import CacheTtls, start_gateway
from bench.signin import sign_in
from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from tests.gateway.people import ACME, member
from tests.gateway.queries import DASHBOARD


class Collector(ThreadingHTTPServer):
    """An OTLP/HTTP trace receiver: keeps the names of the spans it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receive)
        self.span_names: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Receive(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest.FromString(body)
        assert isinstance(self.server, Collector)
        self.server.span_names += [
            span.name
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


async def test_sigterm_drains_in_flight_requests_closes_and_flushes_traces(
    urls: dict[str, str],
    sandbox: SandboxControl,
    backbone: Backbone,
    collector: Collector,
    tmp_path: Path,
) -> None:
    telemetry = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        # Nothing leaves on the timer: what the collector gets, the shutdown flushed.
        "OTEL_BSP_SCHEDULE_DELAY": "600000",
        "PORTAL_REQUEST_DEADLINE_S": "5",
        "PORTAL_SHUTDOWN_GRACE_S": "8",
    }
    gateway = await start_gateway("sigterm", urls, CacheTtls(30, 60), tmp_path, telemetry)
    port = int(gateway.base_url.rsplit(":", 1)[1])
    try:
        async with aiohttp.ClientSession() as http:
            token = await sign_in(http, gateway, member(backbone, ACME, "ADMIN").email)
            sandbox["zendesk"].set_knobs(latency_ms=1500)
            sandbox.clear_requests()
            in_flight = asyncio.create_task(_post(http, gateway.base_url, token))
            await _until(lambda: bool(sandbox["zendesk"].requests()))

            os.kill(gateway.child.pid, signal.SIGTERM)
            await _until(lambda: not _accepts(port))
            assert not in_flight.done()  # refusing new connections while this one finishes

            status, body = await in_flight
        exit_code = await asyncio.to_thread(gateway.child._popen.wait, 30)
    finally:
        gateway.stop()
    assert status == 200
    assert "errors" not in body
    assert body["data"]["viewer"]["account"]["tickets"]["nodes"]
    output = gateway.child.output()
    # uvicorn ends by re-raising the signal it caught, as a process killed by it would.
    assert exit_code in (0, -signal.SIGTERM), output[-3000:]
    # The in-flight request's access line (web/access_log.py) comes after the shutdown began.
    in_flight_line = '"method": "POST", "path": "/graphql", "status": 200'
    assert output.rindex("Shutting down") < output.rindex(in_flight_line)
    assert "Application shutdown complete." in output  # the lifespan closed the gateway
    assert "graphql query Dashboard" in collector.span_names
    assert "POST /graphql" in collector.span_names


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("still not so after 10 s")


async def _post(http: aiohttp.ClientSession, base_url: str, token: str) -> tuple[int, Any]:
    async with http.post(
        f"{base_url}/graphql",
        json={"query": DASHBOARD},
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        return response.status, await response.json()
