"""How the bench runs `portal-gateway`: the venv's console script, with the repo importable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PORTAL_GATEWAY = str(REPO / ".venv" / "bin" / "portal-gateway")

# Settings the bench decides; any value in the caller's environment is dropped, so that a
# developer's real vendor credentials or Redis never take part in a benchmark.
_OWNED_PREFIXES = ("HUBSPOT_", "STRIPE_", "ZENDESK_", "DRIVE_", "GOOGLE_", "REDIS_", "PORTAL_",
                   "SMTP_")  # fmt: skip


def child_env(settings: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWNED_PREFIXES)}
    # The editable install maps the top-level modules (cli, config, ...) to paths without
    # `.py`, so the console script only imports them with the repo on the path.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env
