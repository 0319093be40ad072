"""The report's tables as plain text cells, built once; each format only escapes and lays them out.

Every format shows the same columns in the same order, so a reader moving between the
Markdown mail, the HTML page and the Word document finds the same table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.reports.labels import COUNT_COLUMNS, SECTIONS, change_value, count_cells, field_label, iso
from tracker.reports.model import Counts, Report, RequirementDetail

_WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"'`]+$")


def is_web_address(text: str) -> bool:
    """Only http(s) addresses become links; anything else (``javascript:``, a file path) stays text."""
    return bool(_WEB_ADDRESS.match(text))


@dataclass
class Table:
    """Headers and rows of text; ``links`` is the column whose cells hold one evidence item per line."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[int] = field(default_factory=list)
    nowrap: list[int] = field(default_factory=list)
    late: list[bool] = field(default_factory=list)  # per row: something in it is overdue
    links: int | None = None


def _counts_table(first: str, rows: list[tuple[str, Counts]]) -> Table:
    return Table(
        [first, *(label for _, label in COUNT_COLUMNS)],
        [[name, *count_cells(counts)] for name, counts in rows],
        numeric=list(range(1, len(COUNT_COLUMNS) + 1)),
        late=[bool(counts.overdue) for _, counts in rows],
    )


def summary_table(report: Report) -> Table:
    """One row: the totals."""
    table = _counts_table("范围", [("全部", report.summary)])
    table.late = [False]
    return table


def unit_table(report: Report) -> Table:
    return _counts_table("单位", [(r.unit, r.counts) for r in report.by_unit])


def section_table(report: Report) -> Table:
    table = _counts_table("章节", [(r.section, r.counts) for r in report.by_section])
    table.late = [False] * len(table.rows)
    return table


def task_table(report: Report) -> Table:
    base = _counts_table("任务", [(str(r.number), r.counts) for r in report.by_task])
    rows = [
        [row[0], r.title, r.status.label, *row[1:]] for row, r in zip(base.rows, report.by_task, strict=True)
    ]
    return Table(
        ["任务", "标题", "状态", *base.headers[1:]],
        rows,
        numeric=[0, *[i + 2 for i in base.numeric]],
        nowrap=[2],
        late=base.late,
    )


def _note(text: str, day: date | None) -> str:
    return f"{text}({iso(day)})" if text and day else text


def overdue_table(report: Report) -> Table:
    """Late assignments, longest late first."""
    return Table(
        ["要求", "单位", "角色", "状态", "时限", "应完成", "逾期天数", "牵头单位", "催办", "最近进展"],
        [
            [
                o.requirement,
                o.unit,
                o.role.label,
                o.status.label,
                o.deadline,
                iso(o.missed),
                str(o.days_late),
                "、".join(o.leads) or "—",
                str(o.reminders),
                _note(o.last_note, o.last_note_at) or "尚无进展记录",
            ]
            for o in report.overdue
        ],
        numeric=[6, 8],
        nowrap=[0, 1, 2, 3, 5],  # every row is late: no row marking, the days-late column says it
    )


def due_soon_table(report: Report) -> Table:
    return Table(
        ["要求", "单位", "角色", "状态", "时限", "到期日", "剩余天数"],
        [
            [
                d.requirement,
                d.unit,
                d.role.label,
                d.status.label + ("(已逾期)" if d.overdue else ""),
                d.deadline,
                iso(d.due),
                str(d.days_left),
            ]
            for d in report.due_soon
        ],
        numeric=[6],
        nowrap=[0, 1, 2, 3, 5],
        late=[d.overdue for d in report.due_soon],
    )


def changes_table(report: Report) -> Table:
    return Table(
        ["时间", "操作人", "要求", "单位", "字段", "变化"],
        [
            [
                c.at.strftime("%Y-%m-%d %H:%M"),
                c.login,
                c.requirement,
                c.unit,
                field_label(c.field),
                change_value(c.field, c.old, c.new),
            ]
            for c in report.changes
        ],
        nowrap=[0, 2, 4],
    )


def reminders_table(report: Report) -> Table:
    return Table(
        ["单位", "催办次数", "最近催办", "所催事项(次数)"],
        [
            [r.unit, str(r.count), iso(r.last), "、".join(f"{k}({v})" for k, v in r.items.items()) or "—"]
            for r in report.reminders
        ],
        numeric=[1],
        nowrap=[2],
    )


def assignment_table(req: RequirementDetail) -> Table:
    """Each unit's share of one requirement: status, last note, evidence (one item per line)."""
    return Table(
        ["单位", "角色", "状态", "最近进展", "佐证", "催办"],
        [
            [
                a.unit,
                a.role.label,
                a.status.label + ("(逾期)" if a.overdue else ""),
                _note(a.note, a.note_at) or "—",
                "\n".join(a.evidence),
                str(a.reminders),
            ]
            for a in req.assignments
        ],
        numeric=[5],
        nowrap=[1, 2],
        late=[a.overdue for a in req.assignments],
        links=4,
    )


def count_sections(report: Report) -> list[tuple[str, Table]]:
    """(section key, table) of the four count tables: summary, by unit, by section, by task."""
    return [
        ("summary", summary_table(report)),
        ("by_unit", unit_table(report)),
        ("by_section", section_table(report)),
        ("by_task", task_table(report)),
    ]


def listed_sections(report: Report) -> list[tuple[str, str, Table]]:
    """(section key, heading, table) of the lists: overdue, due soon, changes (with --since), reminders."""
    sections = [
        ("overdue", f"{SECTIONS['overdue']}({len(report.overdue)}项)", overdue_table(report)),
        (
            "due_soon",
            f"{SECTIONS['due_soon']}({report.due_within}日内,{len(report.due_soon)}项)",
            due_soon_table(report),
        ),
    ]
    if report.has_changes:
        sections.append(
            (
                "changes",
                f"{SECTIONS['changes']}({iso(report.since)} 至 {iso(report.as_of)})",
                changes_table(report),
            )
        )
    sections.append(("reminders", SECTIONS["reminders"], reminders_table(report)))
    return sections


EMPTY = {
    "overdue": "无逾期事项。",
    "due_soon": "无即将到期事项。",
    "changes": "期间无变化。",
    "reminders": "尚无催办记录。",
}
