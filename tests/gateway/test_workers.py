"""`portal-gateway serve --workers 2`: two worker processes on one Redis serve one sign-in
and the queries after it, whichever worker each request reaches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from cli import newest_link
from config import SANDBOX_CREDENTIALS
from sandbox.accounts import Backbone
from tests.gateway.people import ACME, member

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
QUERY = "{ viewer { account { name invoices(first: 2) { nodes { number } } } } }"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(
    urls: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    prefix = f"test-workers-{uuid.uuid4().hex[:8]}:"
    env = {
        **os.environ,
        **SANDBOX_CREDENTIALS,
        **{f"{vendor.upper()}_BASE_URL": url for vendor, url in urls.items()},
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "PORTAL_PUBLIC_URL": base,
        "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PORTAL_SECRET_KEY", None)  # serve makes one and hands it to both workers
    command = [sys.executable, "-m", "cli", "serve", "--no-sandbox", "--workers", "2",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - our own command
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_up(base, process)
        yield base, tmp_path / "outbox", process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        with redis.Redis.from_url(REDIS_URL) as client:
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"serve exited with {process.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("serve --workers 2 did not answer /healthz")


def _workers(process: subprocess.Popen[bytes]) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [
        int(pid) for pid in children
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]  # fmt: skip


def test_two_workers_share_one_sign_in_through_redis(
    served: tuple[str, Path, subprocess.Popen[bytes]], backbone: Backbone
) -> None:
    base, outbox, process = served
    admin = member(backbone, ACME, "ADMIN")
    started = time.time() - 1

    assert httpx.post(base + "/auth/magic-link", json={"email": admin.email}).status_code == 202
    link = None
    for _ in range(100):
        link = newest_link(outbox, admin.email, since=started)
        if link:
            break
        time.sleep(0.05)
    assert link is not None
    signed_in = httpx.post(link, headers={"Accept": "application/json"})
    assert signed_in.status_code == 200, (signed_in.status_code, signed_in.text)
    token = signed_in.json()["token"]
    answers = [
        httpx.post(
            base + "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
        ).json()
        for _ in range(12)
    ]

    assert len(_workers(process)) == 2
    assert {a["data"]["viewer"]["account"]["name"] for a in answers} == {"Acme Holdings"}
    assert all("errors" not in a for a in answers)


def test_several_workers_need_redis(urls: dict[str, str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    finished = subprocess.run(
        [sys.executable, "-m", "cli", "serve", "--no-sandbox", "--workers", "2", "--port", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert finished.returncode != 0
    assert "needs REDIS_URL" in finished.stderr
