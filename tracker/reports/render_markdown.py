"""The report as Markdown (GitHub-flavoured tables), for mail and for pasting into documents."""

from __future__ import annotations

import re

from tracker.reports.labels import SECTIONS, headline, scope_line
from tracker.reports.model import Report
from tracker.reports.tables import (
    EMPTY,
    Table,
    assignment_table,
    count_sections,
    is_web_address,
    listed_sections,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    """User text inside Markdown: specials escaped, line breaks as spaces (table-safe)."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def md_link(item: str) -> str:
    """An evidence item: a web address becomes a link, anything else stays text."""
    return f"<{item}>" if is_web_address(item) else md_escape(item)


def md_table(table: Table) -> str:
    """A pipe table with every cell escaped (evidence cells as links, one per line)."""

    def cell(i: int, text: str) -> str:
        if i == table.links:
            return "<br>".join(md_link(e) for e in text.split("\n") if e) or "—"
        return md_escape(text)

    lines = ["| " + " | ".join(table.headers) + " |", "|" + "|".join("---" for _ in table.headers) + "|"]
    lines += ["| " + " | ".join(cell(i, c) for i, c in enumerate(row)) + " |" for row in table.rows]
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """Every section of the report as Markdown."""
    out = [
        f"# {md_escape(report.title)}执行情况报告",
        "",
        md_escape(scope_line(report)),
        "",
        headline(report),
        "",
    ]
    for key, table in count_sections(report):
        out += [f"## {SECTIONS[key]}", "", md_table(table), ""]
    for key, heading, table in listed_sections(report):
        out += [f"## {heading}", "", md_table(table) if table.rows else EMPTY[key], ""]
    out.append(f"## {SECTIONS['tasks']}")
    for task in report.tasks:
        out += ["", f"### 任务{task.number} {md_escape(task.title)}({task.status.label})", ""]
        if task.section:
            out += [f"*{md_escape(' / '.join(p for p in (task.section, task.subsection) if p))}*", ""]
        for req in task.requirements:
            out += [f"**{req.id}** {md_escape(req.text)}(时限:{md_escape(req.deadline) or '未明确'})", ""]
            out += [md_table(assignment_table(req)), ""]
    return "\n".join(out).rstrip() + "\n"
