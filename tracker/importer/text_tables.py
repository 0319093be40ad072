"""Tables held in plain text -> table rows: browser/WPS pastes, pipe tables, one cell per line.

Three shapes arrive as text:

- a paste from a browser or WPS: one row per line, cells separated by tabs,
  merged cells left blank; a cell holding several lines breaks its row over
  lines, which are joined back until the row has all its tabs;
- a pipe table (``| 工作任务 | 具体要求 | 责任单位 |``); a site that renders merged
  cells by leaving them out shifts the row's cells left, so a short row's cells
  are placed by what they hold (:func:`align_cells`);
- a table flattened to one cell per line with a ``|`` line between cells (what
  many sites' "text version" gives): rows are cut where the last column's
  kind of cell (a deadline) appears, and placed like the short pipe rows.
"""

from __future__ import annotations

import csv
import io
import re

from tracker.deadlines import looks_like_deadline
from tracker.importer.builder import parse_unit_line, split_names
from tracker.importer.columns import column_of
from tracker.importer.document import Cell, TableRow
from tracker.importer.notice import SECTION, SUBSECTION, TASK
from tracker.textsafe import clean_text
from tracker.units import Registry, fold_width

_INTEGER = re.compile(r"[1-9][0-9]{0,3}\.?")
_SEPARATOR = re.compile(r"[|:\-\s]+")


def _header_keys(cells: list[str]) -> list[str | None]:
    return [column_of(c) if c.strip() else None for c in cells]


def _is_header(cells: list[str]) -> bool:
    keys = {k for k in _header_keys(cells) if k}
    return len(keys) >= 2 and bool(keys & {"task", "text"})


# ---------------------------------------------------------------- tab-separated pastes


def tab_rows(text: str) -> list[TableRow] | None:
    """A tab-separated paste as rows, or None when no tab-separated header is found."""
    lines = clean_text(text).split("\n")
    header_at = next(
        (i for i, line in enumerate(lines) if "\t" in line and _is_header(fold_width(line).split("\t"))), None
    )
    if header_at is None:
        return None
    width = len(lines[header_at].split("\t"))
    rows: list[TableRow] = [TableRow(i + 1, [Cell(line.strip())]) for i, line in enumerate(lines[:header_at]) if line.strip()]
    pending: list[str] = []
    start = 0
    for index in range(header_at, len(lines)):
        line = lines[index].replace("\r", "")
        if not pending:
            start = index + 1
            if "\t" not in line:
                if line.strip():
                    rows.append(TableRow(start, [Cell(line.strip())]))
                continue
        pending.append(line)
        joined = "\n".join(pending)
        if joined.count("\t") >= width - 1 or index == len(lines) - 1:
            rows.append(TableRow(start, [Cell(c.strip()) for c in _split_tabs(joined)]))
            pending = []
    return rows


def _split_tabs(joined: str) -> list[str]:
    if '"' in joined:
        try:
            parsed = next(csv.reader(io.StringIO(joined), delimiter="\t"))
            if parsed:
                return parsed
        except (csv.Error, StopIteration):
            pass
    return joined.split("\t")


# ---------------------------------------------------------------- pipe tables


def pipe_rows(text: str, registry: Registry) -> list[TableRow] | None:
    """A pipe table as rows with short rows placed by content; None without a pipe header."""
    lines = clean_text(text).split("\n")
    if sum(1 for line in lines if _CLOSER.fullmatch(line.strip())) >= 2:
        lines = _join_split_rows(lines)
    raw: list[tuple[int, list[str]]] = []
    piped: set[int] = set()  # lines that are table rows, even when they hold one cell
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or ("|" in stripped and _SEPARATOR.fullmatch(stripped)):
            continue
        if "|" in stripped:
            piped.add(number)
            inner = stripped[1:] if stripped.startswith("|") else stripped
            inner = inner[:-1] if inner.endswith("|") else inner
            raw.append((number, [c.strip() for c in inner.split("|")]))
        else:
            raw.append((number, [stripped]))
    header_at = next((i for i, (_, cells) in enumerate(raw) if len(cells) >= 2 and _is_header(cells)), None)
    if header_at is None:
        inferred = infer_keys([cells for _, cells in raw], registry)
        if inferred is None:
            return None
        # No header row: one is made from what the columns hold, and says so in its words.
        raw.insert(0, (0, [INFERRED_HEADER[k] if k else "" for k in inferred]))
        header_at = 0
    # A header row split over lines (``工作任务 | 具体要求`` then ``| 责任单位 |``).
    while header_at + 1 < len(raw) and all(column_of(c) for c in raw[header_at + 1][1] if c.strip()) and any(
        c.strip() for c in raw[header_at + 1][1]
    ):
        number, cells = raw[header_at]
        raw[header_at] = (number, [c for c in cells if c.strip()] + [c for c in raw.pop(header_at + 1)[1] if c.strip()])
    keys = _header_keys(raw[header_at][1])
    if raw and len(raw) > header_at + 1 and not lines[raw[-1][0] - 1].strip().endswith("|") and len(raw[-1][1]) > 1:
        # The document stops inside its last row (no closing ``|``): kept whole, reported.
        number, cells = raw[-1]
        raw[-1] = (number, [" | ".join(c for c in cells if c)])
        piped.discard(number)
    rows = [TableRow(n, [Cell(c) for c in cells]) for n, cells in raw[: header_at + 1]]
    for number, cells in raw[header_at + 1 :]:
        trimmed = list(cells)
        while trimmed and not trimmed[-1]:
            trimmed.pop()
        if (len(cells) == 1 and number not in piped) or len(trimmed) >= len(keys) or not trimmed:
            rows.append(TableRow(number, [Cell(c) for c in cells]))
            continue
        rows.append(TableRow(number, align_cells(trimmed, keys, registry)))
    return rows


