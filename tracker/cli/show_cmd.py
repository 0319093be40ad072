"""``tracker show TASK``: a task's text, requirements and every unit's assignment."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from tracker.cli.plan_source import (
    AsOfOption,
    PlanOption,
    RepoOption,
    check_format,
    fail,
    load_source,
    parse_as_of,
    terminal_width,
    write_json,
    write_text,
)
from tracker.i18n import is_english, t
from tracker.listing import assignment_row, requirement_row
from tracker.model import Requirement, Task, parse_task_number
from tracker.tabular import pad, text_width, wrap


def render_task(task: Task, requirements: list[Requirement], today: date, width: int) -> str:
    """The text ``tracker show`` prints (also used by tests)."""
    english = is_english()
    out: list[str] = [t(f"任务{task.number} {task.title}", f"Task {task.number} {task.title}")]
    heading = " / ".join(x for x in (task.section, task.subsection) if x)
    if heading:
        out.append(heading)
    if task.continues:
        out.append(t(f"延续: {task.continues}", f"continues: {task.continues}"))
    for req in requirements:
        status = req.status()
        due = "、".join(d.isoformat() for d in req.due) or t("未定", "unspecified")
        out.append("")
        out.append(t(f"{req.id}  状态: {status.label}  时限: {req.deadline or '未写明'}({due})",
                     f"{req.id}  status: {status.label_en}  deadline: {req.deadline or 'none'} ({due})"))
        out.extend("  " + line for line in wrap(req.text, width - 2))
        if req.responsible:
            out.extend("  " + line for line in wrap(t("责任单位: ", "Responsible: ") + req.responsible, width - 2))
        if not req.assignments:
            out.append("  " + t("(没有单位条目)", "(no assignments)"))
        unit_width = max([text_width(u) for u in req.assignments] + [4])
        for a in req.assignments.values():
            row = assignment_row(task, req, a, today)
            changed = ""
            if a.updated is not None:
                changed = a.updated.strftime("%Y-%m-%d %H:%M") + (f" {a.updated_by}" if a.updated_by else "")
            overdue = t("逾期", "overdue") if row["overdue"] else ""
            role = a.role.value if english else a.role.label
            label = a.status.label_en if english else a.status.label
            line = f"  {pad(a.unit, unit_width)}  {pad(role, 4)}  {pad(label, 6)}  {pad(overdue, 4)}  {changed}"
            out.append(line.rstrip())
            for note in a.notes:
                stamp = note.at.strftime("%Y-%m-%d")
                prefix = t(f"进展 {stamp} {note.by}: ", f"note {stamp} {note.by}: ")
                out.extend("      " + line for line in wrap(prefix + note.text, width - 6))
            for item in a.evidence:
                out.extend("      " + line for line in wrap(t("佐证: ", "evidence: ") + item, width - 6))
    if task.unclassified:
        out.append("")
        out.append(t("未归类的文字:", "Unclassified text:"))
        for text in task.unclassified:
            out.extend("  " + line for line in wrap(text, width - 2))
    return "\n".join(out) + "\n"


def show_command(
    task: Annotated[str, typer.Argument(metavar="TASK", help=t("任务编号(如 5)或要求编号(如 5.1)",
                                                               "task number (5) or requirement id (5.1)"))],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json",
                                     help=t("输出格式: text 或 json", "output format: text or json"))] = "text",
    as_of: AsOfOption = None,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    fmt_value = check_format(fmt, ("text", "json"))
    number_text, _, key = task.strip().partition(".")
    try:
        number = parse_task_number(number_text)
    except ValueError as exc:
        fail(t(str(exc), f"task numbers are positive integers: {task!r}"), 2)
    today = parse_as_of(as_of)
    source = load_source(repo, plan, tasks=[number])
    found = source.loaded.plan.tasks.get(number)
    if found is None:
        known = source.task_numbers()
        span = f"{known[0]}-{known[-1]}" if known else t("无", "none")
        fail(t(f"没有任务 {number}(本计划的任务: {span})", f"no task {number} (this plan has {span})"))
    requirements = found.requirements
    if key:
        req = found.requirement(key)
        if req is None:
            fail(t(f"任务{number} 没有要求 {task}", f"task {number} has no requirement {task}"))
        requirements = [req]
    if fmt_value == "json":
        rows: list[dict[str, Any]] = []
        for req in requirements:
            row = requirement_row(found, req, today)
            row["assignments"] = [assignment_row(found, req, a, today) for a in req.assignments.values()]
            rows.append(row)
        data = {"task": found.number, "title": found.title, "section": found.section,
                "subsection": found.subsection, "status": found.status().value,
                "requirements": rows}
        write_json(data)
        return
    write_text(render_task(found, requirements, today, terminal_width()))


def register(app: typer.Typer) -> None:
    """Add ``show`` to the app."""
    app.command("show", help=t("显示一项任务:原文、各项要求、每个单位的状态、进展、佐证和最后修改。",
                               "Show one task: its text, requirements, and every unit's status, notes, "
                               "evidence and last change."),
                short_help=t("显示一项任务", "show one task"))(show_command)
