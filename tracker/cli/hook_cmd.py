"""``tracker hook install BARE_REPO``: the server-side guard of a shared remote."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.plan_source import fail
from tracker.hooks import HookError, install_pre_receive
from tracker.i18n import t

app = typer.Typer(
    help=t("服务器端钩子(共享远程仓库的把关)", "server-side hooks (guarding a shared remote)"),
    no_args_is_help=True,
)


@app.command("install", help=t("安装 pre-receive 钩子:推送的提交按 verify 规则检查,拒绝强制推送和删除计划分支。",
                                  "Install the pre-receive hook: pushed commits are checked by the verify rules; force pushes and deleting plan branches are refused."))
def install(
    bare_repo: Annotated[
        Path, typer.Argument(metavar="BARE_REPO", help=t("共享的(裸)仓库", "the shared (bare) repository"))
    ],
    force: Annotated[
        bool, typer.Option("--force", help=t("替换已有的其他钩子", "replace a hook tracker did not write"))
    ] = False,
) -> None:
    """安装 pre-receive 钩子:推送的提交按 verify 规则检查,拒绝强制推送和删除计划分支。"""
    try:
        target = install_pre_receive(bare_repo, force=force)
    except (HookError, OSError) as exc:
        fail(str(exc))
    typer.echo(t(f"已安装 {target}", f"installed {target}"))


__all__ = ["app"]
