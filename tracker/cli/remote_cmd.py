"""``tracker remote add NAME URL`` and ``tracker remote list``: the shared remotes of a site."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker import operators
from tracker.cli.plan_source import FormatOption, RepoOption, check_format, fail, write_json
from tracker.cli.store_common import open_store, user_errors
from tracker.i18n import t
from tracker.sync import SyncError, add_remote, list_remotes

app = typer.Typer(
    help=t("共享远端(多站点同步用):添加、列出", "shared remotes for syncing several sites: add, list"),
    no_args_is_help=True,
)


@app.command("add", help=t("添加共享远端(仅管理员),并登记逐字段合并驱动。",
                                  "Add a shared remote (admin only) and register the field-by-field merge driver."))
def add(
    name: Annotated[str, typer.Argument(metavar="NAME", help=t("远端名称(字母、数字、_、-)", "remote name (letters, digits, _ and -)"))],
    url: Annotated[str, typer.Argument(metavar="URL", help=t(
        "ssh://、https://、file:// 地址,user@host:路径,或绝对路径",
        "an ssh://, https:// or file:// URL, user@host:path, or an absolute path"))],
    repo: RepoOption = None,
) -> None:
    """添加共享远端(仅管理员),并登记逐字段合并驱动。"""
    store = open_store(repo)
    with user_errors():
        operator = store.operator(operators.current_login())
        try:
            done = add_remote(store, operator, name, url)
        except SyncError as exc:
            fail(str(exc))
    typer.echo(t(f"已添加远端 {name}: {url}", f"added remote {name}: {url}"))
    for line in done:
        typer.echo(line)


@app.command("list", help=t("列出已配置的远端。",
                                  "List the configured remotes."))
def list_(fmt: FormatOption = "table", repo: RepoOption = None) -> None:
    """列出已配置的远端。"""
    fmt_value = check_format(fmt)
    store = open_store(repo)
    with user_errors():
        remotes = list_remotes(store)
    if fmt_value == "json":
        write_json([{"name": n, "url": u} for n, u in remotes.items()])
    elif fmt_value == "csv":
        typer.echo("\ufeffname,url")
        for n, u in remotes.items():
            typer.echo(f"{n},{u}")
    elif not remotes:
        typer.echo(t("还没有远端;管理员可运行 tracker remote add 名称 地址", "no remotes yet; an admin can run tracker remote add NAME URL"))
    else:
        width = max(len(n) for n in remotes)
        for n, u in remotes.items():
            typer.echo(f"{n.ljust(width)}  {u}")


__all__ = ["app"]
