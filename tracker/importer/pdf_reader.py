"""A ``.pdf`` with a text layer -> an :class:`~tracker.importer.document.Extract`.

Why pypdfium2 (Google's PDFium, the PDF engine of Chromium, with wheels on PyPI,
Apache-2.0/BSD): it gives every character with its box and font size, and every
path (the table's rules), at C speed. pdfplumber was tried first: its table
finder is good but it parses content streams with pdfminer.six in pure Python,
and a 200-row table took 8 s on the CI machine against a 3 s target; with PDFium
the same file takes well under a second. The table is rebuilt from the rules:
the x's of the vertical rules and the y's of the horizontal ones give the grid,
and a rule missing between two grid cells means they are one merged cell
(``continued``), which is also what rowspan/colspan look like printed. pypdf
gives no character boxes; PyMuPDF is AGPL; camelot needs OpenCV and Ghostscript.

A PDF has no paragraphs, only lines: a cell's or the page's lines are joined
back into paragraphs where a line runs to the right edge (it was wrapped), and
kept apart where it stops short (the paragraph ended). Lookalike Kangxi
radicals and compatibility ideographs (``⼯作任务``) are folded to the
ideographs they stand for. A PDF without any text (a scan) gets one clear error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tracker.importer.builder import NoticeImportError
from tracker.importer.document import Cell, Extract, Table, TableRow, clean_cell

Char = dict[str, Any]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom (top-down, as on screen)

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
    return float(visible[-1]["x1"] if visible else line[-1]["x0"])


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
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])


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


def _cluster(values: list[float], tolerance: float = 6.0) -> list[float]:
    """Rule positions; rules closer than ``tolerance`` (a double or thick border) are one."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _near(value: float, targets: list[float], tolerance: float = 4.0) -> bool:
    return any(abs(value - t) <= tolerance for t in targets)


def find_grid(edges: list[Box]) -> tuple[list[float], list[float], list[Box], list[Box]] | None:
    """The ruling of a page's table: column x's, row y's, and the vertical and horizontal rules.

    A rule is a thin path (a line or a thin filled rectangle, as Word and browsers draw
    borders). Horizontal rules that do not meet the vertical ones (link underlines) are left out.
    """
    vertical = [e for e in edges if e[2] - e[0] <= 2.5 and e[3] - e[1] > 4]
    xs = _cluster([(e[0] + e[2]) / 2 for e in vertical])
    if len(xs) < 2:
        return None
    horizontal = [
        e for e in edges
        if e[3] - e[1] <= 2.5 and e[2] - e[0] > 4 and (_near(e[0], xs) or any(e[0] < x < e[2] for x in xs)) and (_near(e[2], xs) or any(e[0] < x < e[2] for x in xs))
    ]
    ys = _cluster([(e[1] + e[3]) / 2 for e in horizontal])
    if len(ys) < 2:
        return None
    return xs, ys, vertical, horizontal


def _has_rule(rules: list[Box], across: float, at: float, vertical: bool) -> bool:
    """Is there a rule at ``at`` (x for vertical rules, y for horizontal) covering ``across``?"""
    for x0, top, x1, bottom in rules:
        if vertical and abs((x0 + x1) / 2 - at) <= 4 and top - 1 <= across <= bottom + 1:
            return True
        if not vertical and abs((top + bottom) / 2 - at) <= 4 and x0 - 1 <= across <= x1 + 1:
            return True
    return False


def _table_grid(grid: tuple[list[float], list[float], list[Box], list[Box]], chars: list[Char]) -> list[list[Cell]]:
    """The cells of a ruled table: a missing rule between two grid cells merges them."""
    xs, ys, vertical, horizontal = grid
    rows, cols = len(ys) - 1, len(xs) - 1
    origin = [[(r, c) for c in range(cols)] for r in range(rows)]
    for r in range(rows):
        mid_y = (ys[r] + ys[r + 1]) / 2
        for c in range(cols):
            mid_x = (xs[c] + xs[c + 1]) / 2
            if c > 0 and not _has_rule(vertical, mid_y, xs[c], True):
                origin[r][c] = origin[r][c - 1]
            elif r > 0 and not _has_rule(horizontal, mid_x, ys[r], False):
                origin[r][c] = origin[r - 1][c]
    extent: dict[tuple[int, int], list[int]] = {}
    for r in range(rows):
        for c in range(cols):
            box = extent.setdefault(origin[r][c], [r, c, r, c])
            box[2], box[3] = max(box[2], r), max(box[3], c)
    cells_lines = {
        key: _cell_lines(chars, (xs[box[1]], ys[box[0]], xs[box[3] + 1], ys[box[2] + 1])) for key, box in extent.items()
    }
    usual = usual_pitch(lines for lines, _ in cells_lines.values())
    texts = {key: clean_cell(join_wrapped(lines, right, usual)) for key, (lines, right) in cells_lines.items()}
    return [[Cell(texts[origin[r][c]], continued=origin[r][c] != (r, c)) for c in range(cols)] for r in range(rows)]


