"""The ``--dry-run`` summary: what the importer understood, in lines a clerk checks against the document.

Order: the reader chosen and the columns it read, the plan's title and date, one
line per task (number, shortened title, requirement count, units known / new /
collective, due dates) with its requirements under it, then the names not in
the unit registry with where they appear, then every row or line that could not
be placed, with its number. Chinese by default, English with ``--lang en``.
"""

from __future__ import annotations

from collections import Counter

from tracker.deadlines import resolve_deadline
from tracker.i18n import t
from tracker.importer.builder import ImportReport
from tracker.importer.choose import READER_NAMES
from tracker.importer.columns import KEY_LABELS
from tracker.model import Plan, Role, Task
from tracker.units import Registry, load_registry

TITLE_WIDTH = 24


def shorten(text: str, width: int = TITLE_WIDTH) -> str:
    """``text`` cut to ``width`` characters, with ``…`` when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def reader_label(reader: str) -> str:
    """``html`` -> ``网页表格 (html)``; ``docx-text:outline`` names both steps."""
    parts = [READER_NAMES.get(part, (part, part)) for part in reader.split(":") if part]
    names = " → ".join(t(zh, en) for zh, en in parts) or reader
    return f"{names} ({reader})"


def _where(report: ImportReport, line: int | None) -> str:
    if line is None:
        return report.source
    if report.counts == "row":
        return t(f"{report.source} 表格第{line}行", f"{report.source} table row {line}")
    return f"{report.source}:{line}"


def unit_counts(task: Task, report: ImportReport, registry: Registry) -> tuple[list[str], list[str], list[str]]:
    """(known units, new names, collective names) of a task's assignments."""
    known: list[str] = []
    new: list[str] = []
    groups: list[str] = list(report.groups.get(task.number, []))
    collective = {u.name for u in report.unknown_units if u.collective}
    for req in task.requirements:
        for unit, assignment in req.assignments.items():
            if unit in registry.groups or unit in collective:
                if unit not in groups:
                    groups.append(unit)
            elif assignment.unknown_unit:
                if unit not in new:
                    new.append(unit)
            elif unit not in known:
                known.append(unit)
    return known, new, groups


def _due_of_task(task: Task, plan: Plan) -> str:
    labels: list[str] = []
    for req in task.requirements:
        label = resolve_deadline(req.deadline, plan.year, plan.info.issued).label
        if label not in labels:
            labels.append(label)
    return "、".join(labels) or t("未规定时限", "no deadline")


