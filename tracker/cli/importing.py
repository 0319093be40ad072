"""``tracker import``: a 任务分工 notice (web page, Word, PDF, spreadsheet, text) -> a plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tracker.i18n import t
from tracker.importer import ImportResult, NoticeImportError, import_file, write_plan

# Remarks printed one by one even without --dry-run; the rest are counted.
_ALWAYS_SHOWN = ("warning", "fixed", "unplaced", "artefact")


def _parse_issued(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"不是日期: {value!r}(应写作 2019-07-09)", param_hint="--issued") from None


def import_notice(
    notice: Annotated[
        Path,
        typer.Argument(help=t("通知文件:网页(.html)、Word(.docx/.doc/.wps)、PDF、.xlsx、.csv 或文字(.txt)",
                              "the notice: web page (.html), Word (.docx/.doc/.wps), PDF, .xlsx, .csv or text (.txt)"),
                       show_default=False),
    ],
    plan: Annotated[int, typer.Option("--plan", help=t("计划年度,如 2019", "plan year, e.g. 2019"), show_default=False)],
    into: Annotated[
        Path | None,
        typer.Option("--into", help=t("写入的目录(按 tasks/ 的布局;须为空目录或不存在);不给则导入数据仓库的新分支 plan/年度",
                                      "write into this folder (laid out as tasks/; empty or missing); "
                                      "without it the plan goes onto a new branch plan/YEAR of the store")),
    ] = None,
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help=t("数据仓库路径(默认 TRACKER_REPO、当前目录或默认仓库)",
                                      "store path (default TRACKER_REPO, the current folder or the default store)")),
    ] = None,
    issued: Annotated[
        str | None, typer.Option("--issued", help=t("印发日期 YYYY-MM-DD,覆盖从通知里读到的日期",
                                                  "issue date YYYY-MM-DD, instead of the one read from the notice"))
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=t("只显示将要创建的任务、要求、各单位分工和无法归类的内容,不写文件",
                                         "only show the tasks, requirements, assignments and unplaced text; write nothing")),
    ] = False,
    allow_unknown_units: Annotated[
        bool,
        typer.Option(
            "--allow-unknown-units", help=t("单位名录里没有的名称也保留(标记为 unknown_unit),不中止导入",
                                            "keep names the unit registry lacks (flagged unknown_unit) instead of stopping")
        ),
    ] = False,
    units: Annotated[
        Path | None, typer.Option("--units", help=t("单位名录 units.toml(默认用随程序附带的寿光市名录)",
                                                  "unit registry units.toml (default: the bundled Shouguang one)"))
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option("--columns", help=t("指定表头,不用自动识别,如 'task=工作任务,units=责任科室'"
                                         "(可用 task=、requirement=、units=、lead=、partner=、deadline=、number=;值可为列号)",
                                         "name the columns instead of detecting them, as KEY=HEADER pairs, e.g. 'task=<header>,units=<header>' "
                                         "(keys: task, requirement, units, lead, partner, deadline, number; a value may be a column number)"),
                     show_default=False),
    ] = None,
) -> None:
    issued_date = _parse_issued(issued)
    if not 1900 <= plan <= 2200:
        raise typer.BadParameter(f"年度不对: {plan}", param_hint="--plan")
    try:
        units_text = units.read_text(encoding="utf-8") if units else None
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{units}: 无法读取单位名录: {exc}", err=True)
        raise typer.Exit(1) from None
    try:
        # A dry run shows unknown names instead of stopping at them.
        result = import_file(
            notice, plan, issued=issued_date, units_text=units_text,
            allow_unknown_units=allow_unknown_units or dry_run, columns=columns,
        )
        if dry_run:
            from tracker.importer.summary import summary_lines

            for line in summary_lines(result.plan, result.report, result.units_text, allowed_unknown=allow_unknown_units):
                typer.echo(line)
            return
        if into is None:
            _import_into_store(result, repo, plan, notice)
            return
        written = write_plan(result, into)
    except NoticeImportError as exc:
        typer.echo(exc.message, err=True)
        for problem in exc.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:  # e.g. a full disk: write_plan leaves nothing half-written behind
        target = into if into is not None else notice
        typer.echo(t(f"无法写入 {target}: {exc.strerror or exc},未导入", f"cannot write {target}: {exc.strerror or exc}; "
                     "nothing imported"), err=True)
        raise typer.Exit(1) from None
    _print_remarks(result, everything=False)
    tasks, reqs, assignments = _counts(result)
    typer.echo(
        f"已导入 {tasks} 项任务、{reqs} 条要求、{assignments} 条单位分工,写入 {into}({len(written)} 个文件)"
    )


# Help in the language chosen before this module was loaded (commands load lazily).
import_notice.__doc__ = t(
    "导入任务分工通知:写入 --into 目录,或作为数据仓库的新分支 plan/年度(管理员)。",
    "Import a 任务分工 notice: into the --into folder, or as a new branch plan/YEAR of the store (admin).",
)


def _import_into_store(result: ImportResult, repo: Path | None, year: int, notice: Path) -> None:
    """The imported plan as a new branch ``plan/YEAR`` of the store (admin only), one commit."""
    from tracker.cli.store_common import open_service, user_errors
    from tracker.importer import plan_files

    service = open_service(repo, None)
    with user_errors():
        files = {rel: text.encode("utf-8") for rel, text in plan_files(result).items()}
        committed = service.import_plan(year, files, source=notice.name)
    _print_remarks(result, everything=False)
    tasks, reqs, assignments = _counts(result)
    typer.echo(t(f"已导入 {tasks} 项任务、{reqs} 条要求、{assignments} 条单位分工到分支 plan/{year}",
                 f"imported {tasks} tasks, {reqs} requirements, {assignments} assignments onto branch plan/{year}"))
    typer.echo(f"{(committed.commit or '')[:10]} {committed.subject}")


def _counts(result: ImportResult) -> tuple[int, int, int]:
    plan = result.plan
    return len(plan.tasks), sum(1 for _ in plan.requirements()), sum(1 for _ in plan.assignments())


def _print_remarks(result: ImportResult, *, everything: bool) -> None:
    report = result.report
    for line in report.lines(None if everything else _ALWAYS_SHOWN):
        typer.echo(line)
    hidden = sum(1 for r in report.remarks if r.kind not in _ALWAYS_SHOWN)
    if hidden and not everything:
        typer.echo(f"(另有 {hidden} 行通知正文或分页重复的标题未计入任务;用 --dry-run 查看)")
    if report.unknown_units:
        typer.echo(f"有 {len(report.unknown_units)} 处单位名称不在单位名录中,已保留并标记 unknown_unit:")
        for unknown in report.unknown_units:
            typer.echo(f"  {unknown.describe(report.source)}")
