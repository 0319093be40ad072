"""任务分工 as a table (CSV, XLSX, or a pipe-separated table copied from a web page) -> events.

The header row names the columns; it may sit below a few title lines, which are
read like a notice's preamble. Recognised columns (spaces inside ignored):

- ``序号``: the task number when the task cell carries none;
- ``工作任务`` (``任务``): ``5.优化涉企服务`` or a bare title;
- ``具体要求`` (``工作要求``): the requirement text;
- ``责任单位``: ``X牵头落实;Y分别落实`` lines, or a plain list of names;
- ``牵头单位`` + ``责任单位`` (or ``配合单位``): leads and implementers as two columns;
- ``时限要求`` / ``完成时限``.

A row whose task cell is empty continues the task above (merged cells); a row
whose text cell is empty adds its units and deadline to the requirement above.
A row holding only ``一、…`` or ``(一)…`` is a heading.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from tracker.importer.builder import (
    Clause,
    ImportReport,
    NoticeImportError,
    PlanBuilder,
    names_clause,
    parse_unit_line,
)
from tracker.importer.notice import SECTION, SUBSECTION, TASK, _read_preamble, decode_bytes, is_header
from tracker.model import Role
from tracker.textsafe import clean_text
from tracker.units import Registry, fold_width

COLUMNS = {
    "number": ("序号", "编号"),
    "task": ("工作任务", "任务", "任务名称"),
    "text": ("具体要求", "工作要求", "要求", "任务内容"),
    "lead": ("牵头单位",),
    "units": ("责任单位", "配合单位", "落实单位"),
    "deadline": ("时限要求", "完成时限", "时限", "完成时间"),
}

Row = tuple[int, list[str]]  # (line or sheet row number, cells)


def read_csv_rows(data: bytes, source: str) -> list[Row]:
    """CSV bytes (any supported encoding) -> numbered rows."""
    text = clean_text(decode_bytes(data, source))
    try:
        return [(reader_line, row) for reader_line, row in _numbered_csv(text)]
    except csv.Error as exc:
        raise NoticeImportError(f"{source}: CSV 格式错误: {exc}") from None


def _numbered_csv(text: str) -> Iterable[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    line = 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def read_xlsx_rows(path: Path) -> list[Row]:
    """The first sheet of an XLSX workbook -> numbered rows (values as text)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # only this reader needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise NoticeImportError(f"{path.name}: 不是可读的 XLSX 文件: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[Row] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, ["" if v is None else _cell_text(v) for v in values]))
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_pipe_rows(text: str) -> list[Row]:
    """Lines such as ``| 1.… | … | … | 全年 |``; separator lines (``|---|``) are skipped.

    Lines without a ``|`` are kept as one-cell rows (headings, preamble).
    """
    rows: list[Row] = []
    for number, line in enumerate(clean_text(text).split("\n"), start=1):
        stripped = line.strip()
        if not stripped or re.fullmatch(r"[|:\-\s]+", stripped):
            continue
        if "|" in stripped:
            rows.append((number, [c.strip() for c in stripped.strip("|").split("|")]))
        else:
            rows.append((number, [stripped]))
    return rows


def looks_like_pipe_table(text: str) -> bool:
    """A text whose header line is a pipe-separated row naming 具体要求."""
    for line in text.splitlines():
        cells = [c for c in fold_width(line).split("|") if c.strip()]
        if len(cells) >= 3 and any("".join(c.split()) in COLUMNS["text"] for c in cells):
            return True
    return False


def _column_of(cell: str) -> str | None:
    name = "".join(fold_width(cell).split())
    for key, names in COLUMNS.items():
        if name in names:
            return key
    return None


def parse_table(
    rows: list[Row],
    year: int,
    registry: Registry,
    *,
    issued: date | None = None,
    source: str = "<table>",
    allow_unknown_units: bool = False,
) -> tuple[PlanBuilder, ImportReport]:
    """Read numbered rows into a builder (call ``builder.build()`` for the plan).

    Raises:
        NoticeImportError: when no header row names a 具体要求 column.
    """
    report = ImportReport(source=source)
    cleaned = [(n, [fold_width(c).strip() for c in cells]) for n, cells in rows]
    header_at = next(
        (
            i
            for i, (_, cells) in enumerate(cleaned)
            if sum(_column_of(c) is not None for c in cells) >= 2
            and any(_column_of(c) == "text" for c in cells)
        ),
        None,
    )
    if header_at is None:
        raise NoticeImportError(f"{source}: 找不到表头(需要“具体要求”列和“工作任务”“责任单位”“时限要求”等列)")
    columns: dict[str, int] = {}
    for index, name in enumerate(cleaned[header_at][1]):
        key = _column_of(name)
        if key and key not in columns:
            columns[key] = index
    # Placed by row number so that the preamble's remarks name the right lines.
    preamble_lines = [""] * cleaned[header_at][0]
    for n, cells in cleaned[:header_at]:
        preamble_lines[n - 1] = " ".join(c for c in cells if c)
    info = _read_preamble(preamble_lines, year, issued, report)
    builder = PlanBuilder(registry, info, report, allow_unknown_units=allow_unknown_units)
    current_title: str | None = None
    for number, cells in cleaned[header_at + 1 :]:

        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else ""

        if not any(cells) or all(is_header(c) or not c for c in cells):
            continue
        values = [c for c in cells if c]
        if len(values) == 1 and not cell("text"):
            only = values[0]
            if (m := SECTION.match(only)) or (m := SUBSECTION.match(only)):
                heading = only if m.re is SECTION else f"({m.group(1)}){m.group(2).strip()}"
                (builder.set_section if m.re is SECTION else builder.set_subsection)(heading)
                continue
        task_cell = cell("task")
        if task_cell and task_cell != current_title:
            parsed = _task_of(task_cell, cell("number"), builder.last_number)
            builder.start_task(*parsed, number)
            current_title = task_cell
        clauses, responsible = _clauses(cell("lead"), cell("units"), "lead" in columns, number, registry)
        builder.row(cell("text"), clauses, responsible, cell("deadline"), number)
    return builder, report


def _task_of(task_cell: str, number_cell: str, last: int) -> tuple[int, str]:
    """``5.优化涉企服务`` -> (5, title); else the 序号 column; else the next number."""
    title = " ".join(task_cell.split())
    if m := TASK.match(title):
        return int(m.group(1)), m.group(2).strip()
    if re.fullmatch(r"[1-9][0-9]{0,3}", number_cell):
        return int(number_cell), title
    return last + 1, title


def _clauses(
    lead_cell: str, units_cell: str, two_columns: bool, line: int, registry: Registry
) -> tuple[list[Clause], str]:
    """Clauses from the unit cell(s) and the 责任单位 text as issued."""
    clauses: list[Clause] = []
    issued_lines: list[str] = []
    for text, default_role, label in (
        (lead_cell, Role.LEAD, "牵头单位:"),
        (units_cell, Role.IMPLEMENTER if two_columns else None, "责任单位:" if two_columns else ""),
    ):
        for part in (p.strip() for p in text.split("\n")):
            if not part:
                continue
            # With two columns the text says which column each line came from.
            issued_lines.append(label + part)
            parsed = parse_unit_line(part, line, registry)
            if parsed is not None:
                clauses.extend(parsed)
            elif (plain := names_clause(part, line, default_role)) is not None:
                clauses.append(plain)
    return clauses, "\n".join(issued_lines)
