"""GraphQL over HTTP to the letter: graphql-http's own server audit (npm, pinned in
package.json beside this file) against a gateway served over real HTTP. Every MUST and
SHOULD passes; the MAYs we decline are listed with why."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import httpx

from config import Settings
from tests.gateway.freshness.served import serving
from tests.node_tools import node_modules

HERE = Path(__file__).parent.parent / "http_spec"


def _audit(url: str) -> list[dict[str, str | None]]:
    modules = node_modules(HERE / "package.json")
    script = modules.parent / "audit.mjs"
    shutil.copy(HERE / "audit.mjs", script)
    node = shutil.which("node") or "node"
    printed = subprocess.run(  # noqa: S603 - our own script, a URL we made
        [node, str(script), url + "/graphql"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return [json.loads(line) for line in printed.stdout.splitlines() if line.strip()]


def test_the_audit_passes_every_must_and_should(settings: Settings) -> None:
    with serving(lambda url: replace(settings, public_url=url)) as served:
        results = _audit(served.url)
    failed = [
        f"{r['id']} {r['name']}: {r['reason']}"
        for r in results
        if r["status"] != "ok" and not str(r["name"]).startswith("MAY")
    ]
    assert len(results) > 50
    assert failed == []


def test_a_request_error_is_400_without_data_for_the_new_media_type(settings: Settings) -> None:
    with serving(lambda url: replace(settings, public_url=url)) as served:
        strict = httpx.post(
            served.url + "/graphql", json={"query": "{ nope }"},
            headers={"accept": "application/graphql-response+json"},
        )  # fmt: skip
        legacy = httpx.post(served.url + "/graphql", json={"query": "{ nope }"})
    assert strict.status_code == 400
    assert strict.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in strict.json() and strict.json()["errors"]
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None
