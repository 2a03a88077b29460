"""`schema.graphql` is the schema the code serves: regenerate it with
`portal-gateway export-schema --output schema.graphql` when this fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schema.schema import export_sdl

ROOT = Path(__file__).resolve().parent.parent


def test_schema_graphql_matches_the_code() -> None:
    assert (ROOT / "schema.graphql").read_text() == export_sdl()


def test_the_command_prints_the_same_schema() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "cli", "export-schema"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert printed.stdout == export_sdl()
