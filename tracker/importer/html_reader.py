"""A web page saved from the browser -> an :class:`~tracker.importer.document.Extract`.

Why the standard library's :mod:`html.parser`: it needs no extra dependency,
never fails on broken markup (government sites' pages are rarely valid), and a
task table needs only its cells' text and their ``rowspan``/``colspan``, which
a grid builder of a few lines honours (lxml would not do that part for us
either). The charset comes from a BOM, else the page's ``<meta charset>`` /
``http-equiv`` declaration (UTF-8, GBK, GB2312 and GB18030 are all read as
GB18030, their superset), else UTF-8 with a GB18030 fallback.

Tables nested inside layout tables are read on their own; the text of
navigation, scripts and styles is left out; block elements (``p``, ``div``,
``br``, ``li``) break lines, so a cell keeps its paragraphs.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tracker.importer.builder import NoticeImportError
from tracker.importer.document import Cell, Extract, Table, TableRow, clean_cell

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = {"gbk", "gb2312", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_BLOCK = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "ul", "ol", "dd", "dt", "table", "blockquote", "center", "hr", "pre", "title",
}
_SKIP = {"script", "style", "noscript", "template", "head", "select", "option", "button", "svg", "iframe"}
MAX_SPAN = 500


def decode_html(data: bytes, source: str) -> str:
    """The page's bytes as text, by BOM, declared charset, then UTF-8 / GB18030.

    Raises:
        NoticeImportError: when no encoding fits.
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = _CHARSET.search(data[:4096])
    candidates = ["utf-8", "gb18030"]
    if declared:
        name = declared.group(1).decode("ascii", "replace").lower()
        if name in _GB:
            candidates = ["gb18030", "utf-8"]
        else:
            try:
                codecs.lookup(name)
                candidates = [name, *candidates]
            except LookupError:
                pass
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeImportError(f"{source}: 网页编码无法识别(支持 UTF-8、GBK、GB2312、GB18030)")


@dataclass
class _CellDraft:
    parts: list[str] = field(default_factory=list)
    rowspan: int = 1
    colspan: int = 1


@dataclass
class _TableDraft:
    rows: list[list[_CellDraft]] = field(default_factory=list)
    order: int = 0  # position of the table among the page's lines


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.tables: list[_TableDraft] = []
        self.stack: list[_TableDraft] = []
        self.cell: list[_CellDraft | None] = []
        self.skip = 0

    # Text goes to the page's lines (in reading order, tables included) and to the open cell.
    def _emit(self, text: str) -> None:
        if self.skip:
            return
        cell = self.cell[-1] if self.cell else None
        if self.stack and cell is not None:
            cell.parts.append(text)
        self.lines[-1] += text

    def _newline(self) -> None:
        cell = self.cell[-1] if self.cell else None
        if self.stack and cell is not None:
            cell.parts.append("\n")
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
            return
        if tag == "table":
            self._newline()
            draft = _TableDraft(order=len(self.lines) - (0 if self.lines[-1].strip() else 1))
            self.tables.append(draft)
            self.stack.append(draft)
            self.cell.append(None)
            return
        if not self.stack:
            if tag in _BLOCK:
                self._newline()
            return
        table = self.stack[-1]
        if tag in ("tr", "td", "th"):
            self._newline()
        if tag == "tr":
            table.rows.append([])
            self.cell[-1] = None
        elif tag in ("td", "th"):
            if not table.rows:
                table.rows.append([])
            values = dict(attrs)
            cell = _CellDraft(rowspan=_span(values.get("rowspan")), colspan=_span(values.get("colspan")))
            table.rows[-1].append(cell)
            self.cell[-1] = cell
        elif tag in _BLOCK:
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self._newline()
        elif tag not in _SKIP:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(self.skip - 1, 0)
            return
        if tag == "table" and self.stack:
            self.stack.pop()
            self.cell.pop()
            self._newline()
        elif tag in ("td", "th") and self.cell:
            self.cell[-1] = None
            self._newline()
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        self._emit(re.sub(r"[ \t\r\n]+", " ", data))


def _span(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def grid_of(rows: list[list[_CellDraft]]) -> list[list[Cell]]:
    """Rows of cells with rowspan/colspan -> a full grid; covered positions are ``continued`` copies."""
    grid: list[list[Cell | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        col = 0
        for draft in row:
            while col < len(grid[r]) and grid[r][col] is not None:
                col += 1
            text = clean_cell("".join(draft.parts))
            rowspan = min(draft.rowspan, len(rows) - r)
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                for dc in range(draft.colspan):
                    while len(target) <= col + dc:
                        target.append(None)
                    target[col + dc] = Cell(text, continued=bool(dr or dc))
            col += draft.colspan
    return [[c if c is not None else Cell("", continued=False) for c in row] for row in grid]


def read_html(data: bytes, source: str) -> Extract:
    """A saved web page's text lines and tables."""
    parser = _PageParser()
    try:
        parser.feed(decode_html(data, source))
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser gives up on a few malformed declarations
        raise NoticeImportError(f"{source}: 网页无法解析: {exc}") from None
    extract = Extract("html")
    for number, line in enumerate(parser.lines, start=1):
        text = clean_cell(line)
        if text:
            extract.lines.append((number, text))
    for index, draft in enumerate(parser.tables, start=1):
        grid = grid_of(draft.rows)
        table = Table(label=f"表{index}", position=draft.order)
        table.rows = [TableRow(n, cells) for n, cells in enumerate(grid, start=1) if cells]
        if table.rows:
            extract.tables.append(table)
    return extract
