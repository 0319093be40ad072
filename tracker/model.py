"""The plan as plain data: plan, task, requirement, assignment and status.

No I/O here. Everything that is *derived* (overdue, a requirement's status, a
task's status) is computed from the stored facts and "today", never stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The state of one unit's assignment. Values are the keys stored in TOML."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """The Chinese label shown to users (未启动, 推进中 ...)."""
        return STATUS_LABELS[self]

    @property
    def label_en(self) -> str:
        return STATUS_LABELS_EN[self]

    @classmethod
    def parse(cls, text: str) -> Status:
        """Accept a key (`done`), a Chinese label (`已完成`) or an English label.

        Raises:
            ValueError: naming the text and the accepted values.
        """
        cleaned = text.strip()
        lowered = cleaned.lower().replace("-", "_").replace(" ", "_")
        for status in cls:
            if lowered == status.value or cleaned == status.label:
                return status
            if lowered == status.label_en.lower().replace(" ", "_"):
                return status
        accepted = ", ".join(f"{s.value}/{s.label}" for s in cls)
        raise ValueError(f"未知状态 {text!r}(可用: {accepted})")

    @property
    def is_closed(self) -> bool:
        """Done or not applicable: nothing more is owed."""
        return self in (Status.DONE, Status.NOT_APPLICABLE)


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.BLOCKED: "受阻",
    Status.NOT_APPLICABLE: "不适用",
}

STATUS_LABELS_EN: dict[Status, str] = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.DONE: "done",
    Status.BLOCKED: "blocked",
    Status.NOT_APPLICABLE: "not applicable",
}


class Role(StrEnum):
    """A unit's role on a requirement: 牵头 (lead) or 落实 (implementer)."""

    LEAD = "lead"
    IMPLEMENTER = "implementer"

    @property
    def label(self) -> str:
        return "牵头" if self is Role.LEAD else "落实"

    @classmethod
    def parse(cls, text: str) -> Role:
        cleaned = text.strip().lower()
        for role in cls:
            if cleaned in (role.value, role.label):
                return role
        if cleaned in ("牵头单位", "牵头落实"):
            return cls.LEAD
        if cleaned in ("落实单位", "责任单位", "分别落实"):
            return cls.IMPLEMENTER
        raise ValueError(f"未知角色 {text!r}(可用: lead/牵头, implementer/落实)")


@dataclass(frozen=True, slots=True)
class Note:
    """One progress note (进展情况) added to an assignment."""

    at: datetime
    by: str
    text: str


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A field two sites changed to different values, recorded by the sync merge.

    ``ours``/``theirs`` are None when that side deleted the value. The file
    keeps ``ours`` until someone chooses (see tracker/merge.py for the format).
    """

    path: tuple[str, ...]
    ours: Any = None
    theirs: Any = None
    ours_by: str = ""
    ours_at: datetime | None = None
    theirs_by: str = ""
    theirs_at: datetime | None = None

    @property
    def field_name(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass(slots=True)
class Assignment:
    """One responsible unit's share of one requirement."""

    unit: str
    role: Role
    status: Status = Status.NOT_STARTED
    notes: list[Note] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    updated: datetime | None = None
    updated_by: str = ""
    # Set when an unknown unit name was kept on import (--allow-unknown-units).
    unknown_unit: bool = False
    # Fields of this table that two sites changed differently (see tracker/merge.py).
    conflicts: list[FieldConflict] = field(default_factory=list)

    @property
    def last_note(self) -> str:
        return self.notes[-1].text if self.notes else ""


@dataclass(slots=True)
class Requirement:
    """One 具体要求 paragraph with its deadline and its responsible units."""

    task: int
    key: str  # "1", "2" ... within the task
    text: str
    responsible: str = ""  # the 责任单位 cell exactly as issued
    deadline: str = ""  # the 时限要求 exactly as issued ("" = unspecified)
    due: tuple[date, ...] = ()
    leads: list[str] = field(default_factory=list)
    implementers: list[str] = field(default_factory=list)
    assignments: dict[str, Assignment] = field(default_factory=dict)
    # True when this paragraph had no unit line of its own and took the row above's.
    inherited: bool = False

    @property
    def id(self) -> str:
        """The user-facing id, e.g. "5.1"."""
        return f"{self.task}.{self.key}"

    def status(self) -> Status:
        """Derived from the assignments (see :func:`combine_statuses`)."""
        return combine_statuses(a.status for a in self.assignments.values())

    def next_due(self, today: date) -> date | None:
        """The first due date on or after today, else the last one, else None."""
        upcoming = [d for d in self.due if d >= today]
        if upcoming:
            return min(upcoming)
        return max(self.due) if self.due else None

    def is_overdue(self, assignment: Assignment, today: date) -> bool:
        """An assignment is overdue when a due date has passed and it is not closed."""
        return is_overdue(self.due, assignment.status, today)