def summary_lines(plan: Plan, report: ImportReport, units_text: str, *, allowed_unknown: bool = True) -> list[str]:
    """The dry-run summary of an import, as lines."""
    registry = load_registry(units_text)
    info = plan.info
    out = [t(f"读取方式: {reader_label(report.reader)}", f"reader: {reader_label(report.reader)}")]
    if report.columns:
        mapping = [
            t(f"第{col}列“{header or '(无表头)'}”→{KEY_LABELS[key][0]}", f"column {col} “{header or '(no header)'}” → {KEY_LABELS[key][1]}")
            for key, header, col in report.columns
        ]
        out.append(t("列: ", "columns: ") + ";".join(mapping))
        if not any(key == "deadline" for key, _, _ in report.columns):
            out.append(t("没有时限列: 所有时限记为“未规定”", "no deadline column: every due date is unspecified"))
    title = info.title or t("(没有读到标题)", "(no title found)")
    out.append(t(f"计划: {info.year} {title}", f"plan: {info.year} {title}"))
    issued = info.issued.isoformat() if info.issued else t("不详", "unknown")
    out.append(t(f"发文: {info.issuer or '不详'}  印发日期: {issued}", f"issuer: {info.issuer or 'unknown'}  issued: {issued}"))
    for task in plan.sorted_tasks():
        known, new, groups = unit_counts(task, report, registry)
        count = len(task.requirements)
        out.append(
            t(
                f"任务{task.number} {shorten(task.title)} | 要求{count}条 | 单位: 已知{len(known)} 新{len(new)} 统称{len(groups)}"
                f" | 时限: {_due_of_task(task, plan)}",
                f"task {task.number} {shorten(task.title)} | {count} requirement(s) | units: {len(known)} known,"
                f" {len(new)} new, {len(groups)} collective | due: {_due_of_task(task, plan)}",
            )
        )
        for req in task.requirements:
            deadline = resolve_deadline(req.deadline, plan.year, info.issued)
            leads = [u for u, a in req.assignments.items() if a.role is Role.LEAD]
            others = [u for u, a in req.assignments.items() if a.role is Role.IMPLEMENTER]
            inherited = t("(沿用上一条的单位和时限)", " (units and deadline of the one above)") if req.inherited else ""
            written = req.deadline or t("未规定", "none")
            out.append(t(f"  {req.id} 时限: {written} -> {deadline.label}{inherited}", f"  {req.id} due: {written} -> {deadline.label}{inherited}"))
            out.append(t(f"      牵头: {_names(leads)}", f"      lead: {_names(leads)}"))
            out.append(t(f"      落实: {_names(others)}", f"      implement: {_names(others)}"))
        for text in task.unclassified:
            out.append(t(f"  未归类: {text}", f"  unplaced: {text}"))
        if new:
            out.append(t(f"  新单位: {'、'.join(new)}", f"  new units: {'、'.join(new)}"))
        if groups:
            out.append(t(f"  统称: {'、'.join(groups)}", f"  collective: {'、'.join(groups)}"))
    reqs = sum(len(task.requirements) for task in plan.tasks.values())
    assignments = sum(1 for _ in plan.assignments())
    out.append(
        t(
            f"共 {len(plan.tasks)} 项任务、{reqs} 条要求、{assignments} 条单位分工。各单位分工数:",
            f"{len(plan.tasks)} tasks, {reqs} requirements, {assignments} assignments. Assignments per unit:",
        )
    )
    for unit, n in sorted(Counter(a.unit for _, _, a in plan.assignments()).items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"  {unit}\t{n}")
    out += _unknown_lines(report, allowed_unknown)
    unplaced = report.of_kind("unplaced")
    if unplaced:
        out.append(t(f"无法归类的行({len(unplaced)}):", f"rows not placed ({len(unplaced)}):"))
        for remark in sorted(unplaced, key=lambda r: r.line or 0):
            out.append(f"  {_where(report, remark.line)}: {remark.message} “{shorten(remark.text, 40)}”")
    out.append(t("导入说明(含无法归类的行):", "import notes (rows not placed included):"))
    out += report.lines()
    if not unplaced:
        out.append(t("没有无法归类的内容。", "nothing left unplaced."))
    return out


def _names(units: list[str]) -> str:
    return "、".join(units) or t("无", "none")


def _unknown_lines(report: ImportReport, allowed: bool) -> list[str]:
    if not report.unknown_units:
        return []
    by_name: dict[str, list[str]] = {}
    kinds: dict[str, bool] = {}
    for unknown in report.unknown_units:
        by_name.setdefault(unknown.name, []).append(f"{unknown.task}({_where(report, unknown.line)})")
        kinds[unknown.name] = unknown.collective
    out = [
        t(
            f"不在单位名录中的名称({len(by_name)}个):",
            f"names not in the unit registry ({len(by_name)}):",
        )
    ]
    for name, places in by_name.items():
        kind = t("统称,作为分组", "collective, kept as a group") if kinds[name] else t("新单位", "new unit")
        out.append(t(f"  {name}({kind}): 任务 {'、'.join(places)}", f"  {name} ({kind}): tasks {', '.join(places)}"))
    if not allowed:
        out.append(
            t(
                "正式导入会停在这些名称上:在 units.toml 里添加,或加 --allow-unknown-units 把它们加入新计划的单位名录",
                "a real import stops at these names: add them to units.toml, or give --allow-unknown-units "
                "to add them to the new plan's units",
            )
        )
    return out

