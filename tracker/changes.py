"""What a change is: one field of one unit's assignment (:class:`Change`), and a clash with the tip (:class:`Conflict`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.rules import FIELD_LABELS


@dataclass(frozen=True)
class Change:
    """One field change on one unit's assignment."""

    task: int
    requirement: str  # "1" (the key within the task)
    unit: str  # unit name (aliases accepted, canonical name recorded)
    field: str  # "status" | "note" | "evidence" | "note_remove" | "evidence_remove"
    value: str  # status key or label; note text (appended); evidence item (added / removed)
    expected: str | None = None  # the value the user saw; a different current value is a conflict

    @property
    def req_id(self) -> str:
        return f"{self.task}.{self.requirement}"


@dataclass(frozen=True)
class Conflict:
    """A field that changed between the user's base and the tip."""

    change: Change
    base: str
    current: str
    by: str
    at: datetime | None

    def describe(self) -> str:
        when = self.at.strftime("%Y-%m-%d %H:%M") if self.at else "?"
        return (
            f"任务{self.change.req_id} {self.change.unit} 的{FIELD_LABELS[self.change.field]}已被 {self.by or '?'} "
            f"于 {when} 改为 {self.current!r}(你看到的是 {self.base!r})"
        )
