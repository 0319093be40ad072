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

WRAP_CHARS = 2.3  # a line ending within this many characters of the right edge was wrapped
PARAGRAPH_PITCH = 1.3  # a line pitch this much above the usual one is paragraph spacing
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
    return " ".join("".join(parts).split())


def _ink_right(line: list[dict[str, Any]]) -> float:
    """Where a line's last visible character ends (a trailing space glyph does not count)."""
    visible = [c for c in line if c["text"].strip()]
    return visible[-1]["x1"] if visible else line[-1]["x0"]


def usual_pitch(groups: Iterable[list[list[dict[str, Any]]]]) -> float:
    """The line pitch of wrapped text: the smallest distance between consecutive lines seen."""
    pitches = [
        min(c["top"] for c in b) - min(c["top"] for c in a)
        for lines in groups
        for a, b in zip(lines, lines[1:], strict=False)
    ]
    positive = [p for p in pitches if p > 0]
    return min(positive) if positive else 0.0


def join_wrapped(lines: list[list[dict[str, Any]]], right: float, usual: float = 0.0) -> str:
    """Lines of characters -> text: a line reaching ``right`` continues on the next one.

    A gap above the next line clearly wider than the ``usual`` pitch (paragraph
    spacing) also ends a paragraph, whatever the line's length.
    """
    out: list[str] = []
    tops = [min(c["top"] for c in line) for line in lines]
    for index, line in enumerate(lines):
        text = _line_text(line)
        out.append(text)
        if index + 1 == len(lines):
            break
        size = sum(c.get("size", 10) for c in line) / len(line)
        spaced = usual > 0 and tops[index + 1] - tops[index] > PARAGRAPH_PITCH * usual
        wrapped = _ink_right(line) >= right - WRAP_CHARS * size and not spaced
        if not wrapped:
            out.append("\n")
        elif text[-1:].isascii() and text[-1:].isalnum() and _line_text(lines[index + 1])[:1].isascii():
            out.append(" ")
    return "".join(out)


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell_lines(chars: list[dict[str, Any]], box: tuple[float, float, float, float]) -> tuple[list[list[dict[str, Any]]], float]:
    """A cell's lines and the right edge its text wraps at (the box less the left padding)."""
    inside = [c for c in chars if _inside(c, box)]
    if not inside:
        return [], box[2]
    lines = [line for line in _lines_of(inside) if any(c["text"].strip() for c in line)]
    if not lines:
        return [], box[2]
    left_pad = min(line[0]["x0"] for line in lines) - box[0]
    return lines, box[2] - max(left_pad, 0)


def _table_grid(found: Any, chars: list[dict[str, Any]]) -> list[list[Cell]]:
    cells = [[None if box is None else _cell_lines(chars, box) for box in row.cells] for row in found.rows]
    usual = usual_pitch(c[0] for row in cells for c in row if c is not None)
    return [
        [Cell("", continued=True) if c is None else Cell(clean_cell(join_wrapped(c[0], c[1], usual))) for c in row]
        for row in cells
    ]


def _text_lines(chars: list[dict[str, Any]]) -> list[str]:
    lines = [line for line in _lines_of(chars) if any(c["text"].strip() for c in line)]
    if not lines:
        return []
    right = max(_ink_right(line) for line in lines)
    return [line for line in clean_cell(join_wrapped(lines, right, usual_pitch([lines]))).split("\n") if line]


def _page_items(page: Any) -> Iterable[tuple[str, Any]]:
    """("text", line) and ("table", grid) items of a page, top to bottom."""
    chars = [c for c in page.chars if c.get("text", "")]
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
    import logging

    import pdfplumber  # only this reader needs it

    # pdfminer logs every odd font descriptor; the user needs only our one-line errors.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)

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


def _why(exc: BaseException) -> str:
    """A short reason; pdfplumber wraps pdfminer's own exception, so look inside."""
    chain: list[BaseException] = [exc]
    while len(chain) < 5:
        inner = chain[-1].__cause__ or chain[-1].__context__
        inner = inner or next((a for a in chain[-1].args if isinstance(a, BaseException)), None)
        if inner is None:
            break
        chain.append(inner)
    names = [type(e).__name__ for e in chain]
    if any("Password" in n or "Encrypt" in n for n in names):
        return "文件已加密,请先去掉密码"
    return names[-1]