@dataclass(slots=True)
class Task:
    """One numbered task (工作任务) of the plan."""

    number: int
    title: str
    section: str = ""  # "一、扎实做好重点领域信息公开"
    subsection: str = ""  # "(一)做好助推寿光高质量发展信息公开"
    requirements: list[Requirement] = field(default_factory=list)
    # Text the importer could not place, kept so nothing is lost.
    unclassified: list[str] = field(default_factory=list)
    # The task of an earlier plan this one carries on, e.g. "2019#9".
    continues: str = ""
    # Every unresolved sync conflict recorded in the task file (see tracker/merge.py).
    conflicts: list[FieldConflict] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return task_file_stem(self.number)

    def requirement(self, key: str) -> Requirement | None:
        for req in self.requirements:
            if req.key == key:
                return req
        return None

    def assignments(self) -> Iterator[tuple[Requirement, Assignment]]:
        for req in self.requirements:
            for assignment in req.assignments.values():
                yield req, assignment

    def status(self) -> Status:
        return combine_statuses(a.status for _, a in self.assignments())

    def units(self) -> list[str]:
        seen: dict[str, None] = {}
        for _, assignment in self.assignments():
            seen.setdefault(assignment.unit)
        return list(seen)


@dataclass(slots=True)
class PlanInfo:
    """Plan metadata, stored in tasks/plan.toml."""

    year: int
    title: str = ""
    issuer: str = ""
    issued: date | None = None  # None: the issue date is unknown
    source: str = ""  # where the plan came from (notice file name, sheet ...)
    notice_title: str = ""


@dataclass(slots=True)
class Plan:
    """A whole annual plan: metadata plus tasks by number."""

    info: PlanInfo
    tasks: dict[int, Task] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.info.year

    def sorted_tasks(self) -> list[Task]:
        return [self.tasks[n] for n in sorted(self.tasks)]

    def requirements(self) -> Iterator[Requirement]:
        for task in self.sorted_tasks():
            yield from task.requirements

    def assignments(self) -> Iterator[tuple[Task, Requirement, Assignment]]:
        for task in self.sorted_tasks():
            for req, assignment in task.assignments():
                yield task, req, assignment

    def find_requirement(self, req_id: str) -> Requirement | None:
        task_part, _, key = req_id.partition(".")
        try:
            task = self.tasks.get(int(task_part))
        except ValueError:
            return None
        return task.requirement(key) if task else None


def combine_statuses(statuses: Iterable[Status]) -> Status:
    """The status of a group of assignments.

    All not applicable -> not applicable; all closed -> done; any blocked ->
    blocked; any progress (in progress or done) -> in progress; else not started.
    An empty group is not started.
    """
    found = set(statuses)
    if not found:
        return Status.NOT_STARTED
    if found == {Status.NOT_APPLICABLE}:
        return Status.NOT_APPLICABLE
    if found <= {Status.DONE, Status.NOT_APPLICABLE}:
        return Status.DONE
    if Status.BLOCKED in found:
        return Status.BLOCKED
    if found & {Status.IN_PROGRESS, Status.DONE}:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def is_overdue(due: Iterable[date], status: Status, today: date) -> bool:
    """True when some due date is before today and the work is not closed."""
    if status.is_closed:
        return False
    return any(d < today for d in due)


_TASK_NUMBER = re.compile(r"^0*[1-9][0-9]{0,5}$")


def parse_task_number(text: str) -> int:
    """Parse a task number typed by a user or found in a file name.

    Only the plan's own numbering is accepted (1..999999, no sign, no path
    characters), because task numbers become file names.

    Raises:
        ValueError: when the text is not a plain positive number.
    """
    cleaned = text.strip()
    if not _TASK_NUMBER.match(cleaned):
        raise ValueError(f"任务编号必须是正整数: {text!r}")
    return int(cleaned)


def task_file_stem(number: int) -> str:
    """`5` -> `05`: two digits at least so that a clerk's `ls` sorts them."""
    if number < 1:
        raise ValueError(f"任务编号必须是正整数: {number}")
    return f"{number:02d}"
