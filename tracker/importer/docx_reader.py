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
    body = document.element.body
    number = 0
    count = 0
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            text = clean_cell(_paragraph_text(child))
            for line in text.split("\n"):
                if line:
                    number += 1
                    extract.lines.append((number, line))
        elif child.tag == f"{_W}tbl":
            for tbl in list(child.iter(f"{_W}tbl"))[:50]:
                count += 1
                rows = table_rows(tbl)
                if rows:
                    extract.tables.append(Table(rows, label=f"表{count}", position=number))
                    for row in rows:
                        texts = [c.text for c in row.cells if c.text and not c.continued]
                        for line in "\n".join(texts).split("\n"):
                            if line:
                                number += 1
                                extract.lines.append((number, line))
    return extract
