"""The spreadsheet round trip: a workbook laid out like the notice, filled in by a unit, read back.

Export writes one row per unit assignment with the notice's columns (序号, 工作任务,
具体要求, 责任单位, 时限要求), the unit, and the three columns a unit fills in
(状态 with a drop-down of the Chinese labels, 进展情况, 佐证材料). Hidden columns
make the way back safe: 键 (``2019|5|1|营里镇``) says which assignment a row is;
导出时状态, 导出时进展 and 导出时佐证 record what the three fill-in cells held at
export (status key, last note, evidence lines); 校验 is a checksum of the key, the
plan columns and those recorded values, so text edited in a locked column is
detected even when the sheet protection was lifted. Sheets are protected with only
the three fill-in columns unlocked. In CSV the hidden columns are the trailing
ones, their headers marked 系统列，勿改.

Reading back (:func:`check_rows`) compares every cell with what it held at export:
a cell the user did not change asks for nothing, even when the plan changed
meanwhile; a cell the user changed becomes a change carrying the exported value as
``expected`` (the service refuses it if the field moved on before the commit),
and if the plan's value already differs from the exported one, the row is a
conflict naming both values, who changed it and when, never an overwrite. Sheets
written before these columns existed are compared with the plan as it is now
(listed in :attr:`ReadResult.unguarded`: concurrent changes cannot be detected).
Every problem names its sheet and row (``营里镇!12: 未知状态 "完成了"``). Nothing is
written here; the CLI sends the changes through the service as one commit.

Pure core: no typer, no textual, no git.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.i18n import t
from tracker.model import Assignment, Plan, Requirement, Status, Task
from tracker.rules import InvalidChange, validate_change
from tracker.textsafe import clean_line, clean_text

PLAN_HEADERS = ("序号", "工作任务", "具体要求", "责任单位", "时限要求", "单位")
EDIT_HEADERS = ("状态", "进展情况", "佐证材料")
BASE_HEADERS = ("导出时状态", "导出时进展", "导出时佐证")  # what 状态, 进展情况, 佐证材料 held at export
HIDDEN_HEADERS = ("键", "校验", *BASE_HEADERS)
HEADERS = PLAN_HEADERS + EDIT_HEADERS + HIDDEN_HEADERS
CSV_MARK = "（系统列，勿改）"
CSV_HEADERS = PLAN_HEADERS + EDIT_HEADERS + tuple(h + CSV_MARK for h in HIDDEN_HEADERS)
WIDTHS = (7, 16, 48, 22, 12, 14, 10, 32, 30, 4, 4, 4, 4, 4)
STATUS_CHOICES = tuple(s.label for s in Status)
BOM = "\ufeff"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class CellChange:
    """One field change read from a sheet (the CLI turns it into ``service.Change``)."""

    task: int
    requirement: str
    unit: str
    field: str  # "status" | "note" | "evidence"
    value: str
    where: str  # "营里镇!12"
    expected: str | None = None  # the field as exported (for the service's conflict check); None: unknown


@dataclass
class Problem:
    """A bad row: where it is and what is wrong."""

    where: str
    message: str
    conflict: bool = False  # the field changed in the plan since the export

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ReadResult:
    """What a filled-in sheet asks for."""

    changes: list[CellChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    unguarded: list[str] = field(default_factory=list)  # sheets without the as-exported columns (old exports)

    @property
    def conflicts(self) -> list[Problem]:
        """The problems that are concurrent changes (the plan moved on since the export)."""
        return [p for p in self.problems if p.conflict]


# ---------------------------------------------------------------- rows out


def row_key(year: int, task: int, req_key: str, unit: str) -> str:
    """The hidden key of a row: ``2019|5|1|营里镇``."""
    return f"{year}|{task}|{req_key}|{unit}"


def checksum(values: Sequence[str]) -> str:
    """Checksum of the key and the plan columns (16 hex digits)."""
    data = "\x1f".join(clean_text(v).strip() for v in values).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def _number(task: Task, req: Requirement) -> str:
    return req.id if len(task.requirements) > 1 else str(task.number)


def export_rows(year: int, items: Iterable[tuple[Task, Requirement, Assignment]]) -> list[list[str]]:
    """One list of cell texts per assignment, in :data:`HEADERS` order."""
    rows = []
    for task, req, a in items:
        key = row_key(year, task.number, req.key, clean_line(a.unit))
        plan_cells = [_number(task, req), task.title, req.text, req.responsible or "、".join(req.assignments),
                      req.deadline, a.unit]
        plan_cells = [clean_text(v) for v in plan_cells]
        base = [a.status.value, clean_text(a.last_note), "\n".join(clean_line(e) for e in a.evidence)]
        rows.append([*plan_cells, a.status.label, base[1], base[2], key, checksum([key, *plan_cells, *base]), *base])
    return rows


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique worksheet title (31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("_", clean_line(name))[:31] or "Sheet"
    title, n = base, 2
    while title in used:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def group_by_unit(items: Iterable[tuple[Task, Requirement, Assignment]]) -> dict[str, list[tuple[Task, Requirement, Assignment]]]:
    """Assignments per unit, units in the order they first appear in the plan."""
    groups: dict[str, list[tuple[Task, Requirement, Assignment]]] = {}
    for item in items:
        groups.setdefault(item[2].unit, []).append(item)
    return groups


def write_xlsx(plan: Plan, items: Iterable[tuple[Task, Requirement, Assignment]], target: Path | io.BytesIO,
               title: str = "") -> int:
    """Write the workbook (one sheet per unit); returns the number of rows written."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font = Font(name="仿宋", size=11)
    head_font = Font(name="黑体", size=11, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    editable_fill = PatternFill("solid", fgColor="FFF9E5")
    used: set[str] = set()
    count = 0
    groups = group_by_unit(items)
    if not groups:
        groups = {"任务分工": []}
    for unit, unit_items in groups.items():
        ws = wb.create_sheet(sheet_title(unit, used))
        ws.append(list(HEADERS))
        for cell in ws[1]:
            cell.font, cell.alignment, cell.border = head_font, Alignment(wrap_text=True, horizontal="center",
                                                                           vertical="center"), border
        for values in export_rows(plan.year, unit_items):
            ws.append(values)
            count += 1
        for row in ws.iter_rows(min_row=2):
            for idx, cell in enumerate(row):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                cell.font, cell.alignment, cell.border = body_font, wrap, border
                if HEADERS[idx] in EDIT_HEADERS:
                    cell.protection = Protection(locked=False)
                    cell.fill = editable_fill
        for idx, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(idx)].width = width
        for name in HIDDEN_HEADERS:
            ws.column_dimensions[get_column_letter(HEADERS.index(name) + 1)].hidden = True
        status_col = get_column_letter(HEADERS.index("状态") + 1)
        if ws.max_row >= 2:
            dv = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="状态",
                                error="请从下拉列表中选择: " + "、".join(STATUS_CHOICES))
            dv.add(f"{status_col}2:{status_col}{ws.max_row}")
            ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        if title:
            ws.oddHeader.center.text = clean_line(title)
        ws.protection.sheet = True
        ws.protection.formatColumns = False  # widths may still be changed
        ws.protection.formatRows = False
    wb.save(target)
    return count


