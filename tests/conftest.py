"""Shared fixtures: one sandbox of the four vendors for the whole session, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.accounts import Backbone
from sandbox.control import SandboxControl
from sandbox.runner import SandboxConfig, SandboxThread


@pytest.fixture(scope="session")
def sandbox_thread() -> Iterator[SandboxThread]:
    with SandboxThread(SandboxConfig(port_base=0)) as running:
        yield running


@pytest.fixture
def sandbox(sandbox_thread: SandboxThread) -> SandboxControl:
    """The running sandbox, with its seeded data, knobs and request logs reset."""
    control = SandboxControl(sandbox_thread.urls)
    control.reset()
    return control


@pytest.fixture
def urls(sandbox: SandboxControl, sandbox_thread: SandboxThread) -> dict[str, str]:
    return sandbox_thread.urls


@pytest.fixture(scope="session")
def backbone(sandbox_thread: SandboxThread) -> Backbone:
    return sandbox_thread.backbone
