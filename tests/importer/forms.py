"""The 2019 Shouguang plan written out as an office would receive it: web page, Word table, paste.

Built from the bundled ``tasks/`` (not from the notice text), so that importing each form
back and comparing with ``tasks/`` byte for byte checks every reader end to end. A
requirement without units of its own (tasks 32, 37) shares the units and deadline cells of
the row above, merged, as the city's page would print it.
"""

from __future__ import annotations

import html
from pathlib import Path

from tracker.model import Plan, Requirement, Task
from tracker.planio import load_plan_folder

REPO = Path(__file__).resolve().parents[2]
HEADER = ["工作任务", "具 体 要 求", "责 任 单 位", "时限要求"]
PREAMBLE = [
    "关于印发寿光市 2019 年政务公开重点工作任务分工的通知",
    "各镇人民政府、街道办事处,各开发区、双王城生态经济园区管委会,市直有关部门、单位:",
    "根据国家、山东省、潍坊市全面推进政务公开工作的系列部署,现将寿光市 2019 年政务公开重点工作任务分工"
    "印发给你们,请结合工作实际,认真抓好贯彻落实。",
    "寿光市人民政府办公室",
    "2019年7月9日",
    "(此件公开发布)",
    "寿光市2019年政务公开重点工作任务分工",
]


def bundled_plan() -> Plan:
    return load_plan_folder(REPO / "tasks").plan


def _row_groups(task: Task) -> list[tuple[Requirement, int]]:
    """Each requirement with the number of rows its units/deadline cells span (1 + inherited after it)."""
    groups: list[tuple[Requirement, int]] = []
    head = 0
    for req in task.requirements:
        if req.inherited and groups:
            first, span = groups[head]
            groups[head] = (first, span + 1)
            groups.append((req, 0))
        else:
            head = len(groups)
            groups.append((req, 1))
    return groups


def _headings(plan: Plan) -> list[tuple[str, Task | None]]:
    """("section"/"subsection"/"task", ...) in order, each heading once."""
    items: list[tuple[str, Task | None]] = []
    section = subsection = None
    for task in plan.sorted_tasks():
        if task.section != section:
            section, subsection = task.section, None
            items.append((task.section, None))
        if task.subsection != subsection:
            subsection = task.subsection
            items.append((task.subsection, None))
        items.append(("", task))
    return items


def web_page(plan: Plan, charset: str = "utf-8", *, whole_rows: bool = True, contact_table: bool = False) -> bytes:
    """The notice as the city's site publishes it: navigation, text, one table with rowspans, footer.

    ``whole_rows=False`` lets a printed page break cut a row (and a merged cell) in two, as
    most printed notices do; ``contact_table`` adds a small contacts table right after the
    task table, on its last page.
    """
    esc = html.escape
    out = [
        "<!DOCTYPE html><html><head>",
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        "<title>寿光市人民政府</title><style>table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #000;padding:4px;vertical-align:top}"
        + ("tr{break-inside:avoid}" if whole_rows else "")
        + "</style>",
        "<script>var nav = '<td>不是表格</td>';</script></head><body>",
        '<div class="nav"><a href="/">首页</a> &gt; <a href="#">政务公开</a></div>',
        '<table class="layout"><tr><td>',
    ]
    out += [f"<p>{esc(line)}</p>" for line in PREAMBLE]
    out.append("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in HEADER) + "</tr></thead><tbody>")
    for heading, task in _headings(plan):
        if task is None:
            out.append(f'<tr><td colspan="4">{esc(heading)}</td></tr>')
            continue
        groups = _row_groups(task)
        for index, (req, span) in enumerate(groups):
            cells = []
            if index == 0:
                cells.append(f'<td rowspan="{len(groups)}">{task.number}.{esc(task.title)}</td>')
            cells.append(f"<td>{esc(req.text)}</td>")
            if span:
                units = "".join(f"<p>{esc(line)}</p>" for line in req.responsible.split("\n") if line)
                cells.append(f'<td rowspan="{span}">{units}</td><td rowspan="{span}">{esc(req.deadline)}</td>')
            out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if contact_table:
        out.append(
            "<p>联系方式:</p><table><tr><th>联系人</th><th>联系电话</th><th>电子邮箱</th></tr>"
            "<tr><td>张三</td><td>0536-5221234</td><td>zwgk@shouguang.gov.cn</td></tr></table>"
        )
    out.append("</td></tr></table>")
    out.append('<div class="footer">主办:寿光市人民政府办公室 <br>技术支持:某某公司</div></body></html>')
    return "\n".join(out).encode(charset, errors="xmlcharrefreplace")


def word_document(plan: Plan, path: Path, *, ruled: bool = False) -> Path:
    """The notice as a Word attachment: paragraphs, then one table with merged cells.

    ``ruled``: the table has its grid lines drawn (Word's "Table Grid" style), as every
    office's table does on paper; python-docx's default table has none.
    """
    import docx

    document = docx.Document()
    for line in PREAMBLE:
        document.add_paragraph(line)
    rows: list[tuple[str, Task | None]] = _headings(plan)
    count = 1 + sum(len(t.requirements) if t else 1 for _, t in rows)
    table = document.add_table(rows=count, cols=4)
    if ruled:
        table.style = document.styles["Table Grid"]
    for col, header in enumerate(HEADER):
        table.cell(0, col).text = header
    r = 1
    for heading, task in rows:
        if task is None:
            table.cell(r, 0).merge(table.cell(r, 3)).text = heading
            r += 1
            continue
        groups = _row_groups(task)
        first = r
        for req, span in groups:
            table.cell(r, 1).text = req.text
            if span:
                units = table.cell(r, 2).merge(table.cell(r + span - 1, 2)) if span > 1 else table.cell(r, 2)
                deadline = table.cell(r, 3).merge(table.cell(r + span - 1, 3)) if span > 1 else table.cell(r, 3)
                lines = [line for line in req.responsible.split("\n") if line]
                units.text = lines[0] if lines else ""
                for line in lines[1:]:
                    units.add_paragraph(line)
                deadline.text = req.deadline
            r += 1
        merged = table.cell(first, 0).merge(table.cell(r - 1, 0)) if r - 1 > first else table.cell(first, 0)
        merged.text = f"{task.number}.{task.title}"
    document.save(str(path))
    return path


def browser_paste(plan: Plan) -> str:
    """The table selected in a browser and pasted: tabs between cells, merged cells blank."""
    lines = [*PREAMBLE, "\t".join(HEADER)]
    for heading, task in _headings(plan):
        if task is None:
            lines.append(heading)
            continue
        for index, (req, span) in enumerate(_row_groups(task)):
            title = f"{task.number}.{task.title}" if index == 0 else ""
            units = req.responsible if span else ""
            deadline = req.deadline if span else ""
            lines.append("\t".join([title, req.text, units, deadline]))
    return "\n".join(lines) + "\n"
