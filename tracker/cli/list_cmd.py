"""``tracker list [QUERY] --by task|requirement|assignment --format table|json|csv``."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.csv_headers import csv_headers
from tracker.cli.plan_source import (
    AsOfOption,
    FormatOption,
    PlanOption,
    QueryArgument,
    RepoOption,
    check_format,
    fail,
    load_source,
    parse_as_of,
    parse_query,
    terminal_width,
    write_json,
    write_text,
)
from tracker.i18n import is_english, t
from tracker.listing import BY_CHOICES, csv_keys, list_rows, table_columns
from tracker.tabular import render_table, to_csv

HELP = t(
    "列出任务、要求或各单位的条目,可用查询筛选。\n\n"
    "查询示例: unit:市发改局 status:in_progress role:lead due<2019-09-01 overdue due-within:30 "
    "section:一 group:各镇(街区) task:5..9 text:征地;中文字段: 单位 状态 角色 任务 文本 分组 板块 时限 逾期;"
    "“-”排除,“or”表示或;单位可写拼音首字母(fgj = 市发改局)。",
    "List tasks, requirements or each unit's assignments, filtered by a query.\n\n"
    "Query examples: unit:市发改局 status:in_progress role:lead due<2019-09-01 overdue due-within:30 "
    "section:一 group:各镇(街区) task:5..9 text:征地; Chinese field names work too; '-' negates, 'or' "
    "gives alternatives; units by pinyin initials (fgj = 市发改局).",
)


def list_command(
    query: QueryArgument = None,
    by: Annotated[str, typer.Option("--by", metavar="task|requirement|assignment",
                                          help=t("每行一个: task(任务)、requirement(要求)、assignment(单位条目)",
                                                 "one row per task, requirement or assignment"))] = "task",
    fmt: FormatOption = "table",
    as_of: AsOfOption = None,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    by_value = by.strip().lower()
    if by_value not in BY_CHOICES:
        fail(t(f"--by 只能是 {'、'.join(BY_CHOICES)},不是 {by!r}", f"--by must be one of {', '.join(BY_CHOICES)}, not {by!r}"), 2)
    fmt_value = check_format(fmt)
    today = parse_as_of(as_of)
    source = load_source(repo, plan, tasks=())  # plan, units, operators: the index has the tasks
    parsed, ctx = parse_query(query, source, today)
    rows = None
    if source.store is not None and source.commit is not None:
        from tracker.indexed_listing import indexed_rows

        rows = indexed_rows(source.store, source.year, source.commit, source.loaded.plan.info, parsed, by_value, ctx)
    if rows is None:
        source = load_source(repo, plan)
        rows = list_rows(source.loaded.plan, parsed, by_value, ctx)
    if fmt_value == "json":
        write_json(rows)
    elif fmt_value == "csv":
        keys = csv_keys(by_value)
        write_text(to_csv(keys, rows, headers=csv_headers(keys)))
    else:
        if not rows:
            typer.echo(t("没有符合条件的条目。", "Nothing matches."), err=True)
            return
        write_text(render_table(table_columns(by_value, is_english()), rows, terminal_width(),
                                yes=t("是", "yes")) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``list`` to the app."""
    app.command("list", help=HELP, short_help=t("列出任务、要求或单位条目", "list tasks, requirements or assignments"))(
        list_command)
