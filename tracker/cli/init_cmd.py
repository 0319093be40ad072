"""``tracker init``: create a store holding the bundled plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.store_common import user_errors
from tracker.i18n import t
from tracker.operators import current_login
from tracker.store import Store


def init(
    path: Annotated[Path, typer.Argument(metavar="PATH", help=t("新数据仓库的目录", "folder of the new store"))],
    plan: Annotated[int, typer.Option("--plan", metavar="YEAR", help=t("计划年度", "plan year"))] = 2019,
    bare: Annotated[bool, typer.Option("--bare", help=t("建成裸仓库(服务器用)", "a bare repository (for a server)"))] = False,
    shared: Annotated[
        str | None,
        typer.Option("--shared", metavar="GROUP", show_default=False,
                     help=t("让该 Unix 用户组的成员都能写入", "make the store writable by this Unix group")),
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option("--source", metavar="DIR", show_default=False,
                     help=t("从此目录的任务文件建库(默认: 随附的计划)", "task folder to start from (default: the bundled plan)")),
    ] = None,
) -> None:
    """新建数据仓库:随附的计划放在 plan/年度 分支上,当前账号为管理员。"""
    with user_errors():
        store = Store.init(path, year=plan, bare=bare, shared_group=shared, source=source)
    kind = t("裸数据仓库", "bare store") if store.bare else t("数据仓库", "store")
    typer.echo(t(
        f"已新建{kind} {store.path}: {plan} 年计划在分支 plan/{plan},管理员 {current_login()}",
        f"created {kind} {store.path}: the {plan} plan on branch plan/{plan}, admin {current_login()}",
    ))
