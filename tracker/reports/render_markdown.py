"""The report as Markdown (GitHub-flavoured tables), for mail and for pasting into documents."""

from __future__ import annotations

import re
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

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


def md_escape(text: str) -> str:
    """User text inside Markdown: specials escaped, line breaks as spaces (table-safe)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_link(item: str) -> str:
    """An evidence item: a web address becomes a link, anything else stays text."""
    if _URL.match(item):
        return f"<{item}>"
    return md_escape(item)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A pipe table; cells must already be escaped."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """Every section of the report as Markdown."""
    counts = [label for _, label in COUNT_COLUMNS]
    out = [
        f"# {md_escape(report.title)}执行情况报告",
        "",
        md_escape(scope_line(report)),
        "",
        headline(report),
        "",
    ]
    out += [
        f"## {SECTIONS['summary']}",
        "",
        md_table(["范围", *counts], [["全部", *count_cells(report.summary)]]),
        "",
    ]
    out += [
        f"## {SECTIONS['by_unit']}",
        "",
        md_table(["单位", *counts], [[md_escape(r.unit), *count_cells(r.counts)] for r in report.by_unit]),
        "",
        f"## {SECTIONS['by_section']}",
        "",
        md_table(
            ["章节", *counts], [[md_escape(r.section), *count_cells(r.counts)] for r in report.by_section]
        ),
        "",
        f"## {SECTIONS['by_task']}",
        "",
        md_table(
            ["任务", "标题", "状态", *counts],
            [
                [str(r.number), md_escape(r.title), r.status.label, *count_cells(r.counts)]
                for r in report.by_task
            ],
        ),
        "",
        f"## {SECTIONS['overdue']}",
        "",
    ]
    if report.overdue:
        out.append(
            md_table(
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
                        md_escape(o.unit),
                        o.role.label,
                        o.status.label,
                        md_escape(o.deadline),
                        iso(o.missed),
                        str(o.days_late),
                        md_escape("、".join(o.leads) or "—"),
                        str(o.reminders),
                        md_escape(o.last_note) or "—",
                    ]
                    for o in report.overdue
                ],
            )
        )
    else:
        out.append("无逾期事项。")
    out += ["", f"## {SECTIONS['due_soon']}({report.due_within}日内)", ""]
    if report.due_soon:
        out.append(
            md_table(
                ["要求", "单位", "角色", "状态", "时限", "到期日", "剩余天数"],
                [
                    [
                        d.requirement,
                        md_escape(d.unit),
                        d.role.label,
                        d.status.label,
                        md_escape(d.deadline),
                        iso(d.due),
                        str(d.days_left),
                    ]
                    for d in report.due_soon
                ],
            )
        )
    else:
        out.append("无即将到期事项。")
    if report.has_changes:
        out += ["", f"## {SECTIONS['changes']}({iso(report.since)} 至 {iso(report.as_of)})", ""]
        if report.changes:
            out.append(
                md_table(
                    ["时间", "操作人", "要求", "单位", "字段", "变化"],
                    [
                        [
                            c.at.strftime("%Y-%m-%d %H:%M"),
                            md_escape(c.login),
                            c.requirement,
                            md_escape(c.unit),
                            md_escape(field_label(c.field)),
                            md_escape(change_value(c.field, c.old, c.new)),
                        ]
                        for c in report.changes
                    ],
                )
            )
        else:
            out.append("期间无变化。")
    out += ["", f"## {SECTIONS['reminders']}", ""]
    if report.reminders:
        out.append(
            md_table(
                ["单位", "催办次数", "最近催办", "所催事项(次数)"],
                [
                    [
                        md_escape(r.unit),
                        str(r.count),
                        iso(r.last),
                        md_escape("、".join(f"{k}({v})" for k, v in r.items.items())) or "—",
                    ]
                    for r in report.reminders
                ],
            )
        )
    else:
        out.append("尚无催办记录。")
    out += ["", f"## {SECTIONS['tasks']}"]
    for task in report.tasks:
        out += ["", f"### 任务{task.number} {md_escape(task.title)}({task.status.label})", ""]
        if task.section:
            out += [f"*{md_escape(' / '.join(p for p in (task.section, task.subsection) if p))}*", ""]
        for req in task.requirements:
            out += [f"**{req.id}** {md_escape(req.text)}(时限:{md_escape(req.deadline) or '未明确'})", ""]
            rows = []
            for a in req.assignments:
                status = a.status.label + (" **逾期**" if a.overdue else "")
                rows.append(
                    [
                        md_escape(a.unit),
                        a.role.label,
                        status,
                        md_escape(a.note) or "—",
                        "<br>".join(md_link(e) for e in a.evidence) or "—",
                        str(a.reminders),
                    ]
                )
            out += [md_table(["单位", "角色", "状态", "最近进展", "佐证", "催办"], rows), ""]
    return "\n".join(out).rstrip() + "\n"
