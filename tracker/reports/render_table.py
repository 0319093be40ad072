"""The report as plain text tables for a terminal (wide characters count as two cells)."""

from __future__ import annotations

from tracker.reports.labels import SECTIONS, headline, scope_line
from tracker.reports.model import Report
from tracker.reports.tables import (
    EMPTY,
    Table,
    assignment_table,
    count_sections,
    listed_sections,
)
from tracker.tabular import Column, cut
from tracker.tabular import render_table as tabulate


def text_table(table: Table, width: int) -> str:
    """Aligned columns; each cell cut to ``width`` cells so that a long note cannot push the rest off screen."""
    columns = [
        Column(str(i), header, align="right" if i in table.numeric else "left")
        for i, header in enumerate(table.headers)
    ]
    rows = [{str(i): cut(" ".join(cell.split()), width) for i, cell in enumerate(row)} for row in table.rows]
    return tabulate(columns, rows)


def render_table(report: Report, *, width: int = 40) -> str:
    """Every section of the report as text; long cells are cut to ``width`` cells."""
    out: list[str] = [report.title, scope_line(report), "", headline(report), ""]
    for key, table in count_sections(report):
        out += [SECTIONS[key], text_table(table, width), ""]
    for key, heading, table in listed_sections(report):
        out += [heading, text_table(table, width) if table.rows else EMPTY[key], ""]
    out.append(SECTIONS["tasks"])
    for task in report.tasks:
        out.append(f"任务{task.number} {task.title}[{task.status.label}]")
        for req in task.requirements:
            out.append(
                f"  {req.id} {cut(' '.join(req.text.split()), width * 2)}(时限:{req.deadline or '未明确'})"
            )
            table = assignment_table(req)
            for row in table.rows:
                unit, role, status, note, evidence, _ = row
                line = f"    - {unit}({role}):{status}"
                if note != "—":
                    line += f";进展:{cut(note, width)}"
                if evidence:
                    line += ";佐证:" + " ".join(evidence.split("\n"))
                out.append(line)
    return "\n".join(out).rstrip() + "\n"
