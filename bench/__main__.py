"""`python -m bench`: measure the gateway against the performance budgets (docs/architecture.md)."""

from __future__ import annotations

from bench.run import main

main()
