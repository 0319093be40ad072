"""Choosing the reading of a document: its task table, a table in its text, or its paragraphs.

A document's tables are tried first: the first whose header names the columns
is the task table, and the tables after it with the same number of columns
continue it (a table cut by a page break, or one table per section). Without
such a table the document's text is read: as a pasted table (tabs), a pipe
table, a table flattened to one cell per line, and then as paragraphs, both as
a 任务分工 notice (``1.任务`` lines, units on their own lines) and as a 要点
document (numbered paragraphs, units in brackets); the paragraph reading that
places more requirements with units wins, the notice on a tie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.importer.builder import ImportReport, NoticeImportError, PlanBuilder
from tracker.importer.columns import find_columns, headers_seen
from tracker.importer.document import Extract, Table, TableRow
from tracker.importer.notice import normalise_lines, parse_notice
from tracker.importer.outline import outline_score, parse_outline
from tracker.importer.table import nothing_found, parse_table
from tracker.importer.text_tables import flattened_rows, pipe_rows, tab_rows
from tracker.units import Registry

READER_NAMES = {
    "html": ("网页表格", "web page table"),
    "html-text": ("网页正文", "web page text"),
    "docx": ("Word 表格", "Word table"),
    "docx-text": ("Word 正文", "Word text"),
    "pdf": ("PDF 表格", "PDF table"),
    "pdf-text": ("PDF 正文", "PDF text"),
    "xlsx": ("Excel 表格", "Excel sheet"),
    "csv": ("CSV 表格", "CSV table"),
    "tab": ("粘贴的表格(制表符分隔)", "pasted table (tab-separated)"),
    "pipe": ("竖线表格", "pipe table"),
    "flattened": ("逐格一行的表格(竖线分隔)", "table flattened one cell per line"),
    "notice": ("通知文字(任务分工)", "notice text (task list)"),
    "outline": ("要点段落(括号内责任单位)", "numbered paragraphs with units in brackets"),
}


def task_table(tables: list[Table], columns: dict[str, str] | None) -> tuple[Table, list[TableRow], list[str]] | None:
    """The first table with a header, its rows with the continuing tables' rows, and warnings."""
    for index, table in enumerate(tables):
        if find_columns(table.rows, columns) is None:
            continue
        width = max(len(r.cells) for r in table.rows)
        rows = list(table.rows)
        warnings: list[str] = []
        offset = rows[-1].number if rows else 0
        for later in tables[index + 1 :]:
            later_width = max((len(r.cells) for r in later.rows), default=0)
            if later_width != width:
                if find_columns(later.rows, None) is not None:
                    warnings.append(f"{later.label} 的列数({later_width})与任务表({width})不同,未读取")
                continue
            rows.extend(TableRow(offset + r.number, r.cells) for r in later.rows)
            offset += later.rows[-1].number if later.rows else 0
        return table, rows, warnings
    return None


@dataclass(frozen=True)
class ReadOptions:
    """What one import reads with: plan year, unit registry, issue date, source name, overrides."""

    year: int
    registry: Registry
    issued: date | None = None
    source: str = "<notice>"
    allow_unknown_units: bool = False
    columns: dict[str, str] | None = None

    def reader_kwargs(self) -> dict[str, Any]:
        return {"issued": self.issued, "source": self.source, "allow_unknown_units": self.allow_unknown_units}


def read_extract(extract: Extract, options: ReadOptions) -> tuple[PlanBuilder, ImportReport]:
    """A reader's extract -> a builder, from its task table or else from its text."""
    found = task_table(extract.tables, options.columns)
    if found is not None:
        table, rows, warnings = found
        builder, report = parse_table(
            rows,
            options.year,
            options.registry,
            columns=options.columns,
            preamble=extract.lines_before(table),
            **options.reader_kwargs(),
        )
        for warning in warnings:
            report.add("warning", None, warning)
        report.reader, report.counts = extract.reader, "row"
        return builder, report
    seen = [line for t in extract.tables for line in headers_seen(t.rows, 2)]
    return read_text(extract.text(), options, reader_suffix=f"{extract.reader}-text", seen=seen)


def read_text(
    text: str, options: ReadOptions, *, reader_suffix: str = "", seen: list[str] | None = None
) -> tuple[PlanBuilder, ImportReport]:
    """Text -> a builder: a table held in the text, else the better paragraph reading.

    Raises:
        NoticeImportError: nothing in the text reads as tasks; the message says what
            was looked for and the first lines and headers seen.
    """
    year, registry, columns, kwargs = options.year, options.registry, options.columns, options.reader_kwargs()
    for name in ("tab", "pipe", "flattened"):
        found = tab_rows(text) if name == "tab" else (pipe_rows if name == "pipe" else flattened_rows)(text, registry)
        if found is not None and find_columns(found, columns) is not None:
            builder, report = parse_table(found, year, registry, columns=columns, **kwargs)
            report.reader = name
            return builder, report
    if columns:
        raise nothing_found(options.source, [], columns)
    readings = [
        ("notice", *parse_notice(text, year, registry, **kwargs)),
        ("outline", *parse_outline(text, year, registry, **kwargs)),
    ]
    name, builder, report = max(
        readings, key=lambda r: (outline_score(r[1]), len(r[1].drafts), r[0] == "notice")
    )
    if not builder.drafts:
        lines = [line for line in normalise_lines(text) if line][:3]
        raise NoticeImportError(
            f"{options.source}: 没有找到任何任务(找过: 含“工作任务/具体要求/责任单位/时限要求”等表头的表格、"
            "“1.任务名称”这样的任务行、带“(牵头单位:…;责任单位:…)”括号的编号段落)",
            [f"看到的表头/首行: {line[:40]}" for line in ([*(seen or []), *lines])[:6]],
        )
    report.reader = f"{reader_suffix}:{name}" if reader_suffix else name
    return builder, report
