"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no scripts, no network.

Laid out for A4 (``@page``) so that printing from a browser gives the paper version; on
screen the same page reads as a narrow document. Charts are stacked bars (progress per
unit and per section) drawn in SVG with their numbers written beside them, so they stay
readable in black and white.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tracker.model import Status
from tracker.reports.labels import SECTIONS, STATUS_COLOURS, headline, iso, scope_line
from tracker.reports.model import STATUS_ORDER, Counts, Report
from tracker.reports.tables import (
    EMPTY,
    Table,
    assignment_table,
    is_web_address,
    listed_sections,
    section_table,
    summary_table,
    task_table,
    unit_table,
)

CSS = """
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
:root { --ink: #1a1a1a; --muted: #5f6368; --rule: #c8c8c8; --late: #c62828; --late-bg: #fdecea; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 182mm; padding: 8mm 6mm; color: var(--ink); background: #fff;
  font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", "Noto Sans CJK SC", serif;
  font-size: 10.5pt; line-height: 1.55; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 2mm; letter-spacing: 0.05em; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; padding-bottom: 1mm; border-bottom: 1.5px solid var(--ink);
  break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
p.scope { text-align: center; color: var(--muted); margin: 0 0 3mm; font-size: 9.5pt; }
p.headline { margin: 2mm 0 4mm; text-indent: 2em; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 2mm; margin: 3mm 0; }
.card { border: 1px solid var(--rule); border-left: 4px solid var(--c); padding: 1.5mm 2.5mm; break-inside: avoid; }
.card b { display: block; font-size: 15pt; line-height: 1.2; }
.card span { color: var(--muted); font-size: 9pt; }
figure { margin: 3mm 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 9.5pt; color: var(--muted); margin-bottom: 1mm; }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--ink); }
.legend { display: flex; flex-wrap: wrap; gap: 1mm 4mm; font-size: 9pt; margin: 1mm 0 2mm; }
.legend i { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; vertical-align: -0.3mm;
  border: 0.5px solid #777; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 3mm; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.75px solid var(--rule); padding: 0.8mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #f1f3f4; font-weight: bold; white-space: nowrap; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nw { white-space: nowrap; }
td.id { white-space: nowrap; }
tr.late td { background: var(--late-bg); }
#overdue-table td:nth-child(7), span.late { color: var(--late); font-weight: bold; }
.empty { color: var(--muted); }
.task { break-inside: avoid-page; margin-bottom: 3mm; }
.task p.req { margin: 1.5mm 0 1mm; text-indent: 0; }
.task p.path { color: var(--muted); font-size: 9pt; margin: 0; }
a { color: #0b57d0; word-break: break-all; }
footer { margin-top: 6mm; border-top: 0.75px solid var(--rule); color: var(--muted); font-size: 9pt; padding-top: 1mm; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; } }
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def _link(item: str) -> str:
    if is_web_address(item):
        return f'<a href="{_e(item)}">{_e(item)}</a>'
    return _e(item)


def _table(table: Table, table_id: str = "") -> str:
    """The table as HTML: every cell escaped, evidence as links, late rows marked."""
    attr = {
        i: (
            f' class="{c}"'
            if (c := " ".join(n for n, on in (("n", i in table.numeric), ("nw", i in table.nowrap)) if on))
            else ""
        )
        for i in range(len(table.headers))
    }
    head = "".join(f"<th{attr[i]}>{_e(h)}</th>" for i, h in enumerate(table.headers))
    body = []
    for r, row in enumerate(table.rows):
        cls = ' class="late"' if r < len(table.late) and table.late[r] else ""
        cells = "".join(
            f"<td{attr[i]}>"
            + ("<br>".join(_link(e) for e in c.split("\n") if e) or "—" if i == table.links else _e(c))
            + "</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bar_chart(rows: Sequence[tuple[str, Counts]], chart_id: str, label_width: int = 170) -> str:
    """Horizontal stacked bars, one per row, with ``done/total  pct%`` written beside each."""
    width, bar_h, gap, top = 720, 16, 6, 4
    bar_x, bar_w = label_width + 6, width - label_width - 6 - 150
    height = top + len(rows) * (bar_h + gap) + 4
    parts = [
        f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" font-size="12.5">'
    ]
    for i, (label, counts) in enumerate(rows):
        y = top + i * (bar_h + gap)
        shown = label if len(label) <= 14 else label[:13] + "…"
        parts.append(
            f'<text x="{label_width}" y="{y + bar_h - 3.5}" text-anchor="end"><title>{_e(label)}</title>{_e(shown)}</text>'
        )
        parts.append(
            f'<rect x="{bar_x}" y="{y}" width="{bar_w}" height="{bar_h}" fill="#fafafa" stroke="#bbb" '
            f'stroke-width="0.5"/>'
        )
        x = float(bar_x)
        for status in STATUS_ORDER:
            n = counts.of(status)
            if not n or not counts.total:
                continue
            w = bar_w * n / counts.total
            parts.append(
                f'<rect class="seg-{status.value}" x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" '
                f'fill="{STATUS_COLOURS[status]}"><title>{_e(label)} {status.label} {n}</title></rect>'
            )
            x += w
        note = f"{counts.done}/{counts.applicable} {counts.done_percent}%"
        if counts.overdue:
            note += f" 逾期{counts.overdue}"
        colour = ' fill="#c62828"' if counts.overdue else ""
        parts.append(f'<text x="{bar_x + bar_w + 6}" y="{y + bar_h - 3.5}"{colour}>{_e(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    items = "".join(
        f'<span><i style="background:{STATUS_COLOURS[s]}"></i>{s.label}</span>' for s in STATUS_ORDER
    )
    return f'<div class="legend">{items}<span>(右侧:已完成/应办 完成率,不适用不计入)</span></div>'


def _cards(report: Report) -> str:
    s = report.summary
    cards = [
        ("合计", s.total, "#444"),
        (Status.DONE.label, s.done, STATUS_COLOURS[Status.DONE]),
        (Status.IN_PROGRESS.label, s.in_progress, STATUS_COLOURS[Status.IN_PROGRESS]),
        (Status.NOT_STARTED.label, s.not_started, STATUS_COLOURS[Status.NOT_STARTED]),
        (Status.BLOCKED.label, s.blocked, STATUS_COLOURS[Status.BLOCKED]),
        (Status.NOT_APPLICABLE.label, s.not_applicable, "#a1887f"),
        ("逾期", s.overdue, "#c62828"),
        (f"{report.due_within}日内到期", s.due_soon, "#ef6c00"),
    ]
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card" style="--c:{c}"><b>{n}</b><span>{_e(label)}</span></div>'
            for label, n, c in cards
        )
        + "</div>"
    )


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    title = f"{report.title}执行情况报告"
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="scope">{_e(scope_line(report))}</p>',
        f'<p class="headline">{_e(headline(report))}</p>',
        f'<section id="summary"><h2>{SECTIONS["summary"]}</h2>',
        _cards(report),
        _table(summary_table(report)),
        # The section chart is short: on the first page it gives the overview at a glance.
        "<figure><figcaption>图1 分章节完成进度</figcaption>",
        _legend(),
        _bar_chart([(r.section, r.counts) for r in report.by_section], "chart-sections", label_width=230),
        "</figure></section>",
        f'<section id="by-unit"><h2>{SECTIONS["by_unit"]}</h2>',
        "<figure><figcaption>图2 分单位完成进度</figcaption>",
        _legend(),
        _bar_chart([(r.unit, r.counts) for r in report.by_unit], "chart-units"),
        "</figure>",
        _table(unit_table(report)),
        "</section>",
        f'<section id="by-section"><h2>{SECTIONS["by_section"]}</h2>',
        '<p class="empty">各章节完成进度见图1。</p>',
        _table(section_table(report)),
        "</section>",
        f'<section id="by-task"><h2>{SECTIONS["by_task"]}</h2>',
        _table(task_table(report)),
        "</section>",
    ]
    for key, heading, table in listed_sections(report):
        ident = key.replace("_", "-")
        out.append(f'<section id="{ident}"><h2>{_e(heading)}</h2>')
        if table.rows:
            out.append(_table(table, f"{ident}-table"))
        else:
            out.append(f'<p class="empty" id="{ident}-table">{EMPTY[key]}</p>')
        out.append("</section>")
    out.append(f'<section id="tasks"><h2>{SECTIONS["tasks"]}</h2>')
    for task in report.tasks:
        out.append(
            f'<div class="task" id="task-{task.number}"><h3>任务{task.number} {_e(task.title)}'
            f"({task.status.label})</h3>"
        )
        path = " / ".join(p for p in (task.section, task.subsection) if p)
        if path:
            out.append(f'<p class="path">{_e(path)}</p>')
        for req in task.requirements:
            out.append(
                f'<p class="req"><b>{req.id}</b> {_e(req.text)}(时限:{_e(req.deadline) or "未明确"})</p>'
            )
            out.append(_table(assignment_table(req)))
        out.append("</div>")
    out.append("</section>")
    out.append(f"<footer>生成日期:{iso(report.as_of)}(以此日期为准计算逾期与到期)</footer>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
