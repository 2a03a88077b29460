"""The printed table and bench/results/latest.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.budgets import Row

HEADERS = Row("figure", "measured", "budget", "verdict")
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def table(rows: Sequence[Row]) -> str:
    cells = [astuple(r) for r in [HEADERS, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([lines[0], rule, *lines[1:]])


def astuple(row: Row) -> tuple[str, str, str, str]:
    return row.figure, row.measured, row.budget, row.verdict


def write_json(payload: dict[str, Any], path: Path = RESULTS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
