"""Defect 4: sign-in links and query strings reached the logs (uvicorn's access log wrote
whole URLs; `serve` never wrote the `portal.access` line). Now `serve` turns uvicorn's
access log off and writes one JSON line per request, its secrets replaced by their names."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.ports import free_port
from cli import newest_link
from config import SANDBOX_CREDENTIALS, Settings
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, member

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = "{ viewer { account { documents(first: 5) { nodes { downloadUrl } } } } }"
SECRET_LINK = "Zm9yZ2VkLXNpZ24taW4tdG9rZW4tdGhhdC1pcy1sb25n"


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def test_no_secret_of_a_sign_in_download_and_export_reaches_the_logs(
    client: GatewayClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = member(client.backbone, ACME, "ADMIN")

    await client.http.post("/auth/magic-link", json={"email": admin.email})
    link = newest_link(client.outbox, admin.email)
    assert link is not None
    await client.http.get(local(link))
    headers = {"Accept": "application/json", "Origin": "http://localhost"}
    signed_in = await client.http.post(local(link), headers=headers)
    bearer = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    documents = await client.http.post("/graphql", json={"query": DOCUMENTS}, headers=bearer)
    download_url = documents.json()["data"]["viewer"]["account"]["documents"]["nodes"][0][
        "downloadUrl"
    ]
    download = await client.http.get(local(download_url))
    export = await client.http.get("/export/invoices.csv", headers=bearer)
    await client.http.get("/graphql?query=%7B__typename%7D&variables=%7B%22q%22%3A1%7D")
    logout = await client.http.post(
        "/auth/logout", headers={**bearer, "Origin": "http://localhost"}, json={}
    )

    assert (download.status_code, export.status_code, logout.status_code) == (200, 200, 204)
    secrets = {
        "the sign-in link's token": link.rsplit("/", 1)[1],
        "the session token": signed_in.json()["token"],
        "the download token": parse_qs(urlsplit(download_url).query)["token"][0],
        "the gateway's key": settings.secret_key,
        **{name: value for name, value in SANDBOX_CREDENTIALS.items() if len(value) > 8},
        "a query string": "__typename",
    }
    # Everything the gateway and its libraries logged (httpx is this test's own client).
    logged = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("httpx")
    )
    assert [name for name, secret in secrets.items() if secret in logged] == []
    access = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.access"]
    assert [(line["method"], line["path"], line["status"]) for line in access] == [
        ("POST", "/auth/magic-link", 202),
        ("GET", "/auth/magic-link/{token}", 200),
        ("POST", "/auth/magic-link/{token}", 200),
        ("POST", "/graphql", 200),
        ("GET", download_path_template(download_url), 200),
        ("GET", "/export/invoices.csv", 200),
        ("GET", "/graphql", 200),
        ("POST", "/auth/logout", 204),
    ]


def download_path_template(url: str) -> str:
    return urlsplit(url).path  # the document's id is no secret; its token (query) is


def test_serve_writes_one_json_line_per_request_and_no_uvicorn_access_line(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "REDIS_"))},
        **SANDBOX_CREDENTIALS,  # accepted by a sandbox; no upstream is called here
        "PORTAL_OUTBOX_DIR": str(tmp_path),
        "PORTAL_SECRET_KEY": "k" * 32,
        "PYTHONPATH": str(REPO),
    }
    argv = [sys.executable, "-m", "cli", "serve", "--no-sandbox", "--port", str(port)]
    server = subprocess.Popen(  # noqa: S603 - our own command line
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, server)
        for path in (f"/auth/magic-link/{SECRET_LINK}", "/graphql?query=%7B__typename%7D"):
            _get(base + path)
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=30)

    # What else serve prints (its banner) is not JSON; every access line is.
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert [(line["method"], line["path"], line["status"]) for line in lines][-2:] == [
        ("GET", "/auth/magic-link/{token}", 200),
        ("GET", "/graphql", 200),
    ]
    assert all(line["path"] == "/healthz" for line in lines[:-2])
    assert SECRET_LINK not in stdout + stderr
    assert "__typename" not in stdout + stderr
    assert '"GET /' not in stderr  # uvicorn's access line ('... "GET /path HTTP/1.1" 200')


def _wait_healthy(base: str, server: subprocess.Popen[str]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise AssertionError(f"serve exited: {server.communicate()}")
        try:
            _get(base + "/healthz")
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("serve did not answer /healthz")


def _get(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback
            pass
    except urllib.error.HTTPError:
        pass
