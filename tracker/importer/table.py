"""A task table (rows of cells from any reader) -> events for the plan builder.

The header row names the columns (:mod:`tracker.importer.columns`: 序号,
工作任务, 具体要求, 责任单位 or 牵头单位 + 配合单位, 时限要求 and their
synonyms); it may sit below title rows, which are read like a notice's
preamble. Rows are then read by meaning:

- a row whose task cell is empty or merged with the one above continues that task;
- a row whose 具体要求 cell is empty or merged adds its units and deadline to
  the requirement above; a new 具体要求 whose 责任单位/时限 cells are merged
  with the row above shares them (an *inherited* requirement, as in the notice);
- a row holding only ``一、…`` or ``(一)…`` (one cell across the table) is a heading;
- a repeated header row (after a page break) is skipped;
- 序号 numbers tasks when it sits on task rows only, else it numbers requirements
  and the tasks are numbered in order; without a 工作任务 column every numbered
  row is a task titled by its first clause; without a 时限要求 column every
  due date is unspecified.
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
    split_glued_clauses,
)
from tracker.importer.columns import ColumnMap, find_columns, headers_seen, is_header_cell
from tracker.importer.document import Cell, TableRow, normalise_chars, plain_rows
from tracker.importer.notice import SECTION, SUBSECTION, TASK, _read_preamble, decode_bytes
from tracker.model import Role
from tracker.textsafe import clean_text
from tracker.units import Registry, fold_width

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
    """A text with a pipe-separated header row naming at least two known columns."""
    from tracker.importer.columns import column_of

    for line in text.splitlines()[:200]:
        cells = [c for c in fold_width(line).split("|") if c.strip()]
        if len(cells) >= 2 and "|" in line:
            keys = {column_of(c) for c in cells} - {None}
            if len(keys) >= 2 and keys & {"task", "text"}:
                return True
    return False


_SINGLE_KEYS = ("task", "number", "text")
_SHARED_KEYS = ("lead", "units", "partner", "deadline")
_CLAUSE = re.compile(r"^(.{4,40}?)[。;:!?]")


def short_title(text: str) -> str:
    """A task title from a requirement's text: its first clause, numbering removed."""
    first = text.split("\n")[0].strip()
    for pattern in (SECTION, SUBSECTION, TASK):
        if m := pattern.match(first):
            first = m.group(2).strip()
            break
    first = re.sub(r"^[0-9]{1,3}\s*[.、)]\s*", "", first)
    if m := _CLAUSE.match(first):
        first = m.group(1)
    elif len(first) > 40:
        first = first[:40] + "…"
    return first.rstrip("。;:,")


def parse_table(
    rows: list[Row] | list[TableRow],
    year: int,
    registry: Registry,
    *,
    issued: date | None = None,
    source: str = "<table>",
    allow_unknown_units: bool = False,
    columns: dict[str, str] | None = None,
    preamble: list[str] | None = None,
) -> tuple[PlanBuilder, ImportReport]:
    """Read rows into a builder (call ``builder.build()`` for the plan).

    Args:
        rows: ``(number, [text, ...])`` or :class:`TableRow` (with merged cells marked).
        columns: ``--columns`` overrides, key -> header word or 1-based column.
        preamble: text lines before the table (a web page's or a document's), for
            the plan's title, issuer and date; else the rows above the header are used.

    Raises:
        NoticeImportError: when no row reads as a header; the message names the
            header words looked for and the first rows seen.
    """
    table = [r if isinstance(r, TableRow) else None for r in rows]
    grid: list[TableRow] = (
        [r for r in table if r is not None] if all(table) else plain_rows(rows)  # type: ignore[arg-type]
    )
    grid = [TableRow(r.number, [Cell(_clean(c.text), c.continued) for c in r.cells]) for r in grid]
    report = ImportReport(source=source)
    found = find_columns(grid, columns)
    if found is None:
        raise nothing_found(source, [grid], columns)
    header_at, column_map = found
    if grid and grid[header_at].number == 0 and column_map.header_rows:
        # A header made by a reader from what the columns hold (text_tables.infer_keys).
        column_map.headers = dict.fromkeys(column_map.headers, "")
        report.add("warning", None, "表格没有表头行:各列的含义按内容推断(见“列”一行),请核对")
    report.columns = column_map.describe()
    data = grid[header_at + column_map.header_rows :]
    if preamble is None:
        # Placed by row number so that the preamble's remarks name the right lines.
        last = grid[header_at].number if grid else 0
        preamble = [""] * last
        for row in grid[:header_at]:
            if 0 < row.number <= last:
                preamble[row.number - 1] = " ".join(c.text for c in row.cells if c.text and not c.continued)
    else:
        # Title rows inside the table (a PDF's or a Word file's) belong to the preamble too.
        preamble = [
            *preamble,
            *(line for row in grid[:header_at] for c in row.cells if not c.continued for line in c.text.split("\n") if line),
        ]
    info = _read_preamble(preamble, year, issued, report)
    builder = PlanBuilder(registry, info, report, allow_unknown_units=allow_unknown_units)
    _TableReader(builder, column_map, registry).read(data)
    return builder, report


