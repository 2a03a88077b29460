"""One chromium for the session; one gateway (over the shared sandbox) per module; a fresh
browser context per test, signed in by the mail link once per module and person."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from sandbox.accounts import Backbone, Person
from sandbox.control import SandboxControl
from sandbox.runner import SandboxThread
from tests.browser import tools
from tests.browser.live_portal import LivePortal, live_portal
from tests.browser.pages import VIEWPORTS, shown, sign_in
from web.persisted_queries import manifest_of

NewPage = Callable[..., Awaitable[Page]]
MANIFEST = Path(__file__).resolve().parents[2] / "web" / "portal" / "trusted-documents.json"
REBUILDING_MANIFEST = os.environ.get("PORTAL_REBUILD_TRUSTED_DOCUMENTS") == "1"
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def axe() -> str:
    return tools.axe_source()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = tools.chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(executable))
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
def portal_settings() -> dict[str, Any]:
    """Settings a module changes for its gateway (see live_portal for the defaults)."""
    return {}


@pytest.fixture(scope="session")
def document_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every document the web app sends during the browser tests. They run as production
    does, with trusted documents only, so a document missing from the manifest fails its
    test; `make trusted-documents` rebuilds the manifest from this log instead."""
    log = tmp_path_factory.mktemp("documents") / "documents.jsonl"
    log.touch()
    yield log
    if REBUILDING_MANIFEST:
        MANIFEST.write_text(json.dumps(manifest_of(log), indent=2, sort_keys=True) + "\n")


@pytest.fixture(scope="module")
def portal(
    sandbox_thread: SandboxThread,
    backbone: Backbone,
    tmp_path_factory: pytest.TempPathFactory,
    portal_settings: dict[str, Any],
    document_log: Path,
) -> Iterator[LivePortal]:
    tools.chromium()  # fail or skip before starting anything
    SandboxControl(sandbox_thread.urls).reset()
    outbox = tmp_path_factory.mktemp("outbox")
    trusted = {
        "document_log": str(document_log),
        "trusted_documents_only": not REBUILDING_MANIFEST,
        "trusted_documents_file": MANIFEST,
    }
    # The bell's feed and the webhook endpoints live in Redis (events out), as in production;
    # a key prefix of this module's own keeps parallel runs apart (removed after).
    prefix = f"test:{secrets.token_hex(8)}:"
    events = {"redis_url": REDIS_URL, "redis_key_prefix": prefix}
    settings = trusted | events | portal_settings
    try:
        with live_portal(sandbox_thread.urls, backbone, outbox, **settings) as running:
            yield running
    finally:
        with redis.Redis.from_url(REDIS_URL) as client:
            keys = list(client.scan_iter(match=f"{prefix}*"))
            if keys:
                client.delete(*keys)


@pytest.fixture(scope="module")
def sessions() -> dict[str, Any]:
    """Signed-in browser storage per person, so each person opens the mail once a module
    (sign-in requests are rate limited per address, as for real people)."""
    return {}


@pytest.fixture
async def new_page(
    browser: Browser, portal: LivePortal, sessions: dict[str, Any]
) -> AsyncIterator[NewPage]:
    """`await new_page(viewport, as_=person)`: a page in a context of its own, signed in."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    async def make(viewport: str, as_: Person | None = None, fresh: bool = False) -> Page:
        state = None if (as_ is None or fresh) else sessions.get(as_.email)
        context = await browser.new_context(
            **VIEWPORTS[viewport], accept_downloads=True, storage_state=state
        )
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(10_000)
        # A CSP violation or a script error is a failure even where nothing else shows it.
        page.on("console", lambda m: _note(problems, m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: _note(problems, str(e)))
        if as_ is not None and state is None:
            await sign_in(page, portal, as_.email)
            sessions.setdefault(as_.email, await context.storage_state())
        elif as_ is not None:
            await page.goto(portal.base_url + "/")
            await shown(page)
        return page

    yield make
    for context in contexts:
        await context.close()
    assert [p for p in problems if not _expected(p)] == []


def _note(problems: list[str], text: str) -> None:
    problems.append(text[:300])


def _expected(console_error: str) -> bool:
    # Chromium logs every non-2xx fetch; the tests that cause them (a used link, an
    # outage) assert what the person sees instead.
    return console_error.startswith("Failed to load resource")
