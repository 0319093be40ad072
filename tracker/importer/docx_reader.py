"""A Word/WPS ``.docx`` -> an :class:`~tracker.importer.document.Extract`: paragraphs and tables.

Why python-docx (already a dependency, for the .docx report): it opens and
checks the package and gives the body's XML elements, on which the reader
walks paragraphs and tables in document order. Merges are read from the XML
itself, because they are what matters here: ``w:gridSpan`` (horizontal) and
``w:vMerge`` (vertical: the task or its units continue) become ``continued``
copies of the cell they belong to; ``w:gridBefore`` leaves leading columns
empty. Tables nested in cells are read as their own tables.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from tracker.importer.builder import NoticeImportError
from tracker.importer.document import Cell, Extract, Table, TableRow, clean_cell

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == f"{_W}t" and el.text:
            parts.append(el.text)
        elif tag == f"{_W}tab":
            parts.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc: Any) -> str:
    lines = [_paragraph_text(p) for p in tc.iter(f"{_W}p")]
    return clean_cell("\n".join(lines))


def _int_attr(el: Any, default: int) -> int:
    if el is None:
        return default
    try:
        return max(1, min(int(el.get(f"{_W}val", default)), 100))
    except (TypeError, ValueError):
        return default


def table_rows(tbl: Any) -> list[TableRow]:
    """One ``w:tbl`` as rows of a full grid, merged positions marked ``continued``."""
    grid: list[list[Cell]] = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        row: list[Cell] = []
        tr_pr = tr.find(f"{_W}trPr")
        before = _int_attr(tr_pr.find(f"{_W}gridBefore") if tr_pr is not None else None, 0)
        row.extend(Cell("") for _ in range(before))
        for tc in tr.iterchildren(f"{_W}tc"):
            tc_pr = tc.find(f"{_W}tcPr")
            span = _int_attr(tc_pr.find(f"{_W}gridSpan") if tc_pr is not None else None, 1)
            merge = tc_pr.find(f"{_W}vMerge") if tc_pr is not None else None
            col = len(row)
            if merge is not None and merge.get(f"{_W}val", "continue") != "restart":
                above = grid[-1][col].text if grid and col < len(grid[-1]) else ""
                cells = [Cell(above, continued=True) for _ in range(span)]
            else:
                text = _cell_text(tc)
                cells = [Cell(text, continued=bool(i)) for i in range(span)]
            row.extend(cells)
        grid.append(row)
    return [TableRow(n, cells) for n, cells in enumerate(grid, start=1)]


def read_docx(data: bytes, source: str) -> Extract:
    """A .docx's paragraphs (as text lines) and tables, in document order.

    Raises:
        NoticeImportError: the file is not a Word document (a zip of something else,
            a damaged package).
    """
    import docx  # only this reader needs it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise NoticeImportError(f"{source}: 不是可读的 Word(.docx)文件: {exc}") from None
    except Exception as exc:  # lxml and zipfile raise many types for a damaged package
        raise NoticeImportError(f"{source}: 不是可读的 Word(.docx)文件: {type(exc).__name__}") from None
    extract = Extract("docx")
    _walk(document.element.body, extract, _Counters())
    return extract


class _Counters:
    """Line numbers and table count while the body is walked in document order."""

    def __init__(self) -> None:
        self.line = 0
        self.tables = 0


def _add_lines(extract: Extract, counters: _Counters, text: str) -> None:
    for line in text.split("\n"):
        if line:
            counters.line += 1
            extract.lines.append((counters.line, line))


def _walk(container: Any, extract: Extract, counters: _Counters) -> None:
    """Paragraphs and tables of ``container`` in document order.

    A table holding other tables is a layout table (a web page saved as Word, a form):
    it is offered as a table too, but its text is read cell by cell in order, so a task
    table nested in it keeps the title paragraphs above it as its preamble.
    """
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            _add_lines(extract, counters, clean_cell(_paragraph_text(child)))
        elif child.tag == f"{_W}sdt":  # content controls wrap paragraphs and tables
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                _walk(content, extract, counters)
        elif child.tag == f"{_W}tbl" and counters.tables < 50:
            counters.tables += 1
            rows = table_rows(child)
            if rows:
                extract.tables.append(Table(rows, label=f"表{counters.tables}", position=counters.line))
            if any(True for _ in child.iterdescendants(f"{_W}tbl")):
                for tr in child.iterchildren(f"{_W}tr"):
                    for tc in tr.iterchildren(f"{_W}tc"):
                        _walk(tc, extract, counters)
            else:
                for row in rows:
                    texts = [c.text for c in row.cells if c.text and not c.continued]
                    _add_lines(extract, counters, "\n".join(texts))
