"""The report as plain data: built once from a plan, rendered by every format.

:func:`build_report` turns a :class:`~tracker.planio.LoadedPlan`, a filter and an
as-of date (plus, optionally, the history since a date and the reminder log) into a
:class:`Report`. Every renderer (table, markdown, json, html, docx, xlsx) reads only
this structure, so the numbers agree across formats by construction, and the result
is deterministic: everything is sorted, and the only date in it is the as-of date.

Counting rules (the same as ``tracker list``):
- one *assignment* = one unit's share of one requirement;
- overdue = a due date before the as-of date and the work not closed
  (:func:`tracker.model.is_overdue`); days late count from the earliest missed date;
- due soon = not closed and a due date within ``[as_of, as_of + due_within]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tracker.model import Assignment, Requirement, Role, Status, Task, combine_statuses, is_overdue
from tracker.planio import LoadedPlan
from tracker.query import MatchContext, Query
from tracker.reminders import ReminderRecord
from tracker.textsafe import clean_line, clean_text

Matcher = Callable[[Task, Requirement, Assignment], bool]

STATUS_ORDER: tuple[Status, ...] = (
    Status.DONE,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.BLOCKED,
    Status.NOT_APPLICABLE,
)


@dataclass
class Counts:
    """Assignment counts of one slice (the whole report, a unit, a section, a task)."""

    total: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    blocked: int = 0
    not_applicable: int = 0
    overdue: int = 0
    due_soon: int = 0
    reminders: int = 0

    def add(self, status: Status, *, overdue: bool, due_soon: bool) -> None:
        """Count one assignment."""
        self.total += 1
        setattr(self, status.value, getattr(self, status.value) + 1)
        self.overdue += overdue
        self.due_soon += due_soon

    def of(self, status: Status) -> int:
        """The count of one status."""
        return int(getattr(self, status.value))

    @property
    def applicable(self) -> int:
        """Assignments that count towards completion (not applicable ones do not)."""
        return self.total - self.not_applicable

    @property
    def done_percent(self) -> int:
        """Done out of applicable, as a whole percentage rounded down (100 when nothing applies)."""
        if not self.applicable:
            return 100 if self.total else 0
        return self.done * 100 // self.applicable


@dataclass
class UnitRow:
    unit: str
    kind: str
    counts: Counts = field(default_factory=Counts)
    last_reminded: date | None = None


@dataclass
class SectionRow:
    section: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class TaskRow:
    number: int
    title: str
    section: str
    status: Status
    counts: Counts = field(default_factory=Counts)


@dataclass
class OverdueItem:
    """One late assignment."""

    requirement: str  # "5.1"
    task: int
    title: str
    unit: str
    role: Role
    status: Status
    deadline: str
    missed: date  # the earliest due date that has passed
    days_late: int
    leads: list[str]
    last_note: str
    last_note_at: date | None
    reminders: int
    last_reminded: date | None


@dataclass
class DueItem:
    """One open assignment with a due date coming up."""

    requirement: str
    task: int
    title: str
    unit: str
    role: Role
    status: Status
    deadline: str
    due: date
    days_left: int
    overdue: bool


@dataclass
class AssignmentDetail:
    unit: str
    role: Role
    status: Status
    overdue: bool
    note: str
    note_at: date | None
    evidence: list[str]
    reminders: int


@dataclass
class RequirementDetail:
    id: str
    text: str
    deadline: str
    due: list[date]
    status: Status
    assignments: list[AssignmentDetail]


@dataclass
class TaskDetail:
    number: int
    title: str
    section: str
    subsection: str
    status: Status
    requirements: list[RequirementDetail]


@dataclass
class ChangeRow:
    """One field-level change from the history, inside the ``--since`` period."""

    at: datetime
    commit: str
    login: str
    task: int | None
    requirement: str
    unit: str
    field: str
    old: str
    new: str


@dataclass
class ReminderRow:
    """Reminders of one unit up to the as-of date."""

    unit: str
    count: int
    items: dict[str, int]  # requirement id -> times chased
    last: date | None


@dataclass
class Report:
    """Everything a report shows, in display order."""

    title: str
    year: int
    as_of: date
    query: str
    due_within: int
    since: date | None
    summary: Counts
    by_unit: list[UnitRow]
    by_section: list[SectionRow]
    by_task: list[TaskRow]
    overdue: list[OverdueItem]
    due_soon: list[DueItem]
    tasks: list[TaskDetail]
    changes: list[ChangeRow]
    reminders: list[ReminderRow]
    # False when --since was not asked for; [] then means "not computed", not "nothing changed".
    has_changes: bool = False


def _days_late(due: Iterable[date], as_of: date) -> tuple[date, int] | None:
    missed = [d for d in due if d < as_of]
    if not missed:
        return None
    first = min(missed)
    return first, (as_of - first).days


def _due_soon(due: Iterable[date], as_of: date, within: int) -> date | None:
    horizon = as_of + timedelta(days=within)
    upcoming = [d for d in due if as_of <= d <= horizon]
    return min(upcoming) if upcoming else None


def _note_date(assignment: Assignment) -> date | None:
    return assignment.notes[-1].at.date() if assignment.notes else None


def unit_order(loaded: LoadedPlan, units: Iterable[str]) -> list[str]:
    """Registry order first (市直部门, then towns, as the office lists them), then the rest by name."""
    known = list(loaded.registry.units) + list(loaded.registry.groups)
    rank = {name: i for i, name in enumerate(known)}
    return sorted(set(units), key=lambda u: (rank.get(u, len(rank)), u))


def build_report(
    loaded: LoadedPlan,
    *,
    as_of: date,
    matcher: Matcher | None = None,
    query: str = "",
    due_within: int = 30,
    since: date | None = None,
    events: Iterable[Any] = (),
    reminders: Iterable[ReminderRecord] = (),
) -> Report:
    """Build the report for the assignments ``matcher`` accepts, as seen on ``as_of``.

    Args:
        loaded: the plan with its registry.
        as_of: the day the report is about ("today"); the only date printed as generation time.
        matcher: which assignments count; None takes all.
        query: the query text, shown in the report header.
        due_within: the horizon of the "due soon" list, in days.
        since: when given, ``events`` after this day (up to as_of) are listed as changes.
        events: history events (objects or mappings with ``at``, ``commit``, ``login``, ``task``,
            ``requirement``, ``unit``, ``field``, ``old``, ``new``); reminder events are skipped here.
        reminders: the reminder log; records after ``as_of`` are ignored.

    Raises:
        ValueError: ``due_within`` is negative.
    """
    if due_within < 0:
        raise ValueError(f"--due-within 不能为负数: {due_within}")
    plan = loaded.plan
    registry = loaded.registry
    chased: dict[tuple[str, str], list[date]] = {}
    unit_chased: dict[str, list[date]] = {}
    for record in reminders:
        if record.at > as_of:
            continue
        unit_chased.setdefault(record.unit, []).append(record.at)
        for item in record.items:
            chased.setdefault((record.unit, item), []).append(record.at)

    summary = Counts()
    units: dict[str, UnitRow] = {}
    sections: dict[str, SectionRow] = {}
    task_rows: list[TaskRow] = []
    overdue: list[OverdueItem] = []
    due_soon: list[DueItem] = []
    details: list[TaskDetail] = []
    selected: set[tuple[str, str]] = set()

    for task in plan.sorted_tasks():
        task_counts = Counts()
        req_details: list[RequirementDetail] = []
        task_statuses: list[Status] = []
        for req in task.requirements:
            a_details: list[AssignmentDetail] = []
            for assignment in req.assignments.values():
                if matcher is not None and not matcher(task, req, assignment):
                    continue
                selected.add((assignment.unit, req.id))
                unit = clean_line(assignment.unit)  # a name from a file: text for people, never control
                status = assignment.status
                late = is_overdue(req.due, status, as_of)
                soon = None if status.is_closed else _due_soon(req.due, as_of, due_within)
                times = len(chased.get((assignment.unit, req.id), ()))
                unit_row = units.get(unit)
                if unit_row is None:
                    unit_row = units[unit] = UnitRow(unit, registry.kind_of(assignment.unit))
                section = clean_line(task.section) or "(未分章节)"
                section_row = sections.setdefault(section, SectionRow(section))
                for counts in (summary, unit_row.counts, section_row.counts, task_counts):
                    counts.add(status, overdue=late, due_soon=soon is not None)
                    counts.reminders += times
                task_statuses.append(status)
                note = clean_text(assignment.last_note)
                if late:
                    missed, days = _days_late(req.due, as_of) or (as_of, 0)
                    dates = chased.get((assignment.unit, req.id), [])
                    overdue.append(
                        OverdueItem(
                            requirement=req.id,
                            task=task.number,
                            title=clean_line(task.title),
                            unit=unit,
                            role=assignment.role,
                            status=status,
                            deadline=clean_line(req.deadline),
                            missed=missed,
                            days_late=days,
                            leads=[clean_line(a.unit) for a in req.assignments.values() if a.role is Role.LEAD]
                            or [clean_line(u) for u in req.leads],
                            last_note=note,
                            last_note_at=_note_date(assignment),
                            reminders=times,
                            last_reminded=max(dates) if dates else None,
                        )
                    )
                if soon is not None:
                    due_soon.append(
                        DueItem(
                            requirement=req.id,
                            task=task.number,
                            title=clean_line(task.title),
                            unit=unit,
                            role=assignment.role,
                            status=status,
                            deadline=clean_line(req.deadline),
                            due=soon,
                            days_left=(soon - as_of).days,
                            overdue=late,
                        )
                    )
                a_details.append(
                    AssignmentDetail(
                        unit=unit,
                        role=assignment.role,
                        status=status,
                        overdue=late,
                        note=note,
                        note_at=_note_date(assignment),
                        evidence=[clean_line(e) for e in assignment.evidence],
                        reminders=times,
                    )
                )
            if a_details:
                req_details.append(
                    RequirementDetail(
                        id=req.id,
                        text=clean_text(req.text),
                        deadline=clean_line(req.deadline),
                        due=sorted(req.due),
                        status=_combine([a.status for a in a_details]),
                        assignments=a_details,
                    )
                )
        if req_details:
            status = _combine(task_statuses)
            task_rows.append(TaskRow(task.number, clean_line(task.title), clean_line(task.section), status, task_counts))
            details.append(
                TaskDetail(
                    number=task.number,
                    title=clean_line(task.title),
                    section=clean_line(task.section),
                    subsection=clean_line(task.subsection),
                    status=status,
                    requirements=req_details,
                )
            )

    for unit, dates in unit_chased.items():
        if unit in units:
            units[unit].last_reminded = max(dates)

    rank = {u: i for i, u in enumerate(unit_order(loaded, units))}
    overdue.sort(
        key=lambda o: (-o.days_late, _req_sort_key(o.requirement), o.role is not Role.LEAD, rank[o.unit])
    )
    due_soon.sort(key=lambda d: (d.due, _req_sort_key(d.requirement), d.role is not Role.LEAD, rank[d.unit]))
    reminder_rows = _reminder_rows(loaded, reminders, as_of, selected, set(units))
    changes = _changes(events, since, as_of, selected) if since is not None else []
    return Report(
        title=clean_line(plan.info.title) or f"{plan.year}年政务公开工作任务分工",
        year=plan.year,
        as_of=as_of,
        query=clean_line(query),
        due_within=due_within,
        since=since,
        summary=summary,
        by_unit=[units[u] for u in unit_order(loaded, units)],
        by_section=list(sections.values()),
        by_task=task_rows,
        overdue=overdue,
        due_soon=due_soon,
        tasks=details,
        changes=changes,
        reminders=reminder_rows,
        has_changes=since is not None,
    )


def _combine(statuses: list[Status]) -> Status:
    return combine_statuses(statuses)


def _reminder_rows(
    loaded: LoadedPlan,
    reminders: Iterable[ReminderRecord],
    as_of: date,
    selected: set[tuple[str, str]],
    units: set[str],
) -> list[ReminderRow]:
    """Reminders to the units in the report, counting only the items the query selects."""
    rows: dict[str, ReminderRow] = {}
    for record in reminders:
        if record.at > as_of or record.unit not in units:
            continue
        row = rows.setdefault(record.unit, ReminderRow(record.unit, 0, {}, None))
        row.count += 1
        row.last = record.at if row.last is None else max(row.last, record.at)
        for item in record.items:
            if (record.unit, item) in selected:
                row.items[item] = row.items.get(item, 0) + 1
    for row in rows.values():
        row.items = dict(sorted(row.items.items(), key=lambda kv: _req_sort_key(kv[0])))
    return [rows[u] for u in unit_order(loaded, rows)]


def _req_sort_key(req_id: str) -> tuple[int, int, str]:
    task, _, key = req_id.partition(".")
    try:
        return int(task), int(key or 0), ""
    except ValueError:
        return 0, 0, req_id


def _get(event: Any, name: str, default: Any = None) -> Any:
    if isinstance(event, Mapping):
        return event.get(name, default)
    return getattr(event, name, default)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _changes(
    events: Iterable[Any], since: date, as_of: date, selected: set[tuple[str, str]]
) -> list[ChangeRow]:
    """Changes to the assignments the report covers, dated ``since`` to ``as_of`` inclusive, oldest first.

    Plan-wide edits (metadata, the unit registry, operators) and reminders are left out:
    the period's changes are about units' work.
    """
    rows: list[ChangeRow] = []
    for event in events:
        field_name = str(_get(event, "field", "") or "")
        if field_name == "reminder":
            continue
        at = _as_datetime(_get(event, "at"))
        if at is None or not (since <= at.date() <= as_of):
            continue
        unit = clean_line(str(_get(event, "unit", "") or ""))
        task = _get(event, "task")
        requirement = str(_get(event, "requirement", "") or "")
        if task is not None and requirement and "." not in requirement:
            requirement = f"{task}.{requirement}"
        if (unit, requirement) not in selected:
            continue
        rows.append(
            ChangeRow(
                at=at,
                commit=str(_get(event, "commit", "") or ""),
                login=clean_line(str(_get(event, "login", "") or "")),
                task=int(task)
                if isinstance(task, int) or (isinstance(task, str) and task.isdigit())
                else None,
                requirement=clean_line(requirement),
                unit=unit,
                field=clean_line(field_name),
                old=_value_text(field_name, _get(event, "old", "")),
                new=_value_text(field_name, _get(event, "new", "")),
            )
        )
    rows.sort(key=lambda r: (r.at.isoformat(), r.commit, r.requirement, r.unit, r.field))
    return rows


def _value_text(field_name: str, value: Any) -> str:
    """A changed value as people read it: statuses by their Chinese label."""
    text = clean_line(_text(value))
    if field_name == "status" and text:
        try:
            return Status.parse(text).label
        except ValueError:
            return text
    return text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Status):
        return value.label
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value)
    return str(value)


def status_label(status: Status, lang: str = "zh") -> str:
    """The label a report prints for a status."""
    return status.label_en if lang == "en" else status.label


def query_matcher(query: Query, loaded: LoadedPlan, as_of: date) -> Matcher | None:
    """A matcher for :func:`build_report` from a parsed query (None when the query is empty)."""
    if query.is_empty:
        return None
    ctx = MatchContext(today=as_of, registry=loaded.registry)
    query.bind(loaded.registry)
    return lambda task, req, assignment: query.match_assignment(task, req, assignment, ctx)
