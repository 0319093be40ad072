"""``tracker plan list|new``: one plan per ``plan/YEAR`` branch."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tracker.cli.plan_source import FormatOption, RepoOption, check_format, echo, write_json
from tracker.cli.store_common import open_service, open_store, user_errors
from tracker.i18n import t

app = typer.Typer(help=t("年度计划(每年一个分支)", "yearly plans (one branch each)"), no_args_is_help=True)


@app.command("list", help=t("列出数据仓库中的年度计划。",
                                  "List the yearly plans of the store."))
def list_(fmt: FormatOption = "table", repo: RepoOption = None) -> None:
    """列出数据仓库中的年度计划。"""
    fmt = check_format(fmt, ("table", "json"))
    store = open_store(repo)
    rows: list[dict[str, Any]] = []
    with user_errors():
        for year in store.years():
            loaded = store.load(year)
            rows.append({
                "year": year, "branch": f"plan/{year}", "commit": store.tip(year),
                "title": loaded.plan.info.title, "tasks": len(loaded.plan.tasks),
            })
    if fmt == "json":
        write_json(rows)
        return
    for r in rows:
        count = t(f"{r['tasks']:>4} 项", f"{r['tasks']:>4} tasks")
        echo(f"{r['year']}  {r['branch']}  {r['commit'][:10]}  {count}  {r['title']}")


@app.command("new", help=t("新建年度计划分支(仅管理员);单位名录和操作员名单一并复制。",
                                  "Start a new yearly plan branch (admin only), copying the unit registry and the operators."))
def new(
    year: Annotated[int, typer.Argument(metavar="YEAR", help=t("新计划的年度", "year of the new plan"))],
    from_year: Annotated[
        int | None, typer.Option("--from", metavar="YEAR", show_default=False, help=t("从哪一年结转(默认: 最新)", "plan to carry from (default: newest)"))
    ] = None,
    carry: Annotated[
        str, typer.Option("--carry", metavar="unfinished|all|none", help=t("结转: 未完成的/全部/不结转任务", "carry unfinished, all or no tasks"))
    ] = "unfinished",
    repo: RepoOption = None,
) -> None:
    """新建年度计划分支(仅管理员);单位名录和操作员名单一并复制。"""
    if carry not in ("unfinished", "all", "none"):
        from tracker.cli.plan_source import fail

        fail(t(f"--carry 只能是 unfinished、all 或 none,不是 {carry!r}", "--carry must be unfinished, all or none"), 2)
    service = open_service(repo, from_year)
    with user_errors():
        result = service.new_plan(year, carry)
    typer.echo(f"{result.short} {result.subject}")
