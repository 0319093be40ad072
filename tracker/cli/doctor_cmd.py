"""``tracker doctor``: report what lets someone other than the writer change what the tracker trusts.

Also the signing key's two set-up steps: ``--signing-key`` makes the store's key
(for a store made before keys existed, or a site's clone) and prints its public
line; ``--allow-signer LINE`` (admin) lists a key in the plan's trust root
(``store``: this store's own key), which turns the signature check on.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.plan_source import PlanOption, RepoOption, fail
from tracker.cli.store_common import open_service, open_store, user_errors
from tracker.doctor import diagnose
from tracker.git.repo import GitRepo
from tracker.git.runner import NotARepository
from tracker.i18n import t


def doctor(
    signing_key: Annotated[
        bool, typer.Option("--signing-key", help=t("没有签名密钥时生成一把,并显示公钥", "make the store's signing key if missing and print its public key"))
    ] = False,
    allow_signer: Annotated[
        str | None,
        typer.Option("--allow-signer", metavar="store|KEY", show_default=False,
                     help=t("把 SSH 公钥加入计划的信任根(store 表示本仓库的密钥;仅管理员)",
                            "list an SSH public key in the plan's trust root (store: this store's key; admin only)")),
    ] = None,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """检查数据仓库:权限(仓库、配置、钩子、缓存)与被回退的分支;有问题则退出码 1。"""
    if signing_key or allow_signer is not None:
        _signing(signing_key, allow_signer, plan, repo)
        return
    if repo is None:
        git_repo = open_store(None).repo
    else:
        try:  # a store whose every plan branch was deleted is still examined
            git_repo = GitRepo.open(repo)
        except NotARepository as exc:
            fail(str(exc))
    with user_errors():
        problems = diagnose(git_repo)
    for problem in problems:
        typer.echo(problem.line())
    where = git_repo.top
    if problems:
        typer.echo(t(f"{where}: 发现 {len(problems)} 个问题", f"{where}: {len(problems)} problems"), err=True)
        raise typer.Exit(1)
    typer.echo(t(f"{where}: 未发现问题", f"{where}: no problems found"), err=True)


def _signing(make: bool, allow: str | None, plan: int | None, repo_option: object) -> None:
    from tracker.signing import ensure_key, public_line

    store = open_store(repo_option)  # type: ignore[arg-type]
    if make or allow == "store":
        if ensure_key(store.repo) is None:
            fail(t("不能生成签名密钥:只有写入账号(仓库的所有者)可以", "cannot make the signing key: only the writer (the store's owner) can"))
        typer.echo(public_line(store.repo))
    if allow is not None:
        line = public_line(store.repo) if allow == "store" else allow
        with user_errors():
            result = open_service(repo_option, plan).allow_signer(line or "")  # type: ignore[arg-type]
        typer.echo(result.subject if result.commit else t("该公钥已在信任根中", "that key is listed already"), err=True)


__all__ = ["doctor"]
