"""The four vendor sandboxes in a process of their own (`portal-gateway sandbox`)."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path

from bench.command import PORTAL_GATEWAY, child_env
from bench.ports import LOOPBACK
from bench.processes import ChildFailed, ChildProcess
from sandbox.control import SandboxControl

VENDORS = ("hubspot", "stripe", "zendesk", "drive")
START_TIMEOUT_S = 60.0
# `portal-gateway sandbox` prints one line per vendor: "  hubspot  http://127.0.0.1:PORT".
_URL_LINE = re.compile(r"^\s+(hubspot|stripe|zendesk|drive)\s+(http://\S+)\s*$", re.MULTILINE)


@dataclass
class SandboxProcess:
    scale: int
    child: ChildProcess
    urls: dict[str, str]

    @property
    def control(self) -> SandboxControl:
        return SandboxControl(self.urls)

    def stop(self) -> None:
        self.child.stop()


async def start_sandbox(scale: int, workdir: Path) -> SandboxProcess:
    """Port base 0: each vendor binds a free port itself, and the process prints it."""
    argv = [PORTAL_GATEWAY, "sandbox", "--scale", str(scale), "--port-base", "0",
            "--host", LOOPBACK]  # fmt: skip
    child = ChildProcess(argv, child_env({}), workdir / f"sandbox-scale{scale}.log")
    try:
        urls = await _announced_urls(child)
    except BaseException:
        child.stop()
        raise
    return SandboxProcess(scale, child, urls)


async def _announced_urls(child: ChildProcess) -> dict[str, str]:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if child.exited() is not None:
            raise ChildFailed("the sandbox exited", child)
        urls = dict(_URL_LINE.findall(child.output()))
        if set(urls) == set(VENDORS):
            return urls
        await asyncio.sleep(0.1)
    raise ChildFailed(f"the sandbox announced no URLs within {START_TIMEOUT_S:.0f} s", child)
