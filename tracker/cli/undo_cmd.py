"""``tracker undo COMMIT``: revert one commit's field changes with a new, permission-checked commit."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.plan_source import PlanOption, RepoOption, fail
from tracker.cli.store_common import open_service, user_errors
from tracker.git.log import commit_changes, is_ancestor, log_commits
from tracker.history import files_events, inverse_changes
from tracker.i18n import t
from tracker.service import Change


def undo(
    commit: Annotated[
        str,
        typer.Argument(
            metavar="COMMIT",
            help=t("要撤销的提交(history 中的提交号)", "the commit to revert (id from history)"),
        ),
    ],
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """撤销一个提交:逐字段改回原值,作为一个新提交(从不改写历史);之后又被改过的字段算冲突。"""
    service = open_service(repo, plan)
    git = service.store.repo
    with user_errors():
        sha = git.rev_parse(commit)
        if sha is None:
            fail(t(f"找不到提交 {commit!r}", f"no such commit: {commit!r}"))
        tip = service.store.tip(service.year)
        if not is_ancestor(git, sha, tip):
            fail(
                t(
                    f"提交 {sha[:10]} 不在 plan/{service.year} 上",
                    f"commit {sha[:10]} is not on plan/{service.year}",
                )
            )
        [info] = log_commits(git, [sha], max_count=1)
        if len(info.parents) != 1:
            fail(
                t(
                    "只能撤销普通提交(不能撤销首个提交或合并提交)",
                    "only an ordinary commit can be undone (not a root or merge commit)",
                )
            )
        [(before, after)] = commit_changes(git, [info])
    inverses, refused = inverse_changes(files_events(before, after))
    if refused:
        what = "、".join(
            dict.fromkeys(
                f"{c.task or c.path}{'.' + c.requirement if c.requirement else ''} {c.field}" for c in refused
            )
        )
        fail(
            t(
                f"此提交还改了不能逐字段撤销的内容({what}),请管理员手工处理",
                f"this commit also changed what cannot be undone field by field ({what}); ask an admin",
            )
        )
    if not inverses:
        fail(t("此提交没有可撤销的修改", "this commit changed nothing that can be undone"))
    changes = [Change(i.task, i.requirement, i.unit, i.field, i.value, i.expected) for i in inverses]
    with user_errors():
        result = service.apply(changes, subject_prefix=f"撤销 {sha[:10]}: ", extra_trailers=[("Undo", sha)])
    typer.echo(f"{result.short} {result.subject}")


__all__ = ["undo"]
