"""``tracker undo COMMIT``: revert one commit's field changes with a new, permission-checked commit.

The rules (ancestry, which changes can be undone, the inverse changes) are :meth:`Service.undo`'s.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.plan_source import PlanOption, RepoOption
from tracker.cli.store_common import open_service, user_errors
from tracker.i18n import t


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
    with user_errors():
        result = service.undo(commit)
    typer.echo(f"{result.short} {result.subject}")


__all__ = ["undo"]
