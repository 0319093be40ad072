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

A page may hold several tables: its vertical rules are grouped by the stretch of
the page they cover, and each group is read as its own grid, top to bottom. A row
cut by a page break shows as column rules running past the last horizontal rule
(nothing closes the row); that fragment is read as a row open at the bottom, and the
first row of the next page's table (after a repeated header row) is joined back to
it, cell by cell, merged cells included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker.importer.builder import NoticeImportError
from tracker.importer.document import Cell, Extract, Table, TableRow, clean_cell

Char = dict[str, Any]
Box = tuple[float, float, float, float]  # x0, top, x1, bottom (top-down, as on screen)

WRAP_CHARS = 2.3  # a line ending within this many characters of the right edge was wrapped
PARAGRAPH_PITCH = 1.3  # a line pitch this much above the usual one is paragraph spacing
MAX_PAGES = 500
OPEN_GAP = 6.0  # column rules running this far past the last row rule: a row cut by the page break
NO_LINE_START = set("、,。.;:!?)》」』】〕”’,;:!?)…")  # closing marks a line may not start with
RUNS_ON = tuple("、,,“‘《(([【")  # a paragraph never ends on these: the text goes on
ENDS_PARAGRAPH = tuple("。!?;;…!?:”’))】》")  # a cell ending on these may end where the page does
HEADER_ROWS = 3  # a header printed again on each page is one of a table's first rows
BAND_GAP = 3.0  # vertical rules further apart than this (top to bottom) belong to different tables


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
        # A line was wrapped when the next line's first unbreakable piece would not have
        # fitted after it. Line-breaking rules make that piece wider than one character:
        # a closing mark may not start a line, and a Latin word or number is not split
        # (``(山`` / ``东)``, ``集约化建`` / ``设,2019年``).
        room = WRAP_CHARS * size
        if not text.endswith(ENDS_PARAGRAPH):  # a line ending a sentence gets no benefit of the doubt
            room = max(room, _first_piece_width(lines[index + 1]) + 1.5 * size)
        wrapped = _ink_right(line) >= right - room and not spaced
        if not wrapped:
            out.append("\n")
        elif text[-1:].isascii() and text[-1:].isalnum() and _line_text(lines[index + 1])[:1].isascii():
            out.append(" ")
    return "".join(out)


def _first_piece_width(line: list[dict[str, Any]]) -> float:
    """The width of a line's first piece that cannot be split: a character with the closing
    marks after it and a Latin word or number it runs into."""
    visible = [c for c in line if c["text"].strip()]
    end = 1
    while end < len(visible) and (
        visible[end]["text"] in NO_LINE_START or (visible[end]["text"].isascii() and visible[end]["text"].isalnum())
    ):
        end += 1
    return float(visible[end - 1]["x1"] - visible[0]["x0"]) if visible else 0.0


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


@dataclass
class Grid:
    """The ruling of one table on a page; ``open_columns``: cells the page break cut, by column."""

    xs: list[float]
    ys: list[float]
    vertical: list[Box]
    horizontal: list[Box]
    open_columns: frozenset[int] = frozenset()


def _spans(vertical: list[Box]) -> list[tuple[float, float, list[Box]]]:
    """Vertical rules merged by the stretch of the page they cover: (top, bottom, rules)."""
    spans: list[tuple[float, float, list[Box]]] = []
    for e in sorted(vertical, key=lambda e: e[1]):
        if spans and e[1] <= spans[-1][1] + BAND_GAP:
            top, bottom, rules = spans[-1]
            spans[-1] = (top, max(bottom, e[3]), [*rules, e])
        else:
            spans.append((e[1], e[3], [e]))
    return spans


def _touching(one: Box, others: dict[int, list[tuple[int, Box]]], vertical: bool) -> list[int]:
    """Indexes of the rules (bucketed by position) that an end of ``one`` lies on."""
    found = []
    ends = ((one[0] + one[2]) / 2, one[1], one[3]) if vertical else ((one[1] + one[3]) / 2, one[0], one[2])
    across, *positions = ends
    for at in positions:
        for bucket in (round(at) - 1, round(at), round(at) + 1):
            for index, other in others.get(bucket, ()):
                lo, hi = (other[0], other[2]) if vertical else (other[1], other[3])
                if lo - 2 <= across <= hi + 2:
                    found.append(index)
    return found