def nothing_found(source: str, tables: list[list[TableRow]], columns: dict[str, str] | None) -> NoticeImportError:
    """The error for a document with no task table: what was looked for, what was seen."""
    from tracker.importer.columns import KEY_LABELS, SYNONYMS

    if columns:
        wanted = "、".join(f"{k}={v}" for k, v in columns.items())
        message = f"{source}: 找不到 --columns 指定的表头({wanted})"
    else:
        words = "、".join(f"{KEY_LABELS[k][0]}({'/'.join(SYNONYMS[k][1:4])}…)" for k in ("task", "text", "units", "deadline"))
        message = f"{source}: 找不到表头(找的是 {words} 中至少两列,含工作任务或具体要求)"
    seen = [line for rows in tables for line in headers_seen(rows, 2)]
    problems = [f"看到的表头/首行: {line}" for line in seen[:6]] or ["没有看到任何表格行"]
    return NoticeImportError(message, problems)


def _clean(text: str) -> str:
    return "\n".join(fold_width(normalise_chars(line)).strip() for line in text.strip().split("\n")).strip()


class _TableReader:
    """Walks the data rows of one task table, feeding the builder."""

    def __init__(self, builder: PlanBuilder, columns: ColumnMap, registry: Registry) -> None:
        self.builder = builder
        self.columns = columns.index
        self.registry = registry
        self.current_title: str | None = None

    def _get(self, row: TableRow, key: str) -> Cell:
        index = self.columns.get(key)
        if index is None or index >= len(row.cells):
            return Cell("")
        return row.cells[index]

    def _numbers_tasks(self, data: list[TableRow]) -> bool:
        """序号 numbers tasks unless some row continuing a task has a number of its own."""
        if "number" not in self.columns or "task" not in self.columns:
            return True
        for row in data:
            number, task = self._get(row, "number"), self._get(row, "task")
            if number.text and not number.continued and (not task.text or task.continued):
                return False
        return True

    def read(self, data: list[TableRow]) -> None:
        builder = self.builder
        numbers_tasks = self._numbers_tasks(data)
        has_task_column = "task" in self.columns
        for row in data:
            cells = row.cells
            fresh = [c.text for c in cells if c.text and not c.continued]
            if not fresh or all(is_header_cell(t) for t in fresh):
                continue
            if len(row.cells) == 1 and len(self.columns) > 1 and not (SECTION.match(fresh[0]) or SUBSECTION.match(fresh[0])):
                # One cell where the table has several: a note, or the document cut off mid-row.
                builder.unplaced(fresh[0], row.number, "表格行只有一格,读不出各列(文档可能在此截断)")
                continue
            heading_keys = [self.columns[k] for k in ("section", "subsection") if k in self.columns]
            fresh_cells = [i for i, c in enumerate(cells) if c.text and not c.continued and i not in heading_keys]
            if not fresh_cells and heading_keys:
                for key, setter in (("section", builder.set_section), ("subsection", builder.set_subsection)):
                    if key in self.columns and self._get(row, key).text:
                        setter(self._get(row, key).text)
                continue
            if len(set(fresh)) == 1 and (not self._get(row, "text").text or self._get(row, "text").continued):
                only = fresh[0]
                if (m := SECTION.match(only)) or (m := SUBSECTION.match(only)):
                    if m.re is SECTION:
                        builder.set_section(only)
                    else:
                        builder.set_subsection(f"({m.group(1)}){m.group(2).strip()}")
                    continue
            for key, setter in (("section", builder.set_section), ("subsection", builder.set_subsection)):
                heading = self._get(row, key)
                if heading.text and not heading.continued and key in self.columns:
                    setter(heading.text)
            task_cell, number_cell, text_cell = (self._get(row, k) for k in _SINGLE_KEYS)
            number_text = "" if number_cell.continued else number_cell.text.rstrip(".")
            text = "" if text_cell.continued else text_cell.text
            new_task = False
            if has_task_column and number_text.isdigit() and not numbers_tasks:
                # A 序号 on every row: each numbered row is a task a clerk calls by that
                # number; a merged 工作任务 cell gives the rows under it the same title.
                title = self.current_title if (task_cell.continued or not task_cell.text) else task_cell.text
                _, parsed_title = _task_of(title or "", "", builder.last_number)
                builder.start_task(int(number_text), parsed_title or short_title(text), row.number)
                self.current_title, new_task = title, True
            elif has_task_column:
                title = "" if task_cell.continued else task_cell.text
                if title and title != self.current_title:
                    number, parsed_title = _task_of(title, number_text if numbers_tasks else "", builder.last_number)
                    builder.start_task(number, parsed_title, row.number)
                    self.current_title, new_task = title, True
                    if "text" not in self.columns:
                        text = title
            elif number_text or "number" not in self.columns:
                source_text = text or task_cell.text
                number = int(number_text) if number_text.isdigit() else builder.last_number + 1
                if number in builder.drafts:
                    number = builder.last_number + 1
                builder.start_task(number, short_title(source_text), row.number)
                new_task = True
            shared = {
                k: ("" if c.continued and not new_task else c.text)
                for k in _SHARED_KEYS
                for c in [self._get(row, k)]
            }
            # A merged 具体要求 cell: the row adds to the requirement above; its own merged
            # unit and deadline cells say nothing new.
            if text_cell.continued and not new_task:
                shared = {k: ("" if self._get(row, k).continued else v) for k, v in shared.items()}
            clauses, responsible = _clauses(
                shared["lead"], shared["units"], shared["partner"], ("lead" in self.columns, "partner" in self.columns),
                row.number, self.registry,
            )
            if not text and not responsible and not shared["deadline"]:
                if fresh and not new_task and not (set(fresh) <= {task_cell.text, number_cell.text}):
                    builder.unplaced(" | ".join(fresh), row.number, "这一行读不出要求、单位或时限")
                continue
            for part in split_numbered(text):
                builder.row(part, clauses, responsible, shared["deadline"], row.number)


