"""Node test tools (npm packages the tests use, never the gateway), installed on demand into
`.cache/node/<name>` from a package.json kept beside the tests that use them.

Without node or npm a test that needs them is skipped with the reason, except under CI=true,
where it fails: CI must never skip silently.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "node"


def node_modules(package_json: Path) -> Path:
    """The folder holding `package_json`'s dependencies, installed if they are not yet."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "node and npm are needed for this test (apt-get install nodejs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    digest = hashlib.sha256(package_json.read_bytes()).hexdigest()[:16]
    home = CACHE / f"{package_json.parent.name}-{digest}"
    stamp = home / ".installed"
    if not stamp.exists():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(package_json, home / "package.json")
        subprocess.run(  # noqa: S603 - npm, installing our own package.json
            [npm, "install", "--no-audit", "--no-fund", "--silent"],
            cwd=home, check=True, timeout=300,
        )  # fmt: skip
        stamp.touch()
    return home / "node_modules"
