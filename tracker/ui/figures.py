"""The dashboard's figures: progress per unit and per section, overdue counts, what falls due soon.

Plain Python (no Textual). Units come in the registry's official order (tasks/units.toml,
as the office lists them), the same order as the reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.model import Assignment, Requirement, Task
from tracker.planio import LoadedPlan
from tracker.textsafe import clean_line


@dataclass
class Progress:
    """Done/total/overdue for one unit or one section."""

    name: str
    done: int = 0
    total: int = 0
    overdue: int = 0


@dataclass
class Upcoming:
    """One assignment falling due soon."""

    due: date
    requirement: str
    unit: str
    title: str


@dataclass
class Figures:
    """Everything the dashboard draws."""

    units: list[Progress]
    sections: list[Progress]
    upcoming: list[Upcoming]
    overdue: int


def dashboard_figures(
    loaded: LoadedPlan, today: date, days: int = 30,
    assignments: Iterable[tuple[Task, Requirement, Assignment]] | None = None,
) -> Figures:
    """Progress per unit and section, overdue counts, what falls due within ``days``.

    ``assignments``: the plan's, when ``loaded`` holds its metadata only (the interface
    streams them from the query index, so the whole plan is never held at once).
    """
    from tracker.reports.model import unit_order  # the reports' order; loaded when the dashboard opens

    units: dict[str, Progress] = {}
    sections: dict[str, Progress] = {}
    upcoming: list[Upcoming] = []
    overdue_total = 0
    end = today + timedelta(days=days)
    for task, req, a in loaded.plan.assignments() if assignments is None else assignments:
        late = req.is_overdue(a, today)
        closed = a.status.is_closed
        for bucket, name in ((units, a.unit), (sections, task.section or "—")):
            p = bucket.setdefault(name, Progress(clean_line(name)))
            p.total += 1
            p.done += closed
            p.overdue += late
        overdue_total += late
        if not closed:
            for d in req.due:
                if today <= d <= end:
                    upcoming.append(Upcoming(d, req.id, clean_line(a.unit), clean_line(task.title)))
                    break
    unit_list = [units[name] for name in unit_order(loaded, units)]
    upcoming.sort(key=lambda u: (u.due, u.requirement, u.unit))
    return Figures(unit_list, list(sections.values()), upcoming, overdue_total)