def _text_lines(chars: list[dict[str, Any]]) -> list[str]:
    lines = [line for line in _lines_of(chars) if any(c["text"].strip() for c in line)]
    if not lines:
        return []
    right = max(_ink_right(line) for line in lines)
    return [line for line in clean_cell(join_wrapped(lines, right, usual_pitch([lines]))).split("\n") if line]


def _page_content(page: Any, textpage: Any, raw: Any) -> tuple[list[Char], list[Box]]:
    """A page's characters and thin paths, in top-down coordinates (as pdfplumber would give)."""
    height = page.get_size()[1]
    chars: list[Char] = []
    for index in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage.raw, index):
            continue
        code = raw.FPDFText_GetUnicode(textpage.raw, index)
        if code in (0, 0xFFFE, 0xFFFF) or code in (10, 13):
            continue
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        size = raw.FPDFText_GetFontSize(textpage.raw, index) or 10.0
        chars.append({"text": chr(code), "x0": left, "x1": right, "top": height - top, "bottom": height - bottom, "size": size})
    edges: list[Box] = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if right - left <= 2.5 or top - bottom <= 2.5:
            edges.append((left, height - top, right, height - bottom))
    return chars, edges


def _page_items(chars: list[Char], edges: list[Box]) -> Iterable[tuple[str, Any]]:
    """("text", line) and ("table", grid) items of a page, top to bottom."""
    grid = find_grid(edges)
    if grid is None:
        for line in _text_lines(chars):
            yield "text", line
        return
    xs, ys = grid[0], grid[1]
    box = (xs[0], ys[0], xs[-1], ys[-1])
    for line in _text_lines([c for c in chars if c["bottom"] <= box[1] + 1]):
        yield "text", line
    yield "table", _table_grid(grid, [c for c in chars if _inside(c, box)])
    for line in _text_lines([c for c in chars if c["bottom"] > box[1] + 1 and not _inside(c, box)]):
        yield "text", line


def read_pdf(data: bytes, source: str) -> Extract:
    """A PDF's tables (per page) and the text around them.

    Raises:
        NoticeImportError: not a PDF, encrypted, damaged, or without a text layer.
    """
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # only this reader needs it
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    extract = Extract("pdf")
    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # PdfiumError for damaged or encrypted files
        raise NoticeImportError(f"{source}: 无法打开 PDF({_why(exc)})") from None
    number = 0
    table_rows = 0  # rows are numbered across the document's tables
    any_text = False
    try:
        for page_number in range(1, min(len(pdf), MAX_PAGES) + 1):
            page = pdf[page_number - 1]
            textpage = page.get_textpage()
            chars, edges = _page_content(page, textpage, raw)
            any_text = any_text or any(c["text"].strip() for c in chars)
            for kind, item in _page_items(chars, edges):
                if kind == "text":
                    number += 1
                    extract.lines.append((number, item))
                    continue
                rows = [TableRow(table_rows + i + 1, cells) for i, cells in enumerate(item)]
                table_rows += len(rows)
                extract.tables.append(Table(rows, label=f"第{page_number}页", position=number))
                for row in rows:
                    for line in "\n".join(c.text for c in row.cells if c.text and not c.continued).split("\n"):
                        if line:
                            number += 1
                            extract.lines.append((number, line))
    except NoticeImportError:
        raise
    except Exception as exc:  # a damaged page: say so rather than show a traceback
        raise NoticeImportError(f"{source}: PDF 内容无法读取({_why(exc)})") from None
    finally:
        pdf.close()
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
    if any("Password" in n or "Encrypt" in n or "password" in str(e) for n, e in zip(names, chain, strict=False)):
        return "文件已加密,请先去掉密码"
    return names[-1]