_CLOSER = re.compile(r"\|{2,}")


def _join_split_rows(lines: list[str]) -> list[str]:
    """Rows written one cell per line (``cell |``), a ``||`` line closing each row, as one line each.

    The joined row keeps the number of its first line (the list keeps its length).
    """
    out = list(lines)
    start: int | None = None
    cells: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _CLOSER.fullmatch(stripped):
            if start is not None:
                out[start] = "| " + " | ".join(cells) + " |"
                for covered in range(start + 1, index + 1):
                    out[covered] = ""
            else:
                out[index] = ""
            start, cells = None, []
        elif stripped.endswith("|") and stripped.count("|") <= 2 or (start is not None and stripped):
            if start is None:
                start = index
            cells.append(stripped.removesuffix("|").strip() if stripped.endswith("|") else stripped)
            if not stripped.endswith("|") and len(cells) > 1:
                # A cell running over several lines: its lines stay one cell.
                last = cells.pop()
                cells[-1] += "\n" + last
    if start is not None:
        # The document stops inside a row (no closing ``||``): one line without pipes, reported as cut.
        out[start] = " ".join(cells)
        for covered in range(start + 1, len(lines)):
            out[covered] = ""
    return out


INFERRED_HEADER = {
    "section": "章节",
    "subsection": "小项",
    "number": "序号",
    "task": "工作任务",
    "text": "具体要求",
    "units": "责任单位",
    "deadline": "时限要求",
}


def infer_keys(rows: list[list[str]], registry: Registry) -> list[str | None] | None:
    """Column keys of a table without a header row, from what its widest rows hold.

    A column is read as what most of its cells look like: ``一、`` headings (section),
    ``(一)`` headings (sub-section), small integers (序号), deadlines, unit lists, or
    long text (具体要求). None unless at least a 具体要求 column and a units or
    deadline column are found.
    """
    widths = [len(cells) for cells in rows if len(cells) >= 3]
    if len(widths) < 2:
        return None
    # The widest rows that occur twice: short rows are the ones whose merged cells were left out.
    width = max((w for w in set(widths) if widths.count(w) >= 2), default=max(widths, key=widths.count))
    full = [cells for cells in rows if len(cells) == width]
    keys: list[str | None] = []
    for index in range(width):
        values = [cells[index] for cells in full if cells[index]]
        if not values:
            keys.append(None)
            continue
        votes = {
            "section": sum(bool(SECTION.match(v)) for v in values),
            "subsection": sum(bool(SUBSECTION.match(v)) for v in values),
            "number": sum(bool(_INTEGER.fullmatch(v)) for v in values),
            "deadline": sum(looks_like_deadline(v) for v in values),
            "units": sum(_unit_score(v, registry) > 0 for v in values),
            "text": sum(len(v) > 20 or (len(v) > 8 and "。" in v) for v in values),
        }
        key, count = max(votes.items(), key=lambda kv: kv[1])
        keys.append(key if count >= 0.6 * len(values) and key not in keys else None)
    found = set(keys)
    if "text" not in found or not found & {"units", "deadline"}:
        return None
    return keys


# ---------------------------------------------------------------- one cell per line


