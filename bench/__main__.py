"""`python -m bench`: measure the gateway against DESIGN.md's performance budgets."""

from __future__ import annotations

from bench.run import main

main()