def _enclosures(rules: list[Box]) -> set[int]:
    """Indexes of the rules that form a box around other ruled groups (a page border, a layout cell).

    Rules are grouped by meeting one another, end to line; a group whose extent holds
    another group of several rules is such a box.
    """
    is_vertical = [e[2] - e[0] <= 2.5 for e in rules]
    by_x: dict[int, list[tuple[int, Box]]] = {}
    by_y: dict[int, list[tuple[int, Box]]] = {}
    for index, (e, vertical) in enumerate(zip(rules, is_vertical, strict=True)):
        if vertical:
            by_x.setdefault(round((e[0] + e[2]) / 2), []).append((index, e))
        else:
            by_y.setdefault(round((e[1] + e[3]) / 2), []).append((index, e))
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, (e, vertical) in enumerate(zip(rules, is_vertical, strict=True)):
        for other in _touching(e, by_y if vertical else by_x, vertical):
            parent[root(index)] = root(other)
    groups: dict[int, list[int]] = {}
    for index in range(len(rules)):
        groups.setdefault(root(index), []).append(index)
    extent = {
        key: (
            min(rules[i][0] for i in members),
            min(rules[i][1] for i in members),
            max(rules[i][2] for i in members),
            max(rules[i][3] for i in members),
        )
        for key, members in groups.items()
    }

    def holds(outer: Box, inner: Box) -> bool:
        return outer[0] < inner[0] - 1 and outer[1] < inner[1] - 1 and inner[2] < outer[2] - 1 and inner[3] < outer[3] - 1

    boxes = [
        key
        for key in groups
        if any(holds(extent[key], extent[other]) for other in groups if other != key and len(groups[other]) > 2)
    ]
    return {index for key in boxes for index in groups[key]}


def rule_bands(edges: list[Box]) -> list[list[Box]]:
    """A page's rules grouped per table: vertical rules covering one stretch of the page, with
    the horizontal rules lying in that stretch (two tables one above the other are two groups).

    A box drawn around the tables (a page border, a layout table's cell) would join the
    tables its sides pass; its rules are left out.
    """
    rules = [e for e in edges if _is_rule(e)]
    boxed = _enclosures(rules)
    rules = [e for index, e in enumerate(rules) if index not in boxed]
    vertical = [e for e in rules if e[2] - e[0] <= 2.5]
    stretches = [(top, bottom) for top, bottom, _ in _spans(vertical)]
    bands: list[list[Box]] = [[] for _ in stretches]
    for e in rules:
        middle = (e[1] + e[3]) / 2
        inside = [i for i, (t, b) in enumerate(stretches) if t - BAND_GAP <= middle <= b + BAND_GAP]
        if inside:
            bands[inside[0]].append(e)
    return bands


def _is_rule(e: Box) -> bool:
    """A thin path: a vertical or a horizontal line of a table's ruling."""
    return (e[2] - e[0] <= 2.5 and e[3] - e[1] > 4) or (e[3] - e[1] <= 2.5 and e[2] - e[0] > 4)


def find_grid(edges: list[Box]) -> Grid | None:
    """The ruling of a table: column x's, row y's, and the vertical and horizontal rules.

    A rule is a thin path (a line or a thin filled rectangle, as Word and browsers draw
    borders). Horizontal rules that do not meet the vertical ones (link underlines) are left out.
    Column rules running past the last row rule mark a row cut by a page break: the
    rules' end becomes that row's edge, and the grid says which columns are open there.
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
    grid = Grid(xs, ys, vertical, horizontal)
    # A row the page break cut has its column rules but no rule under it: its fragment is
    # a row of its own. Only rules between columns count, since a box drawn around the
    # whole page (or a table's outer border) also runs on past the table's last row.
    inner = [e for e in vertical if xs[0] + 4 < (e[0] + e[2]) / 2 < xs[-1] - 4] or vertical
    if max(e[3] for e in inner) - ys[-1] > OPEN_GAP:
        grid.ys.append(max(e[3] for e in inner))
    # A cell with no rule under it at the table's end goes on on the next page (a cut row,
    # or a merged cell, such as a task spanning several requirement rows).
    grid.open_columns = frozenset(
        c for c in range(len(xs) - 1) if not _has_rule(horizontal, (xs[c] + xs[c + 1]) / 2, grid.ys[-1], False)
    )
    return grid


def _has_rule(rules: list[Box], across: float, at: float, vertical: bool) -> bool:
    """Is there a rule at ``at`` (x for vertical rules, y for horizontal) covering ``across``?"""
    for x0, top, x1, bottom in rules:
        if vertical and abs((x0 + x1) / 2 - at) <= 4 and top - 1 <= across <= bottom + 1:
            return True
        if not vertical and abs((top + bottom) / 2 - at) <= 4 and x0 - 1 <= across <= x1 + 1:
            return True
    return False


@dataclass
class PageTable:
    """One table as a page shows it: its cells, where each came from, and how each cell's text ends."""

    grid: Grid
    cells: list[list[Cell]]
    origin: list[list[tuple[int, int]]]  # the merged cell covering each grid position
    wrapped: dict[tuple[int, int], bool]  # a merged cell's last line runs to its right edge

    def same_columns(self, other: PageTable) -> bool:
        return len(self.grid.xs) == len(other.grid.xs) and all(
            abs(a - b) <= 4 for a, b in zip(self.grid.xs, other.grid.xs, strict=True)
        )


