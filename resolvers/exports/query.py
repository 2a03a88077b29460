"""What an export asks for, read from the query string: a date range and a status filter."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DATE_FORMAT = "YYYY-MM-DD (an ISO 8601 date)"


class BadExportQuery(ValueError):
    """The client's mistake; its message says what to send instead."""


@dataclass(frozen=True)
class ExportQuery:
    start: date | None  # inclusive, UTC
    end: date | None  # inclusive, UTC
    statuses: frozenset[str]  # empty: all
    account_id: str | None  # an Account's global id; None: the viewer's own

    @property
    def created_from(self) -> datetime | None:
        return None if self.start is None else datetime.combine(self.start, time.min, UTC)

    @property
    def created_before(self) -> datetime | None:
        """The exclusive end: midnight after the last day asked for."""
        if self.end is None:
            return None
        return datetime.combine(self.end + timedelta(days=1), time.min, UTC)

    def covers(self, moment: datetime) -> bool:
        low, high = self.created_from, self.created_before
        return (low is None or moment >= low) and (high is None or moment < high)

    def wants(self, status: str | None) -> bool:
        return not self.statuses or (status or "").lower() in self.statuses


def parse_query(
    params: Mapping[str, str],
    filter_name: str | None,
    allowed: Collection[str],
    max_days: int | None = None,
) -> ExportQuery:
    accepted = {"from", "to", "account", *([filter_name] if filter_name else [])}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise BadExportQuery(
            f"Unknown parameter {', '.join(unknown)}; this export accepts "
            f"{', '.join(sorted(accepted))}."
        )
    start, end = _date(params, "from"), _date(params, "to")
    if start is not None and end is not None and start > end:
        raise BadExportQuery("`from` must not be after `to`.")
    last = end or datetime.now(UTC).date()
    if max_days is not None and start is not None and (last - start).days > max_days:
        raise BadExportQuery(
            f"This export spans at most {max_days} days, as the API does: ask for `from` and "
            f"`to` at most {max_days} days apart."
        )
    statuses = frozenset(
        s.strip().lower() for s in params.get(filter_name or "", "").split(",") if s.strip()
    )
    wrong = sorted(statuses - set(allowed))
    if wrong:
        raise BadExportQuery(
            f"Unknown {filter_name} {', '.join(wrong)}; expected some of "
            f"{', '.join(sorted(allowed))}, comma-separated."
        )
    return ExportQuery(start, end, statuses, params.get("account") or None)


def _date(params: Mapping[str, str], name: str) -> date | None:
    text = params.get(name)
    if text is None or text == "":
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadExportQuery(
            f"`{name}` must be a date in the format {DATE_FORMAT}; got {text!r}."
        ) from None
