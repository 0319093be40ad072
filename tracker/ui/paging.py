"""Paging: the task table's rows built a page at a time, from the query index, for what is shown.

Plain Python (no Textual). A :class:`PlanPages` is where the interface reads the tasks
of one plan at one commit: the query index (:mod:`tracker.plan_index`) when it can
answer, else the plan read whole (a store this account may not write, a past commit).
A :class:`RowFeed` is one filter over it: it builds the rows of the next few tasks the
filter can match (``unit:`` narrows them through the index) until the page the screen
asked for is full, so a plan of 10,000 tasks costs what the screen shows, not what it holds.

Why paging over the index, and not a virtual table over every row: the rows' facts
(status of the matched assignments, done/total, overdue) need each task built, and
building all 10,000 tasks of size L from the index costs 2.3 s of CPU and most of the
memory, whoever draws them; a table that draws only visible lines still needs them all
to know what the filter shows. So the screen asks for a page (a few table heights), the
feed builds tasks until it is full, and scrolling near its end asks for the next one;
the count is exact with no filter (the index knows every task's requirements) and
``N+`` otherwise until the last page is built. The table stays Textual's ``DataTable``,
holding the rows built. Measured with ``tracker/bench/tui_probe.py`` at L (10,000 tasks,
237,525 assignments), 2-core machine at load 6-10, medians, the bare Textual table
with every row ("floor") measured in the same run:

- start to first rows, wall / CPU: whole plan (before) 22-32 s / 8.7-9.7 s; pages
  (this) 1.9 s / 0.89 s; floor 7.9 s / 3.1 s.
- peak resident memory: before 663 MB; pages 83 MB; floor 72 MB.
- filter keystroke, wall / CPU: before 0.48-1.3 s / 0.19-0.41 s; pages 0.25 s / 0.09 s;
  floor 0.16 s / 0.06 s.
- S and M (``bench run --sizes S,M``): start 1.05 s and 1.03 s (floor 0.79 s, 0.76 s),
  keystroke 173 ms and 195 ms (floor 75 ms, 60 ms), 52 MB and 54 MB (floor 37 MB, 38 MB).

The keystroke left is Textual repainting the screen (the probe's prefix ``task:1..`` is
an error, so its line goes and the whole screen moves up a line: 0.06 s of CPU of it);
no row of ours costs more than a few milliseconds.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.model import Assignment, PlanInfo, Requirement, Task
from tracker.planio import LoadedPlan
from tracker.query import Query
from tracker.ui.rows import AssignmentMatcher, Row, task_rows

# Tasks built by a feed's first step; the next steps build about as many as the rows still
# wanted need at the rate seen so far (a sparse filter reads more of the plan per step).
FIRST_STEP = 32
LAST_STEP = 1024
# Tasks kept once built, the most recently used (a whole S or M plan; about 30 MB at L):
# the next keystroke's filter reads them again without building them.
KEEP_TASKS = 600


@dataclass(frozen=True)
class TaskOutline:
    """One task as the sections tree and the counts need it (no requirement built)."""

    number: int
    title: str
    section: str
    subsection: str
    requirements: int


class PlanPages:
    """The tasks of one plan at one commit, built on demand."""

    def __init__(
        self,
        info: PlanInfo,
        outline: Sequence[TaskOutline],
        units: Iterable[str],
        fetch: Callable[[Sequence[int]], dict[int, Task]],
        candidates: Callable[[Query], frozenset[int] | None],
        *,
        indexed: bool,
    ) -> None:
        self.info = info
        self.outline = list(outline)
        self.numbers = [t.number for t in self.outline]
        self.units = frozenset(units)
        self.total_requirements = sum(t.requirements for t in self.outline)
        self.indexed = indexed  # read from the query index (else the whole plan is in memory)
        self._fetch = fetch
        self._candidates = candidates
        self._kept: OrderedDict[int, Task] = OrderedDict()
        self._kept_lock = threading.Lock()

    @classmethod
    def from_index(cls, store: Any, year: int, commit: str, info: PlanInfo, today: date) -> PlanPages | None:
        """Pages read from the query index of ``plan/YEAR`` at ``commit``; None: it cannot answer."""
        from tracker.plan_index import IndexUnusable, PlanIndex

        try:
            index = PlanIndex.open(store, year, commit)
        except IndexUnusable:
            return None
        try:
            rows = index.task_rows(today)
        finally:
            index.close()
        outline = [
            TaskOutline(r["task"], r["title"], r["section"], r["subsection"], int(r["requirements"])) for r in rows
        ]
        units = {u for r in rows for u in r["units"]}

        def fetch(numbers: Sequence[int]) -> dict[int, Task]:
            # A connection per call: the feed runs in whichever worker thread asks.
            try:
                index = PlanIndex.open(store, year, commit)
            except IndexUnusable:
                return {}
            try:
                return index.tasks(numbers)
            finally:
                index.close()

        def candidates(query: Query) -> frozenset[int] | None:
            try:
                index = PlanIndex.open(store, year, commit)
            except IndexUnusable:
                return None
            try:
                return query.candidate_tasks(index.tasks_naming)
            finally:
                index.close()

        return cls(info, outline, units, fetch, candidates, indexed=True)

    @classmethod
    def from_plan(cls, loaded: LoadedPlan) -> PlanPages:
        """Pages over a plan already read whole."""
        plan = loaded.plan
        tasks = plan.sorted_tasks()
        outline = [TaskOutline(t.number, t.title, t.section, t.subsection, len(t.requirements)) for t in tasks]
        units = {a.unit for _t, _r, a in plan.assignments()}

        def fetch(numbers: Sequence[int]) -> dict[int, Task]:
            return {n: plan.tasks[n] for n in numbers if n in plan.tasks}

        def candidates(query: Query) -> frozenset[int] | None:
            return query.candidate_tasks(lambda names: {t.number for t in tasks if names & set(t.units())})

        return cls(plan.info, outline, units, fetch, candidates, indexed=False)

    def tasks(self, numbers: Sequence[int]) -> dict[int, Task]:
        """``{number: Task}`` for these numbers (built now when read from the index and not kept)."""
        kept = self._kept
        with self._kept_lock:
            found = {n: kept[n] for n in numbers if n in kept}
        missing = [n for n in numbers if n not in found]
        if missing:
            found.update(self._fetch(missing))
        with self._kept_lock:
            for n in numbers:
                if n in found:
                    kept[n] = found[n]
                    kept.move_to_end(n)
            while len(kept) > KEEP_TASKS:
                kept.popitem(last=False)
        return found

    def assignments(self, step: int = LAST_STEP) -> Iterator[tuple[Task, Requirement, Assignment]]:
        """Every assignment of the plan in plan order, ``step`` tasks built at a time and let go."""
        for start in range(0, len(self.numbers), step):
            chunk = self.numbers[start : start + step]
            built = self._fetch(chunk)
            for number in chunk:
                task = built.get(number)
                if task is not None:
                    for req in task.requirements:
                        for a in req.assignments.values():
                            yield task, req, a

    def task(self, number: int) -> Task | None:
        return self.tasks([number]).get(number)

    def find_requirement(self, key: str) -> tuple[Task | None, Requirement | None]:
        """The task and requirement of a row key ("5.1"), building that one task."""
        head = key.split(".", 1)[0]
        if not head.isdigit():
            return None, None
        task = self.task(int(head))
        if task is None:
            return None, None
        req = next((r for r in task.requirements if r.id == key), None)
        return task, req

    def candidate_numbers(self, matcher: AssignmentMatcher) -> list[int]:
        """The tasks, in plan order, that the filter can match at all."""
        if matcher.query.is_empty:
            return list(self.numbers)
        found = self._candidates(matcher.query)
        return list(self.numbers) if found is None else [n for n in self.numbers if n in found]


class RowFeed:
    """The rows of one filter, built in plan order as far as the screen has asked.

    ``rows`` grows only under the feed's lock, by :meth:`more`. The tasks behind the rows
    are not kept here (every row built would hold its whole task): :meth:`PlanPages.task`
    gives the one the detail pane shows, from the recently used ones.
    """

    def __init__(self, pages: PlanPages, matcher: AssignmentMatcher, today: date) -> None:
        self.pages = pages
        self.matcher = matcher
        self.today = today
        self.rows: list[Row] = []
        self.tasks_built = 0  # tasks read to build the rows so far (the test of paging counts them)
        self._numbers: list[int] | None = None
        self._next = 0
        self._lock = threading.Lock()

    @property
    def complete(self) -> bool:
        """Every row of the filter is built."""
        return self._numbers is not None and self._next >= len(self._numbers)

    @property
    def total(self) -> int | None:
        """How many rows the filter shows in all, when known without building them."""
        if self.complete:
            return len(self.rows)
        if self.matcher.query.is_empty:
            return self.pages.total_requirements
        return None

    def more(self, want: int | None, *, until_task: int | None = None,
             cancelled: Callable[[], bool] = lambda: False) -> list[Row]:
        """Build rows until ``want`` are built (None: all), or one of task ``until_task`` or later; the new rows."""
        with self._lock:
            start = len(self.rows)
            if self._numbers is None:
                self._numbers = self.pages.candidate_numbers(self.matcher)
            while not self.complete and not cancelled():
                if want is not None and len(self.rows) >= want and until_task is None:
                    break
                if until_task is not None and self.rows and self.rows[-1].task >= until_task:
                    break
                chunk = self._numbers[self._next : self._next + self._next_step(want)]
                self._next += len(chunk)
                built = self.pages.tasks(chunk)
                self.tasks_built += len(built)
                for number in chunk:
                    task = built.get(number)
                    if task is None:
                        continue
                    self.rows.extend(task_rows(task, self.matcher, self.today))
            return self.rows[start:]

    def _next_step(self, want: int | None) -> int:
        """How many tasks to build next: about what the rows still wanted need, at the rate seen so far."""
        if want is None or not self._next:
            step = FIRST_STEP if not self._next else LAST_STEP
        else:
            rate = len(self.rows) / self._next  # rows per task read so far (a sparse filter: few)
            step = math.ceil((want - len(self.rows)) / rate) + 1 if rate else self._next * 2
        return max(1, min(LAST_STEP, step))

    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


__all__ = ["PlanPages", "RowFeed", "TaskOutline"]
