"""``tracker doctor``: report what lets someone other than the writer change what the tracker trusts."""

from __future__ import annotations

import typer

from tracker.cli.plan_source import RepoOption, fail
from tracker.cli.store_common import open_store, user_errors
from tracker.doctor import diagnose
from tracker.git.repo import GitRepo
from tracker.git.runner import NotARepository
from tracker.i18n import t


def doctor(repo: RepoOption = None) -> None:
    """检查数据仓库:权限(仓库、配置、钩子、缓存)与被回退的分支;有问题则退出码 1。"""
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


__all__ = ["doctor"]
