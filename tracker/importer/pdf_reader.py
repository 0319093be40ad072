"""A ``.pdf`` with a text layer -> an :class:`~tracker.importer.document.Extract`.

Why pdfplumber: it finds ruled tables from the page's lines and rectangles and
gives every cell's box, which is what a task table needs (pypdf gives only a text
stream; camelot needs OpenCV/Ghostscript). It is pure Python on top of
pdfminer.six, installs from PyPI, and is imported only when a PDF is read.

A PDF has no paragraphs, only lines: a cell's or the page's lines are joined
back into paragraphs where a line runs to the right edge (it was wrapped), and
kept apart where it stops short (the paragraph ended). Lookalike Kangxi
radicals and compatibility ideographs (``⼯作任务``) are folded to the
ideographs they stand for. A PDF without any text (a scan) gets one clear error.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from tracker.importer.builder import NoticeImportError
from tracker.importer.document import Cell, Extract, Table, TableRow, clean_cell

WRAP_CHARS = 2.2  # a line ending within this many characters of the right edge was wrapped
MAX_PAGES = 500


def _lines_of(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Characters grouped into lines by their vertical position, each sorted left to right."""
    lines: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - char["top"]) <= max(2.0, 0.4 * char.get("size", 10)):
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(line: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    for previous, char in zip([None, *line], line, strict=False):
        if previous is not None and char["x0"] - previous["x1"] > 0.6 * char.get("size", 10):
            parts.append(" ")
        parts.append(char["text"])
    return "".join(parts)


def join_wrapped(lines: list[list[dict[str, Any]]], right: float) -> str:
    """Lines of characters -> text: a line reaching ``right`` continues on the next one."""
    out: list[str] = []
    for index, line in enumerate(lines):
        text = _line_text(line)
        out.append(text)
        if index + 1 == len(lines):
            break
        size = sum(c.get("size", 10) for c in line) / len(line)
        wrapped = line[-1]["x1"] >= right - WRAP_CHARS * size
        if not wrapped:
            out.append("\n")
        elif text[-1:].isascii() and text[-1:].isalnum() and _line_text(lines[index + 1])[:1].isascii():
            out.append(" ")
    return "".join(out)


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell_text(chars: list[dict[str, Any]], box: tuple[float, float, float, float]) -> str:
    inside = [c for c in chars if _inside(c, box)]
    if not inside:
        return ""
    lines = _lines_of(inside)
    # The right edge: the cell's box less the padding seen on the left.
    left_pad = min(line[0]["x0"] for line in lines) - box[0]
    return clean_cell(join_wrapped(lines, box[2] - max(left_pad, 0)))


def _table_grid(found: Any, chars: list[dict[str, Any]]) -> list[list[Cell]]:
    grid: list[list[Cell]] = []
    for row in found.rows:
        cells = [Cell("", continued=True) if box is None else Cell(_cell_text(chars, box)) for box in row.cells]
        grid.append(cells)
    return grid


def _text_lines(chars: list[dict[str, Any]]) -> list[str]:
    if not chars:
        return []
    lines = _lines_of(chars)
    right = max(line[-1]["x1"] for line in lines)
    return [line for line in clean_cell(join_wrapped(lines, right)).split("\n") if line]


def _page_items(page: Any) -> Iterable[tuple[str, Any]]:
    """("text", line) and ("table", grid) items of a page, top to bottom."""
    chars = [c for c in page.chars if c.get("text", "").strip()]
    for found in sorted(page.find_tables(), key=lambda t: t.bbox[1]):
        above = [c for c in chars if c["bottom"] <= found.bbox[1] + 1]
        for line in _text_lines(above):
            yield "text", line
        inside = [c for c in chars if _inside(c, found.bbox)]
        yield "table", _table_grid(found, inside)
        chars = [c for c in chars if c["bottom"] > found.bbox[1] + 1 and not _inside(c, found.bbox)]
    for line in _text_lines(chars):
        yield "text", line


def read_pdf(data: bytes, source: str) -> Extract:
    """A PDF's tables (per page) and the text around them.

    Raises:
        NoticeImportError: not a PDF, encrypted, damaged, or without a text layer.
    """
    import pdfplumber  # only this reader needs it

    extract = Extract("pdf")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        raise NoticeImportError(f"{source}: 无法打开 PDF({_why(exc)})") from None
    number = 0
    table_rows = 0  # rows are numbered across the document's tables
    any_text = False
    try:
        with pdf:
            for page_number, page in enumerate(pdf.pages[:MAX_PAGES], start=1):
                any_text = any_text or any(c.get("text", "").strip() for c in page.chars)
                for kind, item in _page_items(page):
                    if kind == "text":
                        number += 1
                        extract.lines.append((number, item))
                        continue
                    rows = [TableRow(table_rows + i + 1, cells) for i, cells in enumerate(item)]
                    table_rows += len(rows)
                    extract.tables.append(Table(rows, label=f"第{page_number}页", position=number))
                    for row in rows:
                        for line in "\n".join(c.text for c in row.cells if c.text).split("\n"):
                            if line:
                                number += 1
                                extract.lines.append((number, line))
    except NoticeImportError:
        raise
    except Exception as exc:  # a damaged page: say so rather than show a traceback
        raise NoticeImportError(f"{source}: PDF 内容无法读取({_why(exc)})") from None
    if not any_text:
        raise NoticeImportError(
            f"{source}: 这个 PDF 没有文字层(可能是扫描件),无法读取;请向发文单位索取 Word 或网页版本,或先做文字识别(OCR)"
        )
    return extract


def _why(exc: Exception) -> str:
    name = type(exc).__name__
    if "Password" in name or "Encrypt" in name:
        return "文件已加密,请先去掉密码"
    return name
