"""What a reader hands on: the text lines and the tables of cells it found in a document.

Every reader (web page, .docx, .pdf, pasted text) produces an :class:`Extract`:
its name, the document's text lines in reading order (for the preamble, or for
the paragraph parsers when there is no table) and its tables as rows of
:class:`Cell`. A cell covered by a merged cell above (``rowspan``, Word's
vertical merge) or to the left (``colspan``) is kept as a copy marked
``continued``, so the table keeps its grid and the builder decides what a merge
means for each column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from tracker.textsafe import clean_text
from tracker.units import fold_width

# Kangxi radicals, CJK radicals supplement and compatibility ideographs: PDFs often carry
# them instead of the unified ideographs they look like (``⼯作任务`` is ``工作任务``).
_LOOKALIKE_RANGES = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


# CJK radicals supplement characters have no Unicode decomposition; these are the ones
# PDF fonts put in place of common ideographs (⺠ for 民 in 市民政局), as (lookalike, ideograph) pairs.
_RADICAL_SUPPLEMENT_PAIRS = (
    "⺠民⻓长⻔门⻅见⻆角⻋车⻜飞⻢马⻥鱼⻦鸟⻩黄⻬齐⻉贝⻄西⺟母⻘青⻝食⻛风⻚页⻙韦⻰龙⻳龟⻮齿⻣骨⻤鬼⻨麦⻧卤⻑長⺁厂⺇几"
    "⺊卜⺌小⺍小⺎兀⺏尣⺐尢⺑尣⺒巳⺓幺⺔彑⺕彐⺖忄⺗心⺘扌⺙攵⺛旡⺜日⺝月⺞歺⺡氵⺢氺⺣灬⺤爫⺦丬⺧牛⺨犭⺩王⺪疋⺫目⺬示"
    "⺭礻⺮竹⺯糸⺰纟⺲罒⺳网⺴罒⺵罒⺶羊⺷羊⺸羊⺹耂⺺聿⺻聿⺼肉⺽臼⺾艹⺿艹⻀艹⻁虎⻂衤⻃覀⻇角⻈讠⻊足⻌辶⻍辶⻎辶⻏阝⻐钅"
    "⻒镸⻕门⻖阝⻗雨⻟饣⻠饣⻡首"
)


def _lookalike_map() -> dict[int, str]:
    pairs = _RADICAL_SUPPLEMENT_PAIRS
    table: dict[int, str] = {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs), 2)}
    for start, end in _LOOKALIKE_RANGES:
        for code in range(start, end + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code) and len(folded) == 1 and code not in table:
                table[code] = folded
    return table


_LOOKALIKES = _lookalike_map()


def normalise_chars(text: str) -> str:
    """Lookalike radicals and compatibility ideographs as the ideographs they stand for.

    Only those ranges are folded (not NFKC on the whole text), so ``…`` and
    ``①`` stay as issued.
    """
    return text.translate(_LOOKALIKES)


def clean_cell(text: str) -> str:
    """A cell's text: control characters out, lookalikes folded, width folded, lines trimmed."""
    lines = [fold_width(line).strip() for line in normalise_chars(clean_text(text)).split("\n")]
    return "\n".join(line for line in lines if line)


@dataclass
class Cell:
    """One grid position of a table; ``continued`` when a merged cell above or left covers it."""

    text: str
    continued: bool = False


@dataclass
class TableRow:
    """One row of a table, with the number the user can find it by (table row or line)."""

    number: int
    cells: list[Cell]

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class Table:
    """A table as read; ``label`` says where it is (``表2``, ``第3页``)."""

    rows: list[TableRow] = field(default_factory=list)
    label: str = ""
    # How many of the extract's text lines come before the table (its preamble).
    position: int = 0


@dataclass
class Extract:
    """A document as a reader saw it: text lines (number, text) and tables."""

    reader: str
    lines: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def lines_before(self, table: Table) -> list[str]:
        """The text lines before ``table`` (its preamble: title, issuer, date)."""
        return [text for number, text in self.lines if number <= table.position]

    def text(self) -> str:
        """The document's text lines as one text (for the paragraph readers)."""
        return "\n".join(line for _, line in self.lines)


def plain_rows(rows: list[tuple[int, list[str]]]) -> list[TableRow]:
    """``(number, [text, ...])`` rows (CSV, XLSX, pipe text) as table rows without merges."""
    return [TableRow(number, [Cell(text) for text in cells]) for number, cells in rows]
