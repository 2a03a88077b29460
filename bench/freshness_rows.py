"""docs/architecture.md's freshness goals as table rows: the brief's "a status change ... appears
within seconds" and "new documents within minutes", per vendor, with and without webhooks.

"Within seconds" is taken as at most STATUS_GOAL_S, "within minutes" as DOCUMENT_GOAL_S;
every sample must be shown within its goal (a sample not shown by TTL + grace fails).
"""

from __future__ import annotations

from bench.budgets import Row, failed, verdict
from bench.freshness import GRACE_S, Freshness, VendorFreshness
from bench.stats import percentile

STATUS_GOAL_S = 5.0
DOCUMENT_GOAL_S = 120.0
CHANGE = {
    "hubspot": "company renamed",
    "stripe": "invoice paid",
    "zendesk": "ticket solved",
    "drive": "new document",
}


def freshness_rows(freshness: Freshness | None) -> list[Row]:
    if freshness is None:
        return []
    rows = [_row(v) for v in freshness.vendors]
    sent = ", ".join(f"{status} x{n}" for status, n in sorted(freshness.deliveries.items()))
    all_ok = set(freshness.deliveries) == {"200"}
    rows.append(Row("freshness: webhook deliveries (webhooks)", sent or "none",
                    "all answered 200", verdict(all_ok)))  # fmt: skip
    if freshness.poll_failures:
        rows.append(Row("freshness: polling queries", failed(freshness.poll_failures)[2:],
                        "none fail", "FAIL"))  # fmt: skip
    return rows


def _row(v: VendorFreshness) -> Row:
    how = "webhooks" if v.webhooks else f"TTL {v.ttl_s:.0f} s only"
    figure = f"freshness: {v.vendor} {CHANGE[v.vendor]} ({how})"
    shown = v.shown
    measured = (
        f"p50 {percentile(shown, 50):.2f} / max {max(shown):.2f} s" if shown else "never shown"
    )
    missed = len(v.seconds) - len(shown)
    measured += f" (n={len(v.seconds)}"
    measured += f"; {missed} not shown in TTL + {GRACE_S:.0f} s)" if missed else ")"
    if v.vendor == "drive":
        goal, words = DOCUMENT_GOAL_S, "within minutes"
    else:
        goal, words = STATUS_GOAL_S, "within seconds"
    passed = not missed and bool(shown) and max(shown) <= goal
    return Row(figure, measured, f"max ≤ {goal:.0f} s ({words})", verdict(passed))
