"""What a bulk ``set`` over a range or a task-naming query left out, and why, said before it commits.

``tracker set 5..9 --unit 营里镇`` changes 6.1 alone when only task 6 has a 营里镇
assignment; the clerk must hear that 5, 7, 8 and 9 were skipped for that reason,
not guess it from the one line that changed.
"""

from __future__ import annotations

from collections.abc import Collection

import typer

from tracker.cli.plan_source import fail
from tracker.i18n import t
from tracker.model import Assignment, Requirement, Task
from tracker.planio import LoadedPlan
from tracker.unit_names import UnitNameError, not_assigned, resolve_unit_names, unit_label


def skipped_lines(loaded: LoadedPlan, needed: Collection[int] | None,
                  items: list[tuple[Task, Requirement, Assignment]], req: str | None, unit: str | None) -> list[str]:
    """One line per reason: tasks the plan lacks, tasks without the unit, tasks the query excluded."""
    if not needed:
        return []  # a query over the whole plan: tasks it does not match are not "skipped"
    tasks = loaded.plan.tasks
    numbers = sorted(needed)
    hit = {task.number for task, _, _ in items}
    units: frozenset[str] | None = None
    if unit is not None:
        try:
            units = resolve_unit_names(loaded.registry, unit)
        except UnitNameError:
            return []  # reported already by the selection
    single_req = req is not None and "." in req and ".." not in req and "," not in req
    missing = [n for n in numbers if n not in tasks]
    no_unit: list[str] = []
    excluded: list[str] = []
    for n in numbers:
        if n in missing or n in hit:
            continue
        where = req.strip() if single_req and req is not None else str(n)
        reqs = tasks[n].requirements
        if single_req and req is not None:
            reqs = [r for r in reqs if r.id == req.strip()]
        if units is not None and not any(units & r.assignments.keys() for r in reqs):
            no_unit.append(where)
        else:
            excluded.append(where)
    lines = []
    year = loaded.plan.year
    if missing:
        shown = "、".join(map(str, missing))
        lines.append(t(f"{year} 年计划中没有任务 {shown}", f"the {year} plan has no task {shown}"))
    if no_unit and units is not None and unit is not None:
        lines.append(not_assigned(t("任务 ", "task ") + "、".join(no_unit), [unit_label(units, unit)]))
    if excluded:
        shown = "、".join(excluded)
        lines.append(t(f"任务 {shown} 没有符合查询的单位条目", f"task {shown}: no assignment matches the query"))
    return lines


def report_skipped(loaded: LoadedPlan, needed: Collection[int] | None,
                   items: list[tuple[Task, Requirement, Assignment]], req: str | None, unit: str | None) -> None:
    """Print :func:`skipped_lines` on stderr; when nothing is left, they are the error (exit 1).

    With nothing selected, ``set 5.1 --unit 营里镇`` then fails with the same line
    with or without ``--dry-run``.
    """
    lines = skipped_lines(loaded, needed, items, req, unit)
    if not items and lines:
        fail("\n".join(lines))
    for line in lines:
        typer.echo(t("跳过: ", "skipped: ") + line, err=True)
