"""Notice text, CSV/XLSX/pipe tables -> a plan, and the plan -> a folder laid out as ``tasks/``.

Entry points:

- :func:`import_file` reads a file, picks the reader by its kind (``.xlsx``,
  ``.csv``, a text with a pipe-table header, else notice text) and builds the plan;
- :func:`import_text` does the same for text already in memory;
- :func:`plan_files` renders the result as ``{relative path: text}``;
- :func:`write_plan` writes those files into a folder, all or nothing.

Every failure is a :class:`NoticeImportError` naming the source and the lines.
The readers and their choices are described in :mod:`tracker.importer.notice`,
:mod:`tracker.importer.table` and :mod:`tracker.importer.builder` (roles,
inherited requirements).
"""

from __future__ import annotations

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
from tracker.importer.notice import decode_bytes, parse_notice
from tracker.importer.table import (
    looks_like_pipe_table,
    parse_table,
    read_csv_rows,
    read_pipe_rows,
    read_xlsx_rows,
)
from tracker.model import Plan
from tracker.planio import bundled_tasks_dir
from tracker.units import Registry, load_registry

__all__ = [
    "ImportReport",
    "ImportResult",
    "NoticeImportError",
    "UnknownUnit",
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
) -> ImportResult:
    """Build a plan from notice text or a pipe table held in memory.

    Raises:
        NoticeImportError: nothing importable, a duplicate task number, or unknown
            units without ``allow_unknown_units``; every problem with its line.
    """
    units_text, registry = _registry(units_text)
    kwargs = {"issued": issued, "source": source, "allow_unknown_units": allow_unknown_units}
    builder: PlanBuilder
    if looks_like_pipe_table(text):
        builder, report = parse_table(read_pipe_rows(text), year, registry, **kwargs)  # type: ignore[arg-type]
    else:
        builder, report = parse_notice(text, year, registry, **kwargs)  # type: ignore[arg-type]
    return _finish(builder, report, units_text, source)


def import_file(
    path: Path,
    year: int,
    *,
    issued: date | None = None,
    units_text: str | None = None,
    allow_unknown_units: bool = False,
) -> ImportResult:
    """Build a plan from a notice file (.txt), a table (.csv, .xlsx) or a pipe table.

    Raises:
        NoticeImportError: unreadable file or any problem :func:`import_text` raises.
    """
    source = path.name
    suffix = path.suffix.lower()
    if suffix in (".xls", ".doc", ".docx", ".pdf", ".wps"):
        raise NoticeImportError(f"{source}: 不支持 {suffix} 文件;请另存为 .xlsx 或 .csv,或复制文字存为 .txt")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoticeImportError(f"{source}: 无法读取: {exc.strerror}") from None
    if suffix in (".xlsx", ".xlsm"):
        units_text, registry = _registry(units_text)
        builder, report = parse_table(
            read_xlsx_rows(path),
            year,
            registry,
            issued=issued,
            source=source,
            allow_unknown_units=allow_unknown_units,
        )
        return _finish(builder, report, units_text, source)
    if suffix == ".csv":
        units_text, registry = _registry(units_text)
        builder, report = parse_table(
            read_csv_rows(data, source),
            year,
            registry,
            issued=issued,
            source=source,
            allow_unknown_units=allow_unknown_units,
        )
        return _finish(builder, report, units_text, source)
    return import_text(
        decode_bytes(data, source),
        year,
        issued=issued,
        source=source,
        units_text=units_text,
        allow_unknown_units=allow_unknown_units,
    )


def _finish(builder: PlanBuilder, report: ImportReport, units_text: str, source: str) -> ImportResult:
    plan = builder.build()
    plan.info.source = source
    return ImportResult(plan, units_text, report)


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