def _protect(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _unprotect(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def write_csv(plan: Plan, items: Iterable[tuple[Task, Requirement, Assignment]]) -> str:
    """The same rows as CSV (UTF-8 with BOM, CRLF); cells that look like formulas get a leading '.

    The columns hidden in the workbook are the trailing ones, headed ``键（系统列，勿改）`` etc.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for values in export_rows(plan.year, items):
        writer.writerow([_protect(v) for v in values])
    return BOM + buffer.getvalue()


# ---------------------------------------------------------------- rows in


@dataclass
class SheetRow:
    """One data row as read: where it is and its cells by header."""

    sheet: str
    row: int
    cells: dict[str, str]

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.row}"


class SheetError(ValueError):
    """The file cannot be read as a tracker sheet at all (not xlsx/csv, no header row)."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))


def _rows_from_table(sheet: str, table: Iterable[Sequence[Any]], problems: list[Problem]) -> list[SheetRow]:
    iterator = iter(table)
    header = next(iterator, None)
    names = [_cell(v).strip().removesuffix(CSV_MARK) for v in header] if header is not None else []
    missing = [h for h in ("键", "校验", *EDIT_HEADERS) if h not in names]
    if missing:
        problems.append(Problem(f"{sheet}!1", "缺少列 " + "、".join(missing) + "(不是 tracker export 导出的表?)"))
        return []
    rows = []
    for number, values in enumerate(iterator, start=2):
        cells = {name: _cell(values[i]) if i < len(values) else "" for i, name in enumerate(names) if name}
        if not any(v.strip() for v in cells.values()):
            continue
        rows.append(SheetRow(sheet, number, cells))
    return rows


def read_rows(path: Path) -> tuple[list[SheetRow], list[Problem]]:
    """Every data row of an xlsx (all sheets) or CSV file.

    Raises:
        SheetError: the file is neither a readable workbook nor CSV.
    """
    problems: list[Problem] = []
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SheetError(f"{path.name}: 无法读取工作簿({type(exc).__name__}: {exc})") from None
        rows: list[SheetRow] = []
        for ws in wb.worksheets:
            rows += _rows_from_table(ws.title, ws.iter_rows(values_only=True), problems)
        return rows, problems
    if suffix in (".csv", ".txt"):
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise SheetError(f"{path.name}: 无法识别的编码")
        table: list[list[str]] = []
        try:
            for record in csv.reader(io.StringIO(text, newline="")):
                table.append([_unprotect(c) for c in record])
        except csv.Error as exc:  # e.g. a cell over the csv module's field limit (131,072 characters)
            raise SheetError(t(f"{path.name}: 第 {len(table) + 1} 行无法读取({exc}),未导入任何修改",
                               f"{path.name}: row {len(table) + 1} cannot be read ({exc}); nothing applied")) from None
        return _rows_from_table(path.name, table, problems), problems
    raise SheetError(f"{path.name}: 只能读取 .xlsx 或 .csv 文件")


def check_rows(plan: Plan, rows: Iterable[SheetRow], may_edit: Callable[[str], tuple[bool, str]]) -> ReadResult:
    """Compare every row with what it held at export and with the plan; changes and problems.

    ``may_edit(unit)`` says whether the operator may change a unit (with a reason);
    a row that would change a unit the operator may not change is a problem, and so
    is a changed cell whose field the plan changed since the export (a conflict).
    Rows of sheets without the as-exported columns are compared with the plan as it
    is now; their sheets are listed in ``unguarded``.
    """
    result = ReadResult()
    seen: dict[str, str] = {}
    for row in rows:
        result.rows += 1
        if not all(h in row.cells for h in BASE_HEADERS) and row.sheet not in result.unguarded:
            result.unguarded.append(row.sheet)
        problems, changes = _check_row(plan, row, may_edit, seen)
        result.problems += problems
        if not problems:
            result.changes += changes
    return result


@dataclass(frozen=True)
class _Base:
    """What a row's fill-in cells held at export."""

    status: Status
    note: str
    evidence: list[str]


def _note(text: str) -> str:
    return clean_text(text).strip()


def _lines(text: str) -> list[str]:
    return [item for item in (clean_line(line) for line in text.split("\n")) if item]


def _clean_items(items: Iterable[str]) -> list[str]:
    return [item for item in (clean_line(x) for x in items) if item]


def _expected_note(a: Assignment) -> str | None:
    # The service compares the cleaned expected text with the stored note byte for
    # byte; a stored note that cleaning would alter (a raw CR from a merge) cannot be
    # named that way, so leave the check to the service's own re-read.
    return a.last_note if _note(a.last_note) == a.last_note else None


def _expected_evidence(items: list[str]) -> str | None:
    return "\n".join(items) if _clean_items(items) == items else None


def _shorten(text: str, limit: int = 60) -> str:
    line = clean_line(text)
    return f'"{line if len(line) <= limit else line[: limit - 1] + "…"}"'


def _conflict(where: str, task: Task, req: Requirement, a: Assignment, label: str,
              base: str, current: str, mine: str) -> Problem:
    when = a.updated.strftime("%Y-%m-%d %H:%M") if a.updated else "?"
    by = clean_line(a.updated_by) or "?"
    return Problem(where, f"冲突: 任务{task.number}.{req.key} {a.unit} 的{label}在导出后已被 {by} 于 {when} 改为 "
                          f"{_shorten(current)}(导出时为 {_shorten(base)},表中为 {_shorten(mine)}),未覆盖", True)


def _check_row(plan: Plan, row: SheetRow, may_edit: Callable[[str], tuple[bool, str]],
               seen: dict[str, str]) -> tuple[list[Problem], list[CellChange]]:
    where = row.where
    key = row.cells.get("键", "").strip()
    parts = key.split("|")
    if len(parts) != 4 or not parts[0].isdigit() or not parts[1].isdigit():
        return [Problem(where, f"键 {key!r} 不合法(应为 年度|任务|要求|单位)")], []
    year, task_no, req_key, unit = int(parts[0]), int(parts[1]), parts[2], parts[3]
    if year != plan.year:
        return [Problem(where, f"这一行属于 {year} 年计划,当前是 {plan.year} 年")], []
    task = plan.tasks.get(task_no)
    req = task.requirement(req_key) if task else None
    assignment = req.assignments.get(unit) if req else None
    if task is None or req is None or assignment is None:
        return [Problem(where, f"计划中没有这一行(键 {key})")], []
    if key in seen:
        return [Problem(where, f"与 {seen[key]} 是同一条分工(键 {key})")], []
    seen[key] = where
    problems: list[Problem] = []
    plan_cells = [row.cells.get(h, "") for h in PLAN_HEADERS]
    guarded = all(h in row.cells for h in BASE_HEADERS)
    base_cells = [row.cells[h] for h in BASE_HEADERS] if guarded else []
    if checksum([key, *plan_cells, *base_cells]) != row.cells.get("校验", "").strip():
        current = export_rows(plan.year, [(task, req, assignment)])[0]
        edited = [h for i, h in enumerate(PLAN_HEADERS) if plan_cells[i].strip() != current[i].strip()]
        named = "、".join(edited) if edited else ("键、校验或导出时的值" if guarded else "键或校验")
        return [Problem(where, f"锁定列被修改: {named}(这些列是计划原文,不能改)")], []
    base: _Base | None = None
    if guarded:
        try:
            base = _Base(Status.parse(base_cells[0].strip()), _note(base_cells[1]), _lines(base_cells[2]))
        except ValueError:
            return [Problem(where, f"导出时状态 {_shorten(base_cells[0])} 不合法")], []
    changes: list[CellChange] = []

    def change(field_name: str, value: str, expected: str | None = None) -> None:
        try:
            value = validate_change(field_name, value)
        except InvalidChange as exc:  # the service's own rule, reported with the sheet and row
            problems.append(Problem(where, str(exc)))
            return
        changes.append(CellChange(task_no, req_key, unit, field_name, value, where, expected))

    status_text = row.cells.get("状态", "").strip()
    if status_text:
        try:
            status = Status(validate_change("status", status_text))
        except InvalidChange as exc:
            problems.append(Problem(where, str(exc)))
        else:
            if base is None:
                if status is not assignment.status:
                    change("status", status.value)
            elif status is not base.status and status is not assignment.status:
                if assignment.status is not base.status:
                    problems.append(_conflict(where, task, req, assignment, "状态", base.status.label,
                                              assignment.status.label, status.label))
                else:
                    change("status", status.value, base.status.value)
    note = _note(row.cells.get("进展情况", ""))
    current_note = _note(assignment.last_note)
    if base is None:
        if note and note != current_note:
            change("note", note)
    elif note and note != base.note and note != current_note:
        if current_note != base.note:
            problems.append(_conflict(where, task, req, assignment, "进展", base.note, current_note, note))
        else:
            change("note", note, _expected_note(assignment))
    items = list(dict.fromkeys(_lines(row.cells.get("佐证材料", ""))))
    current_items = _clean_items(assignment.evidence)
    if base is None:
        for item in items:
            if item not in assignment.evidence:
                change("evidence", item)
    else:
        added = [i for i in items if i not in base.evidence and i not in current_items]
        if added and current_items != base.evidence:
            problems.append(_conflict(where, task, req, assignment, "佐证", "\n".join(base.evidence),
                                      "\n".join(current_items), "\n".join(items)))
        elif added:
            # Each addition expects the list as the previous one leaves it.
            running = list(assignment.evidence)
            for item in added:
                change("evidence", item, _expected_evidence(running))
                running.append(item)
    if changes:
        allowed, why = may_edit(unit)
        if not allowed:
            problems.append(Problem(where, f"无权修改 {unit}: {why}"))
    return problems, changes
