"""What every portal write answers: the record after the write, or the problems that
stopped it (then nothing was written), or both when one upstream fell behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from resolvers.request.user_input import Problem

T = TypeVar("T")


@dataclass(frozen=True)
class WriteResult(Generic[T]):
    record: T | None
    problems: list[Problem] = field(default_factory=list)
