"""Rows for ``tracker list --by task|requirement|assignment``: plain dicts, ready for JSON, CSV or a table.

The JSON field names are a promise to scripts (issue 2 item 8, issue 4):

- ``--by requirement``: ``task`` (int), ``requirement`` ("5.1"), ``title``, ``text``,
  ``deadline`` (as written), ``due`` (ISO dates), ``leads``, ``implementers``, and
  ``responsible``, ``section``, ``subsection``, ``status``, ``status_label``,
  ``overdue``, ``units``.
- ``--by assignment``: ``task``, ``requirement``, ``unit``, ``role``, ``status``, ``due``,
  ``overdue``, and ``title``, ``deadline``, ``role_label``, ``status_label``, ``note``,
  ``notes``, ``evidence``, ``updated``, ``updated_by``.
- ``--by task``: ``task``, ``title``, ``section``, ``subsection``, ``status``,
  ``status_label``, ``requirements``, ``units``, ``due``, ``overdue``.

Pure core: no typer, no textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from tracker.model import Assignment, Plan, Requirement, Task, combine_statuses, is_overdue
from tracker.query import MatchContext, Query, parse
from tracker.tabular import Column

BY_CHOICES = ("task", "requirement", "assignment")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _due(dues: Iterable[date]) -> list[str]:
    return [d.isoformat() for d in sorted(set(dues))]


def assignment_row(task: Task, req: Requirement, a: Assignment, today: date) -> dict[str, Any]:
    """One unit's assignment as a flat dict."""
    return {
        "task": task.number,
        "requirement": req.id,
        "title": task.title,
        "unit": a.unit,
        "role": a.role.value,
        "role_label": a.role.label,
        "status": a.status.value,
        "status_label": a.status.label,
        "deadline": req.deadline,
        "due": _due(req.due),
        "overdue": is_overdue(req.due, a.status, today),
        "note": a.last_note,
        "notes": [{"at": _iso(n.at), "by": n.by, "text": n.text} for n in a.notes],
        "evidence": list(a.evidence),
        "updated": _iso(a.updated),
        "updated_by": a.updated_by,
    }


def requirement_row(task: Task, req: Requirement, today: date) -> dict[str, Any]:
    """One requirement with its units and derived status."""
    status = req.status()
    return {
        "task": task.number,
        "requirement": req.id,
        "title": task.title,
        "text": req.text,
        "responsible": req.responsible,
        "deadline": req.deadline,
        "due": _due(req.due),
        "leads": list(req.leads),
        "implementers": list(req.implementers),
        "units": list(req.assignments),
        "section": task.section,
        "subsection": task.subsection,
        "status": status.value,
        "status_label": status.label,
        "overdue": any(is_overdue(req.due, a.status, today) for a in req.assignments.values()),
    }


def task_row(task: Task, today: date) -> dict[str, Any]:
    """One task with its derived status and counts."""
    status = task.status()
    return {
        "task": task.number,
        "title": task.title,
        "section": task.section,
        "subsection": task.subsection,
        "status": status.value,
        "status_label": status.label,
        "requirements": len(task.requirements),
        "units": task.units(),
        "due": _due(d for req in task.requirements for d in req.due),
        "overdue": any(req.is_overdue(a, today) for req, a in task.assignments()),
    }


def list_rows(plan: Plan, query: Query | str, by: str, ctx: MatchContext) -> list[dict[str, Any]]:
    """The rows ``tracker list`` prints: matching tasks, requirements or assignments in plan order.

    With ``--by task`` or ``--by requirement`` and a query about assignments
    (``unit:营里镇 status:done``), the status shown is derived from the matching
    assignments only, so the row agrees with the filter.

    Raises:
        QueryError: a bad query (or a unit the registry does not know).
        ValueError: ``by`` is not one of task, requirement, assignment.
    """
    if isinstance(query, str):
        query = parse(query, ctx.registry)
    elif ctx.registry is not None:
        query.bind(ctx.registry)
    today = ctx.today
    if by == "assignment":
        return [assignment_row(t, r, a, today) for t, r, a in query.assignments(plan, ctx)]
    if by == "requirement":
        rows = []
        for task, req in query.requirements(plan, ctx):
            row = requirement_row(task, req, today)
            if query.uses_assignment_terms and req.assignments:
                _narrow(row, [a for a in req.assignments.values() if query.match_assignment(task, req, a, ctx)],
                        req, today)
            rows.append(row)
        return rows
    if by == "task":
        rows = []
        for task in query.tasks(plan, ctx):
            row = task_row(task, today)
            if query.uses_assignment_terms:
                pairs = [(r, a) for r, a in task.assignments() if query.match_assignment(task, r, a, ctx)]
                status = combine_statuses(a.status for _, a in pairs)
                row.update(status=status.value, status_label=status.label,
                           units=list(dict.fromkeys(a.unit for _, a in pairs)),
                           overdue=any(r.is_overdue(a, today) for r, a in pairs))
            rows.append(row)
        return rows
    raise ValueError(f"--by 只能是 {'、'.join(BY_CHOICES)}: {by!r}")


def _narrow(row: dict[str, Any], matched: list[Assignment], req: Requirement, today: date) -> None:
    status = combine_statuses(a.status for a in matched)
    row.update(status=status.value, status_label=status.label, units=[a.unit for a in matched],
               overdue=any(is_overdue(req.due, a.status, today) for a in matched))


def table_columns(by: str, english: bool = False) -> list[Column]:
    """The columns a terminal table shows for ``--by``, headers in Chinese or English."""
    def col(key: str, zh: str, en: str, min_width: int = 4, align: str = "left") -> Column:
        if english and key.endswith("_label"):  # English tables show the keys (done, lead)
            key = key.removesuffix("_label")
        return Column(key, en if english else zh, min_width, align)

    if by == "assignment":
        return [col("requirement", "要求", "Req", 4), col("unit", "单位", "Unit", 6),
                col("role_label", "角色", "Role", 4), col("status_label", "状态", "Status", 6),
                col("due", "到期", "Due", 10), col("overdue", "逾期", "Overdue", 4),
                col("title", "工作任务", "Task", 8), col("note", "进展", "Note", 6)]
    if by == "requirement":
        return [col("requirement", "要求", "Req", 4), col("status_label", "状态", "Status", 6),
                col("deadline", "时限", "Deadline", 6), col("overdue", "逾期", "Overdue", 4),
                col("title", "工作任务", "Task", 8), col("leads", "牵头", "Leads", 6),
                col("text", "具体要求", "Requirement", 10)]
    return [col("task", "序号", "No", 4, "right"), col("status_label", "状态", "Status", 6),
            col("requirements", "要求数", "Reqs", 4, "right"), col("overdue", "逾期", "Overdue", 4),
            col("title", "工作任务", "Task", 10), col("section", "板块", "Section", 8)]


def csv_keys(by: str) -> list[str]:
    """CSV columns for ``--by`` (the JSON keys, nested notes left out)."""
    if by == "assignment":
        return ["task", "requirement", "title", "unit", "role", "status", "status_label", "deadline", "due",
                "overdue", "note", "evidence", "updated", "updated_by"]
    if by == "requirement":
        return ["task", "requirement", "title", "text", "responsible", "deadline", "due", "leads",
                "implementers", "status", "status_label", "overdue"]
    return ["task", "title", "section", "subsection", "status", "status_label", "requirements", "units", "due",
            "overdue"]