_RUN_ON = re.compile(r"(?:^|(?<=[。;!?\s]))([1-9])\s*[.、](?![0-9])")


def split_numbered(text: str) -> list[str]:
    """``1.开展…。2.按照…。3.…`` in one cell -> one requirement each; other text stays whole.

    Only a run starting at 1 and counting up by one splits, so a number inside a
    sentence (``在6月底前``) never does.
    """
    starts: list[int] = []
    expected = 1
    for m in _RUN_ON.finditer(text):
        if int(m.group(1)) == expected:
            starts.append(m.start())
            expected += 1
    if len(starts) < 2 or starts[0] != 0:
        return [text]
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=False)]


def _task_of(task_cell: str, number_cell: str, last: int) -> tuple[int, str]:
    """``5.优化涉企服务`` -> (5, title); else the 序号 column; else the next number."""
    title = " ".join(task_cell.split())
    if m := TASK.match(title):
        return int(m.group(1)), m.group(2).strip()
    for pattern in (SECTION, SUBSECTION):
        if m := pattern.match(title):
            title = m.group(2).strip().rstrip("。")
            break
    if re.fullmatch(r"[1-9][0-9]{0,3}", number_cell):
        return int(number_cell), title
    return last + 1, title


def _clauses(
    lead_cell: str,
    units_cell: str,
    partner_cell: str,
    separate: tuple[bool, bool],
    line: int,
    registry: Registry,
) -> tuple[list[Clause], str]:
    """Clauses from the unit cell(s) and the 责任单位 text as issued."""
    has_lead, has_partner = separate
    clauses: list[Clause] = []
    issued_lines: list[str] = []
    labelled = has_lead or has_partner
    for text, default_role, label in (
        (lead_cell, Role.LEAD, "牵头单位:"),
        (units_cell, Role.IMPLEMENTER if has_lead else None, "责任单位:" if labelled else ""),
        (partner_cell, Role.IMPLEMENTER, "配合单位:"),
    ):
        lines = (piece for p in text.split("\n") for piece in split_glued_clauses(p.strip(), registry))
        for part in lines:
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