def _table_grid(grid: Grid, chars: list[Char]) -> PageTable:
    """The cells of a ruled table: a missing rule between two grid cells merges them."""
    xs, ys, vertical, horizontal = grid.xs, grid.ys, grid.vertical, grid.horizontal
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
    # Whether a cell's text runs on past its box (used where a page break cut it): its last
    # line reaches the right edge and, in a row cut across, sits as low as the row's lowest
    # line: one that stopped a line or more higher ended its paragraph there (the break
    # moved the next paragraph over whole). A cell spanning rows is cut at a row's edge, so
    # it may stop higher mid-paragraph.
    row_cut = len(grid.open_columns) == cols
    bottoms = {key: max(ch["bottom"] for ch in lines[-1]) for key, (lines, _) in cells_lines.items() if lines}
    lowest = max((bottoms[origin[rows - 1][c]] for c in range(cols) if origin[rows - 1][c] in bottoms), default=0.0)
    wrapped = {
        key: bool(lines)
        and _ink_right(lines[-1]) >= right - WRAP_CHARS * lines[-1][-1].get("size", 10)
        and (not row_cut or extent[key][0] != extent[key][2] or bottoms[key] >= lowest - 0.6 * (usual or lines[-1][-1].get("size", 10)))
        for key, (lines, right) in cells_lines.items()
    }
    cells = [[Cell(texts[origin[r][c]], continued=origin[r][c] != (r, c)) for c in range(cols)] for r in range(rows)]
    return PageTable(grid, cells, origin, wrapped)


def _rest_row(below: PageTable, header: list[list[str]]) -> int:
    """Where ``below``'s own rows start: after a header row printed again on its page."""
    return 1 if below.cells and [c.text for c in below.cells[0]] in header else 0


def _cut_but_closed(above: PageTable, below: PageTable, header: list[list[str]]) -> int | None:
    """A row cut by a page break though rules close it on both pages (as Word and LibreOffice print).

    Nothing in the ruling tells; the text does: the row's main cell (its longest, the
    requirement's text; a narrow title column looks full on every line) runs to its right
    edge and stops mid-sentence (no full stop, no closing bracket), and the same column of
    the next page's first row goes on. Returns that column, which runs straight on.
    """
    start = _rest_row(below, header)
    if start >= len(below.cells) or not above.cells:
        return None
    last = len(above.cells) - 1
    own = [c for c, cell in enumerate(above.cells[last]) if above.origin[last][c] == (last, c) and cell.text]
    if not own:
        return None
    main = max(own, key=lambda c: len(above.cells[last][c].text))
    text, rest = above.cells[last][main].text, below.cells[start][main]
    cut = rest.text and not rest.continued and above.wrapped.get((last, main), False)
    return main if cut and not text.endswith(ENDS_PARAGRAPH) else None


