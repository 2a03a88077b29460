"""Starts the four vendor sandboxes on consecutive loopback ports, in this loop or a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType

from aiohttp import web

from sandbox import drive, hubspot, stripe, twilio, zendesk
from sandbox.accounts import Backbone, build_backbone
from sandbox.upstream import Knobs

AppFactory = Callable[[Backbone, Knobs], web.Application]

# Port order is part of the contract: HubSpot, Stripe, Zendesk, Drive from the base port up.
VENDORS: dict[str, AppFactory] = {
    "hubspot": hubspot.create_app,
    "stripe": stripe.create_app,
    "zendesk": zendesk.create_app,
    "drive": drive.create_app,
}
# Messaging providers: on the next port (base + 4), apart from the data vendors above, which
# tests count upstream calls of (`urls`); their URLs are in `messaging_urls`.
MESSAGING: dict[str, AppFactory] = {"twilio": twilio.create_app}


@dataclass(frozen=True)
class SandboxConfig:
    scale: int = 1
    latency_ms: float = 0.0
    host: str = "127.0.0.1"
    port_base: int = 8101  # 0 picks a free port for each vendor (tests)


@dataclass
class Sandbox:
    config: SandboxConfig = field(default_factory=SandboxConfig)
    urls: dict[str, str] = field(default_factory=dict)
    messaging_urls: dict[str, str] = field(default_factory=dict)
    backbone: Backbone | None = None
    _runners: list[web.AppRunner] = field(default_factory=list)

    async def start(self) -> None:
        self.backbone = build_backbone(self.config.scale)
        apps = [*VENDORS.items(), *MESSAGING.items()]
        for offset, (name, create_app) in enumerate(apps):
            app = create_app(self.backbone, Knobs(latency_ms=self.config.latency_ms))
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            port = self.config.port_base + offset if self.config.port_base else 0
            site = web.TCPSite(runner, self.config.host, port)
            await site.start()
            bound_port = runner.addresses[0][1]
            found = self.urls if name in VENDORS else self.messaging_urls
            found[name] = f"http://{self.config.host}:{bound_port}"
            self._runners.append(runner)

    async def stop(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()


class SandboxThread:
    """The sandbox on its own event loop in a daemon thread, for tests and `serve`."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.sandbox = Sandbox(config or SandboxConfig())
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def urls(self) -> dict[str, str]:
        return self.sandbox.urls

    @property
    def messaging_urls(self) -> dict[str, str]:
        return self.sandbox.messaging_urls

    @property
    def backbone(self) -> Backbone:
        assert self.sandbox.backbone is not None, "sandbox not started"
        return self.sandbox.backbone

    def start(self) -> SandboxThread:
        self._thread.start()
        self._run(self.sandbox.start()).result(timeout=60)
        return self

    def stop(self) -> None:
        self._run(self.sandbox.stop()).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _run(self, coro: object) -> Future[None]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]

    def __enter__(self) -> SandboxThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
