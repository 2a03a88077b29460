"""A collection kept in Stripe's list order (newest first), paged with Stripe's cursors."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.stripe.forms import Range

Key = tuple[int, str]  # (created, id)


@dataclass(frozen=True)
class Page:
    ids: list[str]
    has_more: bool


class Timeline:
    """Ids sorted by (created, id); lists walk it backwards, as Stripe lists newest first."""

    def __init__(self, keys: list[Key] | None = None) -> None:
        self._keys = sorted(keys or [])

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, created: int, object_id: str) -> None:
        insort(self._keys, (created, object_id))

    def remove(self, created: int, object_id: str) -> None:
        index = bisect_left(self._keys, (created, object_id))
        if index < len(self._keys) and self._keys[index] == (created, object_id):
            del self._keys[index]

    def newest_first(self) -> list[str]:
        return [object_id for _, object_id in reversed(self._keys)]

    def page(
        self,
        limit: int,
        *,
        after: Key | None = None,
        before: Key | None = None,
        created: Range | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> Page:
        """Up to `limit` ids, newest first: older than `after`, or the ones just newer than
        `before` (Stripe's `starting_after` / `ending_before`)."""
        low, high = self._bounds(created)
        found: list[str] = []
        if before is not None:
            start = max(low, bisect_right(self._keys, before))
            indexes = range(start, high)
        else:
            stop = high if after is None else min(high, bisect_left(self._keys, after))
            indexes = range(stop - 1, low - 1, -1)
        for index in indexes:
            object_id = self._keys[index][1]
            if keep is None or keep(object_id):
                found.append(object_id)
                if len(found) > limit:
                    break
        has_more = len(found) > limit
        found = found[:limit]
        return Page(found[::-1] if before is not None else found, has_more)

    def _bounds(self, created: Range | None) -> tuple[int, int]:
        if created is None:
            return 0, len(self._keys)
        low = 0 if created.gte is None else bisect_left(self._keys, (created.gte, ""))
        high = (
            len(self._keys)
            if created.lte is None
            else bisect_left(self._keys, (created.lte + 1, ""))
        )
        return low, high
