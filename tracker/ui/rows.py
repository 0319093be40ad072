"""The task table's rows: a loaded plan and a query in the shared filter language -> one row per requirement.

Plain Python (no Textual): the main screen builds rows inline or in a worker, and the
tests call :func:`build_rows` directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from tracker import query
from tracker.model import Assignment, Requirement, Role, Status, Task, combine_statuses
from tracker.planio import LoadedPlan
from tracker.query import Query
from tracker.textsafe import clean_line

# ---------------------------------------------------------------- rows of the table


@dataclass(frozen=True)
class Row:
    """One requirement as the task table shows it (only what the cells need)."""

    key: str  # "5.1"
    task: int
    title: str
    section: str
    subsection: str
    status: Status
    due: date | None
    ongoing: bool
    lead: str
    done: int
    total: int
    overdue: bool
    units: tuple[str, ...]  # the units the filter matched, in plan order


def _due_of(req: Requirement, today: date) -> date | None:
    return req.next_due(today)


def build_rows(loaded: LoadedPlan, match: AssignmentMatcher, today: date) -> list[Row]:
    """Rows for every requirement having at least one assignment the filter matches.

    The status shown is that of the matched assignments (an operator filtered to
    her unit sees her own status); done/total count every assignment.
    """
    return [row for task in loaded.plan.sorted_tasks() for row in task_rows(task, match, today)]


def task_rows(task: Task, match: AssignmentMatcher, today: date) -> Iterator[Row]:
    """The rows of one task's requirements that the filter shows (see :func:`build_rows`)."""
    verdict = match.task_verdict(task)
    if verdict is False:
        return
    for req in task.requirements:
        if verdict:
            matched = list(req.assignments.values())
        else:
            matched = [a for a in req.assignments.values() if match(task, req, a)]
            if not matched and not (not req.assignments and match.matches_empty(task, req)):
                continue
        closed = sum(1 for a in req.assignments.values() if a.status.is_closed)
        leads = req.leads or [a.unit for a in req.assignments.values() if a.role is Role.LEAD]
        yield Row(
            key=req.id,
            task=task.number,
            title=clean_line(task.title),
            section=clean_line(task.section),
            subsection=clean_line(task.subsection),
            status=combine_statuses(a.status for a in matched),
            due=_due_of(req, today),
            ongoing=not req.due and bool(req.deadline),
            lead=clean_line(leads[0]) if leads else "",
            done=closed,
            total=len(req.assignments),
            overdue=any(req.is_overdue(a, today) for a in matched),
            units=tuple(a.unit for a in matched),
        )


# ---------------------------------------------------------------- filters


class FilterError(ValueError):
    """A query the filter language refused, with where it went wrong."""

    def __init__(self, message: str, position: int = 0, token: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.token = token


@dataclass
class FilterContext:
    """What a query needs besides the task: today, the registry, who is asking."""

    today: date
    loaded: LoadedPlan
    my_units: tuple[str, ...] = ()


class AssignmentMatcher:
    """A compiled query (the shared filter language): call it with (task, requirement, assignment)."""

    def __init__(self, text: str, ctx: FilterContext) -> None:
        self.text = text
        self.ctx = ctx
        registry = ctx.loaded.registry
        try:
            self._query = query.parse(text, registry)
        except query.QueryError as exc:
            raise FilterError(exc.message, exc.position, exc.token) from None
        self._match_ctx = query.MatchContext(today=ctx.today, registry=registry)

    @property
    def query(self) -> Query:
        """The parsed query (bound to the plan's registry)."""
        return self._query

    def __call__(self, task: Task, req: Requirement, assignment: Assignment) -> bool:
        return self._query.match_assignment(task, req, assignment, self._match_ctx)

    def task_verdict(self, task: Task) -> bool | None:
        """The query's word on all of ``task`` at once: False skip it, True show all of it, None check each."""
        return self._query.task_verdict(task, self._match_ctx)

    def matches_empty(self, task: Task, req: Requirement) -> bool:
        """Whether a requirement with no assignment at all is shown."""
        return self._query.match_assignment(task, req, None, self._match_ctx)


# ---------------------------------------------------------------- one-key filters


def my_unit_query(units: Sequence[str]) -> str:
    """The filter an operator lands on: her unit(s)."""
    return " or ".join(f"unit:{u}" for u in units)


QUICK_FILTERS: dict[str, str] = {
    "overdue": "overdue",
    "due30": "due-within:30",
    "not_started": "status:not_started",
    "all": "",
}
