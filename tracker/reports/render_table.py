"""The report as plain text tables for a terminal (CJK characters count as two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from tracker.reports.labels import (
    COUNT_COLUMNS,
    SECTIONS,
    change_value,
    count_cells,
    field_label,
    headline,
    iso,
    scope_line,
)
from tracker.reports.model import Report


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if display_width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool] = ()) -> str:
    """Aligned columns separated by two spaces, with a rule under the header."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    right = list(numeric) + [False] * (len(headers) - len(numeric))
    lines = ["  ".join(_pad(h, widths[i], right[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, widths[i], right[i]) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def render_table(report: Report, *, width: int = 40) -> str:
    """Every section of the report as text; long cells are cut to ``width`` columns."""
    count_headers = [label for _, label in COUNT_COLUMNS]
    numeric = [False] + [True] * len(count_headers)
    out: list[str] = [report.title, scope_line(report), "", headline(report), ""]

    out += [
        SECTIONS["summary"],
        text_table(["范围", *count_headers], [["全部", *count_cells(report.summary)]], numeric),
        "",
    ]
    out += [
        SECTIONS["by_unit"],
        text_table(
            ["单位", *count_headers], [[r.unit, *count_cells(r.counts)] for r in report.by_unit], numeric
        ),
        "",
    ]
    out += [
        SECTIONS["by_section"],
        text_table(
            ["章节", *count_headers],
            [[_cut(r.section, width), *count_cells(r.counts)] for r in report.by_section],
            numeric,
        ),
        "",
    ]
    out += [
        SECTIONS["by_task"],
        text_table(
            ["任务", "标题", "状态", *count_headers],
            [
                [str(r.number), _cut(r.title, width), r.status.label, *count_cells(r.counts)]
                for r in report.by_task
            ],
            [True, False, False, *numeric[1:]],
        ),
        "",
    ]
    out.append(SECTIONS["overdue"])
    if report.overdue:
        out.append(
            text_table(
                [
                    "要求",
                    "单位",
                    "角色",
                    "状态",
                    "时限",
                    "应完成",
                    "逾期天数",
                    "牵头单位",
                    "催办",
                    "最近进展",
                ],
                [
                    [
                        o.requirement,
                        o.unit,
                        o.role.label,
                        o.status.label,
                        _cut(o.deadline, 16),
                        iso(o.missed),
                        str(o.days_late),
                        _cut("、".join(o.leads) or "—", 24),
                        str(o.reminders),
                        _cut(o.last_note, width) or "—",
                    ]
                    for o in report.overdue
                ],
                [False, False, False, False, False, False, True, False, True, False],
            )
        )
    else:
        out.append("(无)")
    out += ["", f"{SECTIONS['due_soon']}({report.due_within}日内)"]
    if report.due_soon:
        out.append(
            text_table(
                ["要求", "单位", "角色", "状态", "时限", "到期日", "剩余天数"],
                [
                    [
                        d.requirement,
                        d.unit,
                        d.role.label,
                        d.status.label,
                        _cut(d.deadline, 16),
                        iso(d.due),
                        str(d.days_left),
                    ]
                    for d in report.due_soon
                ],
                [False] * 6 + [True],
            )
        )
    else:
        out.append("(无)")
    if report.has_changes:
        out += ["", f"{SECTIONS['changes']}({iso(report.since)} 至 {iso(report.as_of)})"]
        if report.changes:
            out.append(
                text_table(
                    ["时间", "操作人", "要求", "单位", "字段", "变化"],
                    [
                        [
                            c.at.strftime("%Y-%m-%d %H:%M"),
                            c.login,
                            c.requirement,
                            c.unit,
                            field_label(c.field),
                            _cut(change_value(c.field, c.old, c.new), width),
                        ]
                        for c in report.changes
                    ],
                )
            )
        else:
            out.append("(无)")
    out += ["", SECTIONS["reminders"]]
    if report.reminders:
        out.append(
            text_table(
                ["单位", "催办次数", "最近催办", "所催事项(次数)"],
                [
                    [
                        r.unit,
                        str(r.count),
                        iso(r.last),
                        _cut("、".join(f"{k}({v})" for k, v in r.items.items()), width * 2) or "—",
                    ]
                    for r in report.reminders
                ],
                [False, True, False, False],
            )
        )
    else:
        out.append("(无)")
    out += ["", SECTIONS["tasks"]]
    for task in report.tasks:
        out.append(f"任务{task.number} {task.title}[{task.status.label}]")
        for req in task.requirements:
            out.append(f"  {req.id} {_cut(req.text, width * 2)}(时限:{req.deadline or '未明确'})")
            for a in req.assignments:
                flag = " 逾期" if a.overdue else ""
                line = f"    - {a.unit}({a.role.label}):{a.status.label}{flag}"
                if a.note:
                    line += f";进展:{_cut(a.note, width)}"
                if a.evidence:
                    line += ";佐证:" + " ".join(a.evidence)
                out.append(line)
    return "\n".join(out).rstrip() + "\n"
