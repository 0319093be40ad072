"""``tracker apply FILE``: read a filled-in sheet back, check every row, commit all as one commit or nothing.

A cell changed in the sheet whose field someone else changed since the export is a
conflict (found here from the sheet's as-exported columns, or by the service if it
happens between this check and the commit); conflicts, like bad rows, commit nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.bulk import DryRunOption, YesOption, confirm_many
from tracker.cli.plan_source import PlanOption, RepoOption, echo, fail
from tracker.i18n import t
from tracker.model import Status
from tracker.spreadsheet import CellChange, ReadResult, SheetError, check_rows, read_rows
from tracker.unit_names import UnitNameError, resolve_unit

if TYPE_CHECKING:
    from tracker.service import Change, CommitResult, Service

FIELD_NAMES = {"status": ("状态", "status"), "note": ("进展", "note"), "evidence": ("佐证", "evidence")}


def describe(change: CellChange) -> str:
    """``营里镇!12  任务5.1 营里镇  状态 → 已完成``."""
    zh, en = FIELD_NAMES[change.field]
    value = Status(change.value).label if change.field == "status" else change.value.replace("\n", " ")
    return t(f"{change.where}  任务{change.task}.{change.requirement} {change.unit}  {zh} → {value}",
             f"{change.where}  task {change.task}.{change.requirement} {change.unit}  {en} → {value}")


def apply_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help=t("填好的 xlsx 或 csv 文件", "the filled-in xlsx or csv file"))],
    on_behalf_of: Annotated[str | None, typer.Option("--on-behalf-of", metavar="UNIT", show_default=False,
                                                     help=t("管理员代该单位导入(只能含该单位的行)",
                                                            "admin applying a unit's sheet (its rows only)"))] = None,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    from tracker.cli.store_common import open_service, user_errors
    from tracker.service import Change

    if not file.is_file():
        fail(t(f"找不到文件: {file}", f"no such file: {file}"))
    service = open_service(repo, plan)
    with user_errors():
        loaded = service.store.load(service.year)
    behalf = None
    if on_behalf_of is not None:
        try:
            resolved = resolve_unit(loaded.registry, on_behalf_of)
        except UnitNameError as exc:
            fail(exc.message)
        if service.operator.role != "admin":
            fail(t(f"只有管理员可以代单位导入({service.operator.login} 不是管理员)",
                   f"only an admin may apply for a unit ({service.operator.login} is not)"))
        behalf = resolved

    def may_edit(unit: str) -> tuple[bool, str]:
        if behalf is not None:
            return (unit == behalf, t(f"代 {behalf} 导入时不能修改 {unit}", f"acting for {behalf}, not {unit}"))
        return service.may_edit(unit)

    try:
        rows, problems = read_rows(file)
    except SheetError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(t(f"无法读取 {file}: {exc.strerror or exc}", f"cannot read {file}: {exc.strerror or exc}"))
    result = check_rows(loaded.plan, rows, may_edit)
    warn_unguarded(result)
    problems += result.problems
    if problems:
        for problem in problems:
            echo(str(problem), err=True)
        conflicts = len(result.conflicts)
        fail(t(f"{len(problems)} 处问题" + (f"(其中 {conflicts} 处冲突)" if conflicts else "") + ",全部未提交",
               f"{len(problems)} problems" + (f" ({conflicts} conflicts)" if conflicts else "") + ", nothing committed"))
    if not result.changes:
        typer.echo(t(f"读取 {result.rows} 行,与计划相比没有变化,未提交", f"read {result.rows} rows, nothing differs, no commit"))
        return
    for change in result.changes:
        echo(describe(change))
    rows_changed = len({c.where for c in result.changes})
    changes = [Change(c.task, c.requirement, c.unit, c.field, c.value, c.expected) for c in result.changes]
    if dry_run:
        apply_or_report_conflicts(service, changes, behalf, result.changes, dry_run=True)
        typer.echo(t(f"试运行: {rows_changed} 行共 {len(changes)} 处修改,未提交",
                     f"dry run: {len(changes)} changes in {rows_changed} rows, nothing committed"))
        return
    confirm_many(rows_changed, yes, t("行", "rows"))
    outcome = apply_or_report_conflicts(service, changes, behalf, result.changes)
    if outcome.commit is None:
        typer.echo(t("没有变化,未提交", "nothing changed, no commit"))
    else:
        typer.echo(f"{outcome.short} {outcome.subject}")


def warn_unguarded(result: ReadResult) -> None:
    """Say on stderr which sheets cannot show concurrent changes (exported before the as-exported columns)."""
    if result.unguarded:
        sheets = "、".join(result.unguarded)
        typer.echo(t(f"警告: {sheets} 是旧版导出的表格,没有记录导出时的值,无法发现导出后他人所做的修改"
                     "(将与当前计划比较;重新导出可避免)",
                     f"warning: {sheets} was exported by an older version without the as-exported values; "
                     "changes made by others since the export cannot be detected (compared with the plan as it "
                     "is now; export again to avoid this)"), err=True)


def apply_or_report_conflicts(service: Service, changes: list[Change], behalf: str | None,
                              cells: list[CellChange], *, dry_run: bool = False) -> CommitResult:
    """``service.apply``; a conflict the service finds is reported with its sheet and row, exit 1."""
    from tracker.cli.store_common import user_errors
    from tracker.service import ConflictError

    where = {(c.task, c.requirement, c.unit): c.where for c in cells}
    with user_errors():
        try:
            return service.apply(changes, on_behalf_of=behalf, dry_run=dry_run)
        except ConflictError as exc:
            for conflict in exc.conflicts:
                c = conflict.change
                row = where.get((c.task, c.requirement, c.unit), f"任务{c.req_id}")
                echo(f"{row}: 冲突: {conflict.describe()}", err=True)
            fail(t(f"{len(exc.conflicts)} 处冲突,全部未提交", f"{len(exc.conflicts)} conflicts, nothing committed"))


def register(app: typer.Typer) -> None:
    """Add ``apply`` to the app."""
    app.command("apply", help=t(
        "导入填好的表格(xlsx 或 csv):逐行检查(未知状态、无权修改的单位、计划中没有的行、被改动的锁定列),"
        "有任何问题则全部不提交;否则所有修改作为一个提交。导出后他人改过的字段若在表中也被改动,报告冲突,不覆盖。",
        "Apply a filled-in sheet (xlsx or csv): every row is checked (unknown status, a unit you may not change, "
        "a row not in the plan, an edited locked column); any problem means nothing is committed, otherwise "
        "everything is one commit. A field someone else changed since the export and also changed in the sheet "
        "is a conflict, never overwritten."),
        short_help=t("导入填好的表格", "apply a filled-in sheet"))(apply_command)