def flattened_rows(text: str, registry: Registry) -> list[TableRow] | None:
    """A table flattened to one cell per line, ``|`` lines between cells; None if not one."""
    lines = clean_text(text).split("\n")
    if sum(1 for line in lines if line.strip() == "|") < 4:
        return None
    cells: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        stripped = fold_width(line).strip()
        if stripped == "|":
            cells.append((start, "\n".join(current)))
            current = []
            continue
        if stripped:
            if not current:
                start = number
            current.append(stripped)
    if current:
        cells.append((start, "\n".join(current)))
    header_at = None
    for index in range(len(cells)):
        width = 0
        while index + width < len(cells) and column_of(cells[index + width][1].replace("\n", "")) is not None:
            width += 1
        if width >= 2 and _is_header([c for _, c in cells[index : index + width]]):
            header_at = index
            break
    if header_at is None:
        return None
    header = cells[header_at : header_at + width]
    keys: list[str | None] = _header_keys([c for _, c in header])
    rows = [TableRow(n, [Cell(c)]) for n, c in cells[:header_at] if c]
    rows.append(TableRow(header[0][0], [Cell(c) for _, c in header]))
    chunks = _cut_rows(cells[header_at + width :], keys, registry)
    # Rows wider than the header: an unheaded 序号 column.
    if any(len(chunk) > len(keys) for _, chunk in chunks):
        at = next(
            (i for _, chunk in chunks if len(chunk) == len(keys) + 1 for i, c in enumerate(chunk) if _INTEGER.fullmatch(c)),
            None,
        )
        if at is not None:
            keys.insert(at, "number")
            rows[-1].cells.insert(at, Cell(""))
    for number, chunk in chunks:
        if len(chunk) == 1:
            rows.append(TableRow(number, [Cell(chunk[0])]))
        elif len(chunk) >= len(keys):
            rows.append(TableRow(number, [Cell(c) for c in chunk]))
        else:
            rows.append(TableRow(number, align_cells(chunk, keys, registry)))
    return rows


def _cut_rows(
    cells: list[tuple[int, str]], keys: list[str | None], registry: Registry
) -> list[tuple[int, list[str]]]:
    """Cut the cell stream into rows: a row ends with a cell of the last column's kind."""
    last = keys[-1]
    chunks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, text in cells:
        if not current:
            start = number
            if text and len(text) <= 40 and (SECTION.match(text) or SUBSECTION.match(text)) and not _is_last(
                text, last, registry
            ):
                chunks.append((number, [text]))
                continue
        current.append(text)
        if (last in ("deadline", "units", "lead", "partner") and _is_last(text, last, registry)) or (
            last not in ("deadline", "units", "lead", "partner") and len(current) >= len(keys)
        ):
            chunks.append((start, current))
            current = []
    if current:
        # The document stops inside a row: kept as one cell, reported by the table reader.
        chunks.append((start, current if len(current) >= len(keys) else ["\n".join(current)]))
    return chunks


def _is_last(text: str, key: str | None, registry: Registry) -> bool:
    if key == "deadline":
        return looks_like_deadline(text)
    return _unit_score(text, registry) > 0


# ---------------------------------------------------------------- placing short rows


def _unit_score(text: str, registry: Registry) -> int:
    if not text or len(text) > 200:
        return -2
    if all(parse_unit_line(part, 0, registry) is not None for part in text.split("\n") if part):
        return 3
    from tracker.importer.builder import looks_like_unit

    names = [n for part in text.split("\n") for n in split_names(part)]
    if names and all(looks_like_unit(n, registry) for n in names):
        return 3
    return -2


def _score(text: str, key: str | None, registry: Registry) -> float:
    if not text:
        return 0.0
    if key == "number":
        return 3.0 if _INTEGER.fullmatch(text) else -4.0
    if key == "deadline":
        return 3.0 if looks_like_deadline(text) else -3.0
    if key in ("units", "lead", "partner"):
        return float(_unit_score(text, registry))
    if key == "text":
        return 2.0 if len(text) > 20 or "。" in text else 0.5
    if key == "task":
        if TASK.match(text) or SECTION.match(text):
            return 1.5
        return 1.0 if len(text) <= 30 and "。" not in text.rstrip("。") else -1.0
    if key == "section":
        return 3.0 if SECTION.match(text) else -3.0
    if key == "subsection":
        return 3.0 if SUBSECTION.match(text) else -3.0
    return -0.5


def align_cells(cells: list[str], keys: list[str | None], registry: Registry) -> list[Cell]:
    """Place a row's cells under the columns they fit, in order; the columns left out are blank.

    ``["及时反馈网民意见。", "各科室"]`` under 工作任务 | 具体要求 | 责任部门 goes to the
    last two columns (the task cell was merged). Ties go to the rightmost placement,
    since merged cells are usually on the left.
    """
    n, k = len(cells), len(keys)
    if n >= k:
        return [Cell(c) for c in cells]
    # best[i][j]: best score placing cells[:i] within columns[:j].
    neg = float("-inf")
    best = [[neg] * (k + 1) for _ in range(n + 1)]
    choice: list[list[bool]] = [[False] * (k + 1) for _ in range(n + 1)]
    for j in range(k + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(i, k + 1):
            skip = best[i][j - 1]
            take = best[i - 1][j - 1] + _score(cells[i - 1], keys[j - 1], registry) + 0.01 * j
            if take >= skip:
                best[i][j], choice[i][j] = take, True
            else:
                best[i][j] = skip
    placed = [Cell("") for _ in range(k)]
    i, j = n, k
    while i > 0 and j > 0:
        if choice[i][j]:
            placed[j - 1] = Cell(cells[i - 1])
            i -= 1
        j -= 1
    return placed
