"""The Drive sandbox's mutable data: files indexed by id and by parent folder, the change log
behind `changes.list`, and the push channels of `changes.watch`.

Every data change, from the API or the admin routes, goes through `DriveState.changed`.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.drive.files import StoredFile, new_file_id

ROOT_ALIAS = "root"


@dataclass(frozen=True)
class Change:
    """One entry of the change log; `changes.list` shows the newest entry of each file."""

    number: int
    kind: str  # file.created, file.trashed, file.untrashed, file.deleted
    file_id: str
    time: datetime
    removed: bool


class Clock:
    """Wall-clock time for vendor-side changes, strictly increasing so changes keep an order."""

    def __init__(self, not_before: datetime) -> None:
        self._last = not_before

    def now(self) -> datetime:
        wall = datetime.now(UTC)
        candidate = wall.replace(microsecond=wall.microsecond // 1000 * 1000)  # Drive keeps ms
        self._last = max(candidate, self._last + timedelta(milliseconds=1))
        return self._last


def _created_order(file: StoredFile) -> tuple[datetime, str]:
    return (file.created_time, file.id)


@dataclass
class DriveState:
    root_id: str
    clock: Clock
    first_change: int
    id_source: random.Random
    files: dict[str, StoredFile] = field(default_factory=dict)
    by_parent: dict[str, list[StoredFile]] = field(default_factory=dict)
    change_log: list[Change] = field(default_factory=list)
    latest_change: dict[str, int] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    listeners: list[Callable[[Change], None]] = field(default_factory=list)

    # --- reading ---

    def resolve(self, file_id: str) -> str:
        return self.root_id if file_id == ROOT_ALIAS else file_id

    def get(self, file_id: str) -> StoredFile | None:
        return self.files.get(self.resolve(file_id))

    def children(self, folder_id: str) -> list[StoredFile]:
        """The files in `folder_id`, oldest first (by `createdTime`, then id)."""
        return self.by_parent.get(self.resolve(folder_id), [])

    @property
    def next_change(self) -> int:
        return self.first_change + len(self.change_log)

    def changes_from(self, number: int) -> Iterable[Change]:
        """The newest change of each file changed at or after `number`, oldest first."""
        for change in self.change_log[max(0, number - self.first_change) :]:
            if self.latest_change[change.file_id] == change.number:
                yield change

    # --- writing ---

    def new_id(self) -> str:
        while True:
            candidate = new_file_id(self.id_source)
            if candidate not in self.files:
                return candidate

    def load(self, files: Iterable[StoredFile]) -> None:
        """Seeds files without recording changes (they predate every page token)."""
        for file in files:
            self._index(file)

    def add(self, file: StoredFile) -> StoredFile:
        self._index(file)
        self.changed("file.created", file.id)
        return file

    def trash(self, file: StoredFile) -> None:
        if not file.trashed:
            file.trashed, file.trashed_time = True, self.clock.now()
            file.version += 1
            self.changed("file.trashed", file.id)

    def untrash(self, file: StoredFile) -> None:
        if file.trashed:
            file.trashed, file.trashed_time = False, None
            file.version += 1
            self.changed("file.untrashed", file.id)

    def delete(self, file: StoredFile) -> None:
        del self.files[file.id]
        for parent in file.parents:
            self.by_parent[parent].remove(file)
        self.changed("file.deleted", file.id)

    def changed(self, kind: str, file_id: str) -> Change:
        """Records a change to `file_id`: the one place every data change passes through."""
        change = Change(
            self.next_change, kind, file_id, self.clock.now(), removed=kind == "file.deleted"
        )
        self.change_log.append(change)
        self.latest_change[file_id] = change.number
        for listener in self.listeners:
            listener(change)
        return change

    def _index(self, file: StoredFile) -> None:
        self.files[file.id] = file
        for parent in file.parents:
            bisect.insort(self.by_parent.setdefault(parent, []), file, key=_created_order)
