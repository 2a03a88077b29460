"""Calendar arithmetic of monthly billing periods, in unix seconds (UTC)."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

DAY = 86_400
HOUR = 3_600


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def months_later(timestamp: int, months: int) -> int:
    return int(add_months(datetime.fromtimestamp(timestamp, UTC), months).timestamp())


def billing_period(anchor: int, now: int) -> tuple[int, int]:
    """The monthly period, counted from `anchor`, that contains `now`."""
    months = max(0, (now - anchor) // (31 * DAY))
    while months_later(anchor, months + 1) <= now:
        months += 1
    return months_later(anchor, months), months_later(anchor, months + 1)


def months_between(earlier: int, later: int) -> int:
    """Whole calendar months from `earlier` to `later` (both period starts of one anchor)."""
    a, b = datetime.fromtimestamp(earlier, UTC), datetime.fromtimestamp(later, UTC)
    return (b.year - a.year) * 12 + b.month - a.month


def day_label(timestamp: int) -> str:
    """Stripe's date in line descriptions, e.g. "25 Nov 2026"."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return f"{moment.day} {moment:%b %Y}"
