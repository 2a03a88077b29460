"""`python -m bench.freshness_alone`: the freshness part of the bench by itself, on a sandbox
of its own (about 45 s instead of the whole run)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bench import report
from bench.freshness import Freshness, freshness
from bench.freshness_rows import freshness_rows
from bench.run import GLOBEX, globex_admin_email
from bench.sandbox_process import start_sandbox
from sandbox.accounts import build_backbone

SCALE = 1
LIMIT_S = 120.0


async def run() -> Freshness:
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as workdir:
        async with asyncio.timeout(LIMIT_S):
            sandbox = await start_sandbox(SCALE, Path(workdir))
            try:
                company = build_backbone(SCALE).company(GLOBEX)
                return await freshness(sandbox, company, globex_admin_email(SCALE), Path(workdir))
            finally:
                sandbox.stop()


if __name__ == "__main__":
    print(report.table(freshness_rows(asyncio.run(run()))))
