"""Plain-text tables for terminals (wide characters counted twice, cut to a width) and CSV with a BOM.

Chinese characters take two terminal cells; :func:`text_width` counts them with
``unicodedata.east_asian_width`` so columns line up. Tables wider than the
terminal shrink their widest columns first and cut cells with ``…``. CSV starts
with a UTF-8 byte order mark so that Excel and WPS open Chinese text correctly.

Pure core: no typer, no textual.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.textsafe import clean_line

BOM = "\ufeff"
ELLIPSIS = "…"
GAP = "  "


def char_width(ch: str) -> int:
    """Terminal cells of one character: 2 for wide/full-width, 0 for combining marks, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Terminal cells a one-line text takes."""
    return sum(char_width(c) for c in text)


def cut(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` cells, ending in ``…`` when something was cut."""
    if text_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out: list[str] = []
    used = 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int, align: str = "left") -> str:
    """``text`` padded with spaces to ``width`` cells."""
    fill = " " * max(0, width - text_width(text))
    return fill + text if align == "right" else text + fill


@dataclass(frozen=True)
class Column:
    """One table column: the row key, its header, and how it may shrink."""

    key: str
    header: str
    min_width: int = 4
    align: str = "left"


def cell_text(value: Any, yes: str = "是") -> str:
    """A value as one line of table text (lists joined with 、, True as ``yes``, False as nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else ""
    if isinstance(value, list | tuple):
        return "、".join(cell_text(v, yes) for v in value)
    return clean_line(str(value))


def render_table(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]], max_width: int | None = None,
                 yes: str = "是") -> str:
    """Aligned columns separated by two spaces, cut to ``max_width`` cells per line.

    When the natural widths do not fit, the widest column gives up cells first,
    never below its ``min_width``; if even that does not fit, lines are cut.
    """
    texts = [[cell_text(row.get(c.key), yes) for c in columns] for row in rows]
    headers = [clean_line(c.header) for c in columns]
    widths = [max([text_width(h)] + [text_width(r[i]) for r in texts]) for i, h in enumerate(headers)]
    if max_width is not None:
        budget = max_width - len(GAP) * (len(columns) - 1)
        floors = [min(widths[i], max(c.min_width, 1)) for i, c in enumerate(columns)]
        while sum(widths) > budget:
            shrinkable = [i for i in range(len(widths)) if widths[i] > floors[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
    lines = []
    for values in [headers, *texts]:
        cells = [pad(cut(v, widths[i]), widths[i], columns[i].align) for i, v in enumerate(values)]
        line = GAP.join(cells).rstrip()
        if max_width is not None:
            line = cut(line, max_width)
        lines.append(line)
    if rows:
        rule = GAP.join("─" * w for w in widths)
        lines.insert(1, cut(rule, max_width) if max_width is not None else rule)
    return "\n".join(lines)


def to_csv(keys: Sequence[str], rows: Sequence[Mapping[str, Any]], headers: Sequence[str] | None = None,
           bom: bool = True) -> str:
    """CSV text (CRLF line ends, BOM first) with one column per key; lists joined with ``;``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(headers) if headers is not None else list(keys))
    for row in rows:
        writer.writerow([_csv_cell(row.get(k)) for k in keys])
    return (BOM if bom else "") + buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(_csv_cell(v) for v in value)
    # Spreadsheet programs run cells starting with = + - @ as formulas: quote them as text.
    text = str(value).replace("\r\n", "\n")
    if text[:1] in ("=", "+", "-", "@") and not _looks_numeric(text):
        return "'" + text
    return text


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells; breaks anywhere in Chinese text, at spaces in Latin text."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        current = ""
        for ch in clean_line(paragraph):
            if text_width(current) + char_width(ch) > max(width, 2):
                space = current.rfind(" ")
                if ch != " " and current and current[-1].isascii() and space > 0:
                    lines.append(current[:space])
                    current = current[space + 1 :]
                else:
                    lines.append(current.rstrip())
                    current = ""
                if ch == " " and not current:
                    continue
            current += ch
        lines.append(current.rstrip())
    return lines
