"""``tracker export [QUERY] --format xlsx|csv [--unit U] -o FILE``: a sheet laid out like the notice."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.plan_source import (
    AsOfOption,
    PlanOption,
    QueryArgument,
    RepoOption,
    check_format,
    fail,
    load_source,
    parse_as_of,
    parse_query,
    write_text,
)
from tracker.i18n import t
from tracker.spreadsheet import write_csv, write_xlsx
from tracker.unit_names import UnitNameError, resolve_unit_names


def export_command(
    query: QueryArgument = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="xlsx|csv",
                                     help=t("xlsx(带下拉框和锁定列的工作簿)或 csv(带 BOM 的 UTF-8)",
                                            "xlsx (workbook with a drop-down and locked columns) or csv (UTF-8 with BOM)"))] = "xlsx",
    unit: Annotated[str | None, typer.Option("--unit", "-u", metavar="UNIT", show_default=False,
                                             help=t("只导出这个单位(或分组)的条目", "only this unit's (or group's) rows"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", show_default=False,
                                                help=t("写入的文件;csv 可省略(输出到屏幕)", "file to write; csv may go to stdout"))] = None,
    as_of: AsOfOption = None,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    fmt_value = check_format(fmt, ("xlsx", "csv"))
    if fmt_value == "xlsx" and output is None:
        fail(t("导出 xlsx 需要 -o 文件名", "xlsx export needs -o FILE"), 2)
    today = parse_as_of(as_of)
    # --unit: read only the tasks that name the unit (the query index knows which)
    source = load_source(repo, plan, tasks=() if unit is not None else None)
    plan_obj = source.loaded.plan
    if unit is not None:
        try:
            units = resolve_unit_names(source.loaded.registry, unit)
        except UnitNameError as exc:
            fail(exc.message)
        narrowed = None
        if source.store is not None and source.commit is not None:
            from tracker.indexed_listing import plan_naming

            narrowed = plan_naming(source.store, source.year, source.commit, plan_obj.info, units)
        if narrowed is None:
            source = load_source(repo, plan)
            narrowed = source.loaded.plan
        plan_obj = narrowed
    parsed, ctx = parse_query(query, source, today)
    items = list(parsed.assignments(plan_obj, ctx))
    if unit is not None:
        items = [item for item in items if item[2].unit in units]
    if not items:
        fail(t("没有符合条件的单位条目,未导出", "no assignment matches, nothing exported"))
    title = plan_obj.info.title or t(f"{plan_obj.year} 年任务分工", f"{plan_obj.year} work plan")
    if fmt_value == "csv":
        text = write_csv(plan_obj, items)
        if output is None or str(output) == "-":
            write_text(text)
            return
        _write(output, text.encode("utf-8"))
    else:
        assert output is not None
        # Built in memory, written by one call: a full disk fails in _write (one line, no
        # partial file), never inside the zip writer.
        buffer = io.BytesIO()
        write_xlsx(plan_obj, items, buffer, title)
        _write(output, buffer.getvalue())
    units_count = len({item[2].unit for item in items})
    typer.echo(t(f"已导出 {len(items)} 行({units_count} 个单位)到 {output}",
                 f"exported {len(items)} rows ({units_count} units) to {output}"), err=True)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(t(f"无法写入 {path}: {exc.strerror or exc}", f"cannot write {path}: {exc.strerror or exc}"))


def register(app: typer.Typer) -> None:
    """Add ``export`` to the app."""
    app.command("export", help=t(
        "导出表格供单位填报:列同通知(序号、工作任务、具体要求、责任单位、时限要求),加单位、状态(下拉选择)、"
        "进展情况、佐证材料;计划列锁定,填好后用 tracker apply 导入。隐藏列记录导出时的值(csv 中为末尾的“系统列”),"
        "导入时据此发现导出后他人所做的修改。",
        "Export a sheet for units to fill in: the notice's columns plus unit, status (a drop-down), progress "
        "and evidence; plan columns are locked; read it back with tracker apply. Hidden columns (the trailing "
        "'system' columns in csv) record the exported values so that apply can detect changes made meanwhile."),
        short_help=t("导出填报表格(xlsx/csv)", "export a sheet to fill in (xlsx/csv)"))(export_command)
