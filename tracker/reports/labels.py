"""Headings and column names shared by every report format, so they read the same everywhere."""

from __future__ import annotations

from datetime import date

from tracker.model import Status
from tracker.reports.model import Counts, Report

SECTIONS = {
    "summary": "一、总体情况",
    "by_unit": "二、分单位情况",
    "by_section": "三、分章节情况",
    "by_task": "四、分任务情况",
    "overdue": "五、逾期事项",
    "due_soon": "六、即将到期事项",
    "changes": "七、期间变化",
    "reminders": "八、催办情况",
    "tasks": "九、任务明细",
}

COUNT_COLUMNS: list[tuple[str, str]] = [
    ("total", "合计"),
    ("done", Status.DONE.label),
    ("in_progress", Status.IN_PROGRESS.label),
    ("not_started", Status.NOT_STARTED.label),
    ("blocked", Status.BLOCKED.label),
    ("not_applicable", Status.NOT_APPLICABLE.label),
    ("overdue", "逾期"),
    ("due_soon", "即将到期"),
    ("reminders", "催办(项次)"),
]

STATUS_COLOURS = {
    Status.DONE: "#2e7d32",
    Status.IN_PROGRESS: "#1565c0",
    Status.NOT_STARTED: "#9e9e9e",
    Status.BLOCKED: "#c62828",
    Status.NOT_APPLICABLE: "#d7ccc8",
}


def count_cells(counts: Counts) -> list[str]:
    """The count columns of one row, as text, in :data:`COUNT_COLUMNS` order."""
    return [str(getattr(counts, key)) for key, _ in COUNT_COLUMNS]


def cn_date(day: date | None) -> str:
    """2019-09-02 -> 2019年9月2日; None -> 未明确."""
    return "未明确" if day is None else f"{day.year}年{day.month}月{day.day}日"


def iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def headline(report: Report) -> str:
    """One sentence with the totals, used at the top of every format."""
    s = report.summary
    return (
        f"截至{cn_date(report.as_of)},共{s.total}项分工(单位×要求),已完成{s.done}项、推进中{s.in_progress}项、"
        f"未启动{s.not_started}项、受阻{s.blocked}项、不适用{s.not_applicable}项;"
        f"逾期{s.overdue}项,{report.due_within}日内到期{s.due_soon}项;所涉事项累计被催办{s.reminders}项次。"
    )


def scope_line(report: Report) -> str:
    """What the report covers: plan, query, period."""
    parts = [f"{report.year}年计划", f"截至{report.as_of.isoformat()}"]
    if report.query:
        parts.append(f"筛选: {report.query}")
    if report.since is not None:
        parts.append(f"变化期间: {report.since.isoformat()} 至 {report.as_of.isoformat()}")
    return ";".join(parts)


FIELD_LABELS = {
    "status": "状态",
    "note": "进展",
    "evidence": "佐证",
    "role": "角色",
    "notes": "进展",
}


def field_label(field: str) -> str:
    """The Chinese name of a changed field (unknown fields as they are)."""
    return FIELD_LABELS.get(field, field)


def change_value(field: str, old: str, new: str) -> str:
    """How one change reads: ``推进中 → 已完成`` or the added text."""
    if old and new:
        return f"{old} → {new}"
    return new or old
