"""The documents an office holds -> a plan, and the plan -> a folder laid out as ``tasks/``.

Entry points:

- :func:`import_file` reads a file, picks the reader by its content (web page,
  .docx, .doc/.wps, .pdf, .xlsx, .csv, text) and builds the plan;
- :func:`import_text` does the same for text already in memory;
- :func:`plan_files` renders the result as ``{relative path: text}``;
- :func:`write_plan` writes those files into a folder, all or nothing.

Every failure is a :class:`NoticeImportError` naming the source and the lines.
One module per reader (``html_reader``, ``docx_reader``, ``pdf_reader``,
``legacy_word``, ``text_tables``, ``notice``, ``outline``) turns its form into
rows or events; :mod:`tracker.importer.choose` picks the reading,
:mod:`tracker.importer.columns` finds the columns, :mod:`tracker.importer.table`
reads a task table, and :mod:`tracker.importer.builder` builds the plan (roles,
inherited requirements).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tracker.codec import (
    FLAT_LAYOUT_LIMIT,
    OPERATORS_FILE,
    PLAN_FILE,
    UNITS_FILE,
    dump_plan_info,
    dump_task,
    task_relpath,
)
from tracker.importer.builder import (
    ImportReport,
    NoticeImportError,
    PlanBuilder,
    UnknownUnit,
    assignments_per_unit,
)
from tracker.importer.choose import ReadOptions, read_extract, read_text
from tracker.importer.columns import parse_columns_option
from tracker.importer.detect import detect_format
from tracker.importer.notice import decode_bytes
from tracker.importer.table import parse_table, read_csv_rows, read_xlsx_rows
from tracker.model import Plan
from tracker.planio import bundled_tasks_dir
from tracker.units import Registry, load_registry, normalise_name

__all__ = [
    "ImportReport",
    "ImportResult",
    "NoticeImportError",
    "UnknownUnit",
    "add_unknown_units",
    "assignments_per_unit",
    "default_units_text",
    "import_file",
    "import_text",
    "plan_files",
    "write_plan",
]

OPERATORS_TEMPLATE = """\
# 操作员名单:登录名 -> 姓名、所属单位、角色。导入的计划不含操作员,
# `tracker init` 会把创建仓库的用户加为管理员(admin)。每人一张表,例如:
#
# [operators.zhangsan]
# name = "张三"
# units = ["营里镇"]
# role = "operator"
#
# 角色:operator(单位操作员,只能改本单位的分工)、admin(办公室,可改全部)、auditor(审计,只能查看)。
"""


@dataclass
class ImportResult:
    """A built plan, the registry text it was resolved with, and the report."""

    plan: Plan
    units_text: str
    report: ImportReport


def default_units_text() -> str:
    """The bundled unit registry (Shouguang's units), used when no ``--units`` is given."""
    try:
        folder = bundled_tasks_dir()
    except FileNotFoundError:
        # A checkout whose tasks/ holds only units.toml (re-creating the bundled plan).
        folder = Path(__file__).resolve().parents[2] / "tasks"
    try:
        return (folder / UNITS_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise NoticeImportError(f"找不到单位名录 {folder / UNITS_FILE}: {exc.strerror}") from None


def _registry(units_text: str | None) -> tuple[str, Registry]:
    text = default_units_text() if units_text is None else units_text
    return text, load_registry(text, UNITS_FILE)


def import_text(
    text: str,
    year: int,
    *,
    issued: date | None = None,
    source: str = "<notice>",
    units_text: str | None = None,
    allow_unknown_units: bool = False,
    columns: dict[str, str] | str | None = None,
) -> ImportResult:
    """Build a plan from text held in memory: a notice, a 要点, or a table pasted as text.

    Args:
        columns: ``--columns`` overrides (``"task=工作任务,units=责任科室"`` or a dict).

    Raises:
        NoticeImportError: nothing importable, a duplicate task number, or unknown
            units without ``allow_unknown_units``; every problem with its line.
    """
    units_text, registry = _registry(units_text)
    options = ReadOptions(year, registry, issued, source, allow_unknown_units, _columns(columns))
    builder, report = read_text(text, options)
    return _finish(builder, report, units_text, source)


def _columns(columns: dict[str, str] | str | None) -> dict[str, str] | None:
    if isinstance(columns, str):
        return parse_columns_option(columns)
    return columns or None


def import_file(
    path: Path,
    year: int,
    *,
    issued: date | None = None,
    units_text: str | None = None,
    allow_unknown_units: bool = False,
    columns: dict[str, str] | str | None = None,
) -> ImportResult:
    """Build a plan from a notice file of any form the offices hold.

    The format is recognised by content (:mod:`tracker.importer.detect`): a web
    page, .docx, .doc/.wps (through LibreOffice), .pdf with a text layer, .xlsx,
    .csv, or text (a notice, a 要点, a pasted or pipe or flattened table).

    Raises:
        NoticeImportError: unreadable file or any problem :func:`import_text` raises.
    """
    source = path.name
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoticeImportError(f"{source}: 无法读取: {exc.strerror}") from None
    override = _columns(columns)
    kind = detect_format(data, suffix)
    if kind == "word97":
        from tracker.importer.legacy_word import convert_to_docx

        data, kind = convert_to_docx(data, source), "docx"
    if kind in ("xls", "rtf", "zip", "damaged"):
        raise NoticeImportError(f"{source}: {_UNSUPPORTED[kind]}")
    units_text, registry = _registry(units_text)
    options = ReadOptions(year, registry, issued, source, allow_unknown_units, override)
    if kind in ("xlsx", "csv"):
        rows = read_xlsx_rows(path) if kind == "xlsx" else read_csv_rows(data, source)
        builder, report = parse_table(rows, year, registry, columns=override, **options.reader_kwargs())
        report.reader, report.counts = kind, "row"
        return _finish(builder, report, units_text, source)
    if kind in ("html", "docx", "pdf"):
        if kind == "html":
            from tracker.importer.html_reader import read_html as reader
        elif kind == "docx":
            from tracker.importer.docx_reader import read_docx as reader
        else:
            from tracker.importer.pdf_reader import read_pdf as reader
        extract = reader(data, source)
        builder, report = read_extract(extract, options)
        return _finish(builder, report, units_text, source)
    try:
        builder, report = read_text(decode_bytes(data, source), options)
    except NoticeImportError as exc:
        if suffix in _BINARY_SUFFIXES:  # named as a binary format, holding neither it nor a notice
            raise NoticeImportError(f"{source}: 不是可读的 {_BINARY_SUFFIXES[suffix]} 文件") from None
        raise exc from None
    return _finish(builder, report, units_text, source)


_BINARY_SUFFIXES = {".xlsx": "XLSX", ".xlsm": "XLSX", ".docx": "Word(.docx)", ".pdf": "PDF", ".doc": "Word", ".wps": "WPS"}


_UNSUPPORTED = {
    "xls": "旧版 Excel(.xls)文件无法直接读取;请在 Excel 或 WPS 中另存为 .xlsx 再导入",
    "rtf": "RTF 文件无法直接读取;请在 Word 或 WPS 中另存为 .docx 再导入",
    "zip": "这是一个压缩包,不是 Word(.docx)或 Excel(.xlsx)文件;请解压后导入其中的通知文件",
    "damaged": "文件已损坏(压缩包无法打开);请重新下载或另存后再导入",
}


def _finish(builder: PlanBuilder, report: ImportReport, units_text: str, source: str) -> ImportResult:
    plan = builder.build()
    plan.info.source = source
    if builder.allow_unknown_units and report.unknown_units:
        units_text = add_unknown_units(units_text, report.unknown_units)
    return ImportResult(plan, units_text, report)


def add_unknown_units(units_text: str, unknown: list[UnknownUnit]) -> str:
    """The registry text with the new office's units (and collective names as groups) appended.

    The original text is kept byte for byte; each new name gets a table of its own,
    a collective name (各科室) an empty group the office can fill in later.
    """
    seen: set[str] = set()
    parts = [units_text.rstrip("\n"), "", "# 导入时新增(--allow-unknown-units):请核对名称、类别,给统称补上成员"]
    for item in unknown:
        name = normalise_name(item.name)
        if name in seen:
            continue
        seen.add(name)
        quoted = json.dumps(name, ensure_ascii=False)
        if item.collective:
            parts += ["", f"[groups.{quoted}]", "aliases = []", "members = []"]
        else:
            parts += ["", f"[units.{quoted}]", f'kind = "{_kind_of(name)}"', "aliases = []"]
    return "\n".join(parts) + "\n"


def _kind_of(name: str) -> str:
    if name.endswith("镇"):
        return "镇"
    if name.endswith("街道"):
        return "街道"
    return "其他"


def plan_files(result: ImportResult) -> dict[str, str]:
    """The files of the plan, ``{tasks/-relative path: text}``, in a stable order."""
    files = {
        PLAN_FILE: dump_plan_info(result.plan.info),
        UNITS_FILE: result.units_text,
        OPERATORS_FILE: OPERATORS_TEMPLATE,
    }
    nested = len(result.plan.tasks) > FLAT_LAYOUT_LIMIT or max(result.plan.tasks, default=0) > 99999
    for task in result.plan.sorted_tasks():
        files[task_relpath(task.number, nested)] = dump_task(task)
    return files


def write_plan(result: ImportResult, into: Path) -> list[Path]:
    """Write the plan's files into ``into`` (created if missing), all or nothing.

    The files are written to a temporary folder beside ``into`` first and moved
    in only when all of them are written.

    Raises:
        NoticeImportError: ``into`` already holds plan files, or is not a folder.
    """
    if into.exists() and not into.is_dir():
        raise NoticeImportError(f"{into}: 不是目录")
    existing = sorted(p.relative_to(into).as_posix() for p in into.rglob("*.toml")) if into.exists() else []
    if existing:
        raise NoticeImportError(f"{into}: 目录里已有计划文件({', '.join(existing[:3])}…),请换一个空目录")
    files = plan_files(result)
    into.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=into.parent))
    try:
        for relpath, text in files.items():
            target = staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        into.mkdir(parents=True, exist_ok=True)
        written = []
        for relpath in files:
            (into / relpath).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relpath, into / relpath)
            written.append(into / relpath)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
