"""Which column of a task table is which: header words and their synonyms, and ``--columns``.

Offices head the same columns with many words (工作任务 / 重点任务 / 主要任务 ...,
责任单位 / 责任科室 / 责任主体 ...). Headers are compared after folding
lookalike radicals, full-width forms and every space (``具 体 要 求``), and
without a trailing remark in brackets (``责任单位(牵头单位列首位)``).
A header may span two rows (``责任单位`` over ``牵头单位 | 配合单位``): the
lower row names the column where it has a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.importer.builder import NoticeImportError
from tracker.importer.document import TableRow, normalise_chars
from tracker.units import fold_width

# Column key -> header words, most usual first. "partner": 配合单位 (implementers).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号", "序"),
    "task": (
        "工作任务",
        "重点任务",
        "目标任务",
        "主要任务",
        "任务名称",
        "工作事项",
        "重点工作",
        "工作项目",
        "任务",
        "事项",
        "项目",
    ),
    "text": (
        "具体要求",
        "工作要求",
        "主要内容",
        "工作内容",
        "具体措施",
        "任务内容",
        "工作措施",
        "主要措施",
        "具体内容",
        "任务要求",
        "要求",
    ),
    "lead": ("牵头单位", "牵头部门", "牵头科室", "牵头处室", "牵头"),
    "units": (
        "责任单位",
        "责任部门",
        "责任科室",
        "责任主体",
        "落实单位",
        "责任处室",
        "责任股室",
        "承办单位",
        "实施单位",
        "责任人",
    ),
    "partner": ("配合单位", "协办单位", "配合部门", "配合科室", "协助单位", "参与单位"),
    "section": ("章节", "大项", "类别"),
    "subsection": ("小项", "子项"),
    "deadline": (
        "时限要求",
        "完成时限",
        "完成时间",
        "时间节点",
        "进度安排",
        "完成期限",
        "时间安排",
        "时限",
        "时间",
    ),
}
# What --columns accepts for each key (the words first).
OPTION_KEYS = {
    "task": "task",
    "requirement": "text",
    "text": "text",
    "units": "units",
    "lead": "lead",
    "partner": "partner",
    "deadline": "deadline",
    "number": "number",
}
KEY_LABELS = {
    "number": ("序号", "number"),
    "task": ("工作任务", "task"),
    "text": ("具体要求", "requirement"),
    "lead": ("牵头单位", "lead"),
    "units": ("责任单位", "units"),
    "partner": ("配合单位", "partner"),
    "deadline": ("时限要求", "deadline"),
    "section": ("章节", "section"),
    "subsection": ("小项", "sub-section"),
}
_REMARK = re.compile(r"\([^()]*\)$")
_PUNCT = re.compile(r"[\s:;,.、。*·_\-]+")
_INTEGER = re.compile(r"[1-9][0-9]{0,3}\.?")


def header_key(cell: str) -> str:
    """A header cell folded for comparison: ``具 体 要 求:`` -> ``具体要求``."""
    folded = _PUNCT.sub("", fold_width(normalise_chars(cell)))
    return _REMARK.sub("", folded) or folded


def column_of(cell: str) -> str | None:
    """The column key a header cell names, or None."""
    key = header_key(cell)
    if not key or len(key) > 12:
        return None
    for column, words in SYNONYMS.items():
        if key in words:
            return column
    # ``工作任务及目标`` / ``责任单位(部门)``: the longest header word it starts with.
    best: tuple[int, str] | None = None
    for column, words in SYNONYMS.items():
        for word in words:
            if len(word) >= 3 and key.startswith(word) and (best is None or len(word) > best[0]):
                best = (len(word), column)
    if best:
        return best[1]
    # ``办结时间`` / ``落实措施``: a header ending in a column's generic word.
    for column, endings in _ENDINGS.items():
        if 3 <= len(key) <= 6 and key.endswith(endings):
            return column
    return None


_ENDINGS = {"deadline": ("时间", "时限", "期限"), "text": ("内容", "要求", "措施")}


def is_header_cell(cell: str) -> bool:
    """A cell that is only a header word (a header row repeated after a page break)."""
    key = header_key(cell)
    return any(key in words for words in SYNONYMS.values())


@dataclass
class ColumnMap:
    """The columns found: key -> index, the header text read for each, and the header row."""

    index: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    header_rows: int = 0  # rows of the table the header takes (0: no header row)
    overridden: bool = False

    def describe(self) -> list[tuple[str, str, int]]:
        """(key, header text, 1-based column) in column order."""
        return sorted(((k, self.headers.get(k, ""), i + 1) for k, i in self.index.items()), key=lambda x: x[2])


def parse_columns_option(text: str) -> dict[str, str]:
    """``task=工作任务,units=责任科室`` -> ``{"task": "工作任务", "units": "责任科室"}``.

    A value may also be a 1-based column number (``number=1``).

    Raises:
        NoticeImportError: an unknown key or a part without ``=``.
    """
    mapping: dict[str, str] = {}
    for part in re.split(r"[,,;;]", fold_width(text)):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value or key not in OPTION_KEYS:
            raise NoticeImportError(
                f"--columns: 看不懂“{part.strip()}”(应写作 task=工作任务,units=责任科室;"
                f"可用的列: {', '.join(OPTION_KEYS)})"
            )
        mapping[OPTION_KEYS[key]] = value
    if not mapping:
        raise NoticeImportError("--columns: 没有给出任何列")
    return mapping


def _row_keys(row: TableRow) -> dict[int, str]:
    keys: dict[int, str] = {}
    for index, cell in enumerate(row.cells):
        key = column_of(cell.text) if cell.text and "\n" not in cell.text else None
        if key:
            keys[index] = key
    return keys


def _is_header_row(keys: dict[int, str]) -> bool:
    found = set(keys.values())
    return len(found) >= 2 and bool(found & {"task", "text"})


def find_columns(rows: list[TableRow], override: dict[str, str] | None = None) -> tuple[int, ColumnMap] | None:
    """The header row's position and the columns, or None when no row reads as a header.

    Looks at the first rows only (title rows may sit above the header). With
    ``override`` the header is the first row holding every named header word;
    names given as column numbers need no header row.
    """
    if override:
        return _override_columns(rows, override)
    for position, row in enumerate(rows[:12]):
        keys = _row_keys(row)
        if not _is_header_row(keys):
            continue
        header_rows = 1
        # A second header row (责任单位 over 牵头单位 | 配合单位) names its columns more closely.
        if position + 1 < len(rows):
            below = rows[position + 1]
            below_keys = _row_keys(below)
            if below_keys and all(not c.text or c.continued or i in below_keys for i, c in enumerate(below.cells)):
                keys.update(below_keys)
                header_rows = 2
        columns = ColumnMap(header_rows=header_rows)
        for index in sorted(keys):
            key = keys[index]
            if key not in columns.index:
                columns.index[key] = index
                lower = rows[position + header_rows - 1].cells
                columns.headers[key] = (lower[index].text if index < len(lower) else "") or (
                    row.cells[index].text if index < len(row.cells) else ""
                )
        _find_number_column(rows[position + header_rows :], keys, columns)
        _find_deadline_column(rows[position + header_rows :], columns, rows[position])
        return position, columns
    return None


def _find_number_column(data: list[TableRow], keys: dict[int, str], columns: ColumnMap) -> None:
    """An unheaded column of numbers (or a header spanning it) is the 序号 column."""
    if "number" in columns.index:
        return
    width = max((len(r.cells) for r in data), default=0)
    for index in range(width):
        if index in columns.index.values():
            owner = next(k for k, i in columns.index.items() if i == index)
            if owner not in ("task", "text"):
                continue
        values = [r.cells[index].text for r in data if index < len(r.cells) and r.cells[index].text]
        values = [v for v in values if not (len(v) < 10 and is_header_cell(v))]
        if len(values) >= 2 and sum(bool(_INTEGER.fullmatch(v)) for v in values) >= 0.8 * len(values):
            for key, at in list(columns.index.items()):
                if at == index:
                    # The header's word belongs to the next column it spans (具体要求 over 序号 | 要求).
                    del columns.index[key]
                    nxt = index + 1
                    if keys.get(nxt) == key and key not in columns.index:
                        columns.index[key] = nxt
            columns.index["number"] = index
            columns.headers["number"] = ""
            return


def _find_deadline_column(data: list[TableRow], columns: ColumnMap, header: TableRow) -> None:
    """No 时限 column: a column of other cells (备注) holding mostly deadlines is read as one."""
    if "deadline" in columns.index:
        return
    from tracker.deadlines import looks_like_deadline

    taken = set(columns.index.values())
    width = max((len(r.cells) for r in data), default=0)
    for index in range(width):
        if index in taken:
            continue
        values = [r.cells[index].text for r in data if index < len(r.cells) and r.cells[index].text and not r.cells[index].continued]
        if values and sum(looks_like_deadline(v) for v in values) >= max(1, 0.6 * len(values)):
            columns.index["deadline"] = index
            columns.headers["deadline"] = header.cells[index].text if index < len(header.cells) else ""
            return


def _override_columns(rows: list[TableRow], override: dict[str, str]) -> tuple[int, ColumnMap] | None:
    named = {k: v for k, v in override.items() if not v.isdigit()}
    numbered = {k: int(v) - 1 for k, v in override.items() if v.isdigit()}
    position, header_rows = -1, 0
    if named:
        wanted = {k: header_key(v) for k, v in named.items()}
        for at, row in enumerate(rows[:30]):
            seen = [header_key(c.text) for c in row.cells]
            if all(w in seen for w in wanted.values()):
                position, header_rows = at, 1
                break
        else:
            return None
    columns = ColumnMap(header_rows=header_rows, overridden=True)
    if position >= 0:
        row = rows[position]
        for index, key in _row_keys(row).items():
            if key not in override and key not in columns.index:
                columns.index[key] = index
                columns.headers[key] = row.cells[index].text
        seen = [header_key(c.text) for c in row.cells]
        for key, word in named.items():
            columns.index[key] = seen.index(header_key(word))
            columns.headers[key] = word
    for key, index in numbered.items():
        columns.index[key] = index
        columns.headers[key] = f"#{index + 1}"
    # One column, one meaning: an overridden column wins over a synonym that found it too.
    for key in [k for k, i in columns.index.items() if k not in override and i in numbered.values()]:
        del columns.index[key]
    return max(position, 0), columns


def headers_seen(rows: list[TableRow], limit: int = 3) -> list[str]:
    """The first non-empty rows of a table, as `` | ``-joined text (for the "nothing found" error)."""
    seen = []
    for row in rows:
        texts = [c.text.replace("\n", " ")[:16] for c in row.cells if c.text and not c.continued]
        if texts:
            seen.append(" | ".join(texts))
        if len(seen) >= limit:
            break
    return seen