def _join_cut_cells(
    above: PageTable,
    below: PageTable,
    header: list[list[str]],
    opened: frozenset[int] | None = None,
    runs_on: int | None = None,
) -> None:
    """Join the cells a page break cut: ``above`` ends with their first parts, ``below`` goes on.

    The rest is in ``below``'s first row, or its second when the first repeats one of the
    table's first rows (its header, printed again on every page). Each open column's rest
    is appended to the merged cell it continues (a wrapped last line runs straight on,
    else a new line), and every grid position that cell covers, on either page, gets the
    joined text. When every column was cut, the rest row was part of the row above and
    goes; otherwise it is a row of its own whose open columns continue the cells above.
    ``opened``: the columns cut, when the ruling does not show them; ``runs_on``: a column
    known to stop mid-sentence.
    """
    start = _rest_row(below, header)
    if start >= len(below.cells) or not above.cells:
        return
    last = len(above.cells) - 1
    opened = above.grid.open_columns if opened is None else opened
    for c, cell in enumerate(below.cells[start]):
        if c not in opened or cell.continued:  # covered from the left: joined once, at its origin
            continue
        key = above.origin[last][c]
        first_part = above.cells[key[0]][key[1]].text
        goes_on = c == runs_on or above.wrapped.get(key, False) or first_part.endswith(RUNS_ON)
        glue = "" if goes_on or not first_part or not cell.text else "\n"
        joined = first_part + glue + cell.text
        for r, row in enumerate(above.origin):
            for k, found in enumerate(row):
                if found == key:
                    above.cells[r][k].text = joined
        for r, row in enumerate(below.origin):
            for k, found in enumerate(row):
                if found == (start, c):
                    below.cells[r][k].text = joined
                    below.cells[r][k].continued = True
        above.wrapped[key] = below.wrapped.get((start, c), False)
    if len(opened) == len(above.cells[last]):
        _drop_row(below, start)


def _drop_row(table: PageTable, start: int) -> None:
    """Remove a row; a merged cell it began is now held by the position below it."""
    del table.cells[start]
    del table.origin[start]
    wrapped = dict(table.wrapped)
    table.wrapped.clear()
    for row in table.origin:
        for k, (origin_row, origin_col) in enumerate(row):
            row[k] = (origin_row - 1 if origin_row > start else origin_row, origin_col)
    for (origin_row, origin_col), value in wrapped.items():
        table.wrapped[(origin_row - 1 if origin_row > start else origin_row, origin_col)] = value


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


def _page_items(chars: list[Char], edges: list[Box]) -> list[tuple[str, Any]]:
    """("text", line) and ("table", PageTable) items of a page, top to bottom."""
    grids = [grid for band in rule_bands(edges) if (grid := find_grid(band)) is not None]
    items: list[tuple[str, Any]] = []
    rest = chars
    for grid in grids:
        box = (grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1])
        items += [("text", line) for line in _text_lines([c for c in rest if c["bottom"] <= box[1] + 1])]
        items.append(("table", _table_grid(grid, [c for c in rest if _inside(c, box)])))
        rest = [c for c in rest if c["bottom"] > box[1] + 1 and not _inside(c, box)]
    items += [("text", line) for line in _text_lines(rest)]
    return items


def _document_items(pages: list[list[tuple[str, Any]]]) -> list[tuple[int, str, Any]]:
    """Every page's items as (page number, kind, item), with rows cut by page breaks joined."""
    out: list[tuple[int, str, Any]] = []
    previous: PageTable | None = None  # the last table of the page before
    header: list[list[str]] = []  # the first rows of the table a page's first table may go on
    for page_number, items in enumerate(pages, start=1):
        tables = [item for kind, item in items if kind == "table"]
        for kind, item in items:
            if kind == "table":
                if item is tables[0] and previous is not None and previous.same_columns(item):
                    if previous.grid.open_columns:
                        _join_cut_cells(previous, item, header)
                    elif (main := _cut_but_closed(previous, item, header)) is not None:
                        every = frozenset(range(len(item.grid.xs) - 1))
                        _join_cut_cells(previous, item, header, every, runs_on=main)
                    if not item.cells:
                        continue
                else:
                    header = [[c.text for c in row] for row in item.cells[:HEADER_ROWS]]
            out.append((page_number, kind, item))
        previous = tables[-1] if tables else None
    return out


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
        pages = []
        for page_number in range(1, min(len(pdf), MAX_PAGES) + 1):
            page = pdf[page_number - 1]
            textpage = page.get_textpage()
            chars, edges = _page_content(page, textpage, raw)
            any_text = any_text or any(c["text"].strip() for c in chars)
            pages.append(_page_items(chars, edges))
        for page_number, kind, item in _document_items(pages):
            if kind == "text":
                number += 1
                extract.lines.append((number, item))
                continue
            rows = [TableRow(table_rows + i + 1, cells) for i, cells in enumerate(item.cells)]
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
