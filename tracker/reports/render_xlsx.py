"""The 台账 as an Excel workbook: one row per requirement and unit, filters on, header frozen.

Sheet 台账 is the ledger the office keeps (督查台账): overdue rows turn red and rows due
soon turn amber through conditional formatting, so the colours follow the data when
someone edits or re-sorts the sheet. Sheets 分单位 and 逾期事项 carry the summary and the
overdue list. Every user-written cell is stored as text, never as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.formatting.rule import FormulaRule  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from tracker.reports.labels import COUNT_COLUMNS, headline, scope_line
from tracker.reports.model import Report
from tracker.reports.ooxml import normalise_package

LEDGER_COLUMNS: list[tuple[str, int]] = [
    ("任务", 6),
    ("要求", 7),
    ("章节", 18),
    ("任务名称", 22),
    ("具体要求", 48),
    ("时限要求", 14),
    ("到期日", 11),
    ("单位", 16),
    ("角色", 6),
    ("状态", 8),
    ("是否逾期", 8),
    ("逾期天数", 8),
    ("剩余天数", 8),
    ("最近进展", 36),
    ("进展日期", 11),
    ("佐证", 30),
    ("催办次数", 8),
]

LATE_FILL = PatternFill(start_color="FFF4C7C3", end_color="FFF4C7C3", fill_type="solid")
SOON_FILL = PatternFill(start_color="FFFFE6B3", end_color="FFFFE6B3", fill_type="solid")
HEADER_FILL = PatternFill(start_color="FFD9E1F2", end_color="FFD9E1F2", fill_type="solid")
_THIN = Side(style="thin", color="FFB0B0B0")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
FONT = "仿宋"


def _text(value: str) -> str:
    """User text as a cell value that Excel will not read as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _header(ws: Worksheet, headers: Sequence[tuple[str, int]], row: int = 1) -> None:
    for col, (name, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = Font(name="黑体", bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width


def _row(ws: Worksheet, row: int, values: Sequence[object]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=_text(value) if isinstance(value, str) else value)
        if isinstance(value, str):
            cell.data_type = "s"
        cell.font = Font(name=FONT)
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def ledger_rows(report: Report) -> list[list[object]]:
    """The 台账 rows (without header), in plan order: task, requirement, unit."""
    late = {(o.unit, o.requirement): o for o in report.overdue}
    soon = {(d.unit, d.requirement): d for d in report.due_soon}
    rows: list[list[object]] = []
    for task in report.tasks:
        for req in task.requirements:
            for a in req.assignments:
                key = (a.unit, req.id)
                o, d = late.get(key), soon.get(key)
                due = d.due if d else (o.missed if o else (req.due[-1] if req.due else None))
                rows.append(
                    [
                        task.number,
                        req.id,
                        task.section,
                        task.title,
                        req.text,
                        req.deadline or "未明确",
                        due,
                        a.unit,
                        a.role.label,
                        a.status.label,
                        "是" if a.overdue else "否",
                        o.days_late if o else None,
                        d.days_left if d else None,
                        a.note,
                        a.note_at,
                        "\n".join(a.evidence),
                        a.reminders,
                    ]
                )
    return rows


def render_xlsx(report: Report) -> bytes:
    """The workbook as .xlsx bytes; the same report gives the same bytes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    _header(ws, LEDGER_COLUMNS)
    rows = ledger_rows(report)
    for r, values in enumerate(rows, start=2):
        _row(ws, r, values)
        ws.cell(row=r, column=7).number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=15).number_format = "yyyy-mm-dd"
    last_col = get_column_letter(len(LEDGER_COLUMNS))
    last_row = max(2, len(rows) + 1)
    ws.auto_filter.ref = f"A1:{last_col}{len(rows) + 1}"
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 28
    data_range = f"A2:{last_col}{last_row}"
    ws.conditional_formatting.add(
        data_range, FormulaRule(formula=['$K2="是"'], fill=LATE_FILL, stopIfTrue=True)
    )
    ws.conditional_formatting.add(
        data_range, FormulaRule(formula=['AND($K2="否",ISNUMBER($M2))'], fill=SOON_FILL, stopIfTrue=True)
    )
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    units = wb.create_sheet("分单位")
    unit_headers = (
        [("单位", 18), ("类别", 10)] + [(label, 9) for _, label in COUNT_COLUMNS] + [("完成率%", 9)]
    )
    _header(units, unit_headers)
    for r, row in enumerate(report.by_unit, start=2):
        c = row.counts
        _row(units, r, [row.unit, row.kind, *[getattr(c, key) for key, _ in COUNT_COLUMNS], c.done_percent])
    units.auto_filter.ref = f"A1:{get_column_letter(len(unit_headers))}{len(report.by_unit) + 1}"
    units.freeze_panes = "B2"
    total_row = len(report.by_unit) + 2
    s = report.summary
    _row(units, total_row, ["合计", "", *[getattr(s, key) for key, _ in COUNT_COLUMNS], s.done_percent])
    for cell in units[total_row]:
        cell.font = Font(name="黑体", bold=True)

    late = wb.create_sheet("逾期事项")
    late_headers = [
        ("要求", 7),
        ("任务名称", 22),
        ("单位", 16),
        ("角色", 6),
        ("状态", 8),
        ("时限要求", 14),
        ("应完成日期", 11),
        ("逾期天数", 8),
        ("牵头单位", 24),
        ("最近进展", 36),
        ("进展日期", 11),
        ("催办次数", 8),
        ("最近催办", 11),
    ]
    _header(late, late_headers)
    for r, o in enumerate(report.overdue, start=2):
        _row(
            late,
            r,
            [
                o.requirement,
                o.title,
                o.unit,
                o.role.label,
                o.status.label,
                o.deadline,
                o.missed,
                o.days_late,
                "、".join(o.leads) or "—",
                o.last_note,
                o.last_note_at,
                o.reminders,
                o.last_reminded,
            ],
        )
        for col in (7, 11, 13):
            late.cell(row=r, column=col).number_format = "yyyy-mm-dd"
    late.auto_filter.ref = f"A1:{get_column_letter(len(late_headers))}{len(report.overdue) + 1}"
    late.freeze_panes = "A2"

    info = wb.create_sheet("说明")
    for r, line in enumerate([report.title + "执行情况台账", scope_line(report), headline(report)], start=1):
        _row(info, r, [line])
    info.column_dimensions["A"].width = 120

    wb.properties.creator = "tracker"
    wb.properties.title = report.title + "执行情况台账"
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_package(buffer.getvalue(), report.as_of)
