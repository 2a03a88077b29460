"""What the browser tests need from the machine: Debian's chromium (never `playwright
install`) and axe-core from npm, installed into `.cache/node`. Under CI=true a missing tool
fails the run; elsewhere the tests are skipped and say why."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
AXE_VERSION = "4.14.1"
NODE_CACHE = REPO / ".cache" / "node"
AXE_SCRIPT = NODE_CACHE / "node_modules" / "axe-core" / "axe.min.js"


def missing(what: str) -> None:
    """Fail under CI (a missing tool must never pass silently), skip with a reason elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI=true: browser tests must run)", pytrace=False)
    pytest.skip(what)


def chromium() -> Path:
    if not CHROMIUM.exists():
        missing(f"no chromium at {CHROMIUM}: apt-get install -y chromium")
    return CHROMIUM


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            missing("npm is needed to fetch axe-core: apt-get install -y npm")
            raise AssertionError  # unreachable: missing() fails or skips
        NODE_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - a fixed npm command
            [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix",
             str(NODE_CACHE), f"axe-core@{AXE_VERSION}"],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return AXE_SCRIPT.read_text()
