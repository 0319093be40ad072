"""``tracker validate [PATH]``: every problem in a folder of plan files, as ``file:line: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.git.runner import find_repository
from tracker.i18n import t
from tracker.importer.validate import Problem, validate_files, validate_folder


def default_folder() -> Path:
    """``./tasks`` when there is one (a store's working tree, a checkout), else the current folder."""
    here = Path.cwd()
    return Path("tasks") if (here / "tasks").is_dir() else Path(".")


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help=t("计划目录(按 tasks/ 的布局);不给时检查数据仓库的计划分支,不在数据仓库中则检查 ./tasks 或当前目录",
                   "a folder laid out as tasks/; without it the store's plan branch is checked, or else ./tasks "
                   "or the current folder"),
            show_default=False,
        ),
    ] = None,
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help=t("数据仓库路径(默认 TRACKER_REPO 或当前目录所在的仓库)",
                                      "store path (default TRACKER_REPO or the store around the current folder)")),
    ] = None,
    plan: Annotated[int | None, typer.Option("--plan", help=t("计划年度(默认最新)", "plan year (default: newest)"))] = None,
) -> None:
    if path is None:
        checked = _validate_store(repo, plan)
        if checked is not None:
            _report(*checked)
            return
    folder = path if path is not None else default_folder()
    if not folder.is_dir():
        typer.echo(t(f"{folder}: 不是目录", f"{folder}: not a folder"), err=True)
        raise typer.Exit(1)
    _report(*validate_folder(folder), where=str(folder))


validate.__doc__ = t(
    "检查计划文件:TOML 格式、状态、单位、任务编号、日期;逐条列出 文件:行: 问题。",
    "Check plan files (TOML, statuses, units, task numbers, dates); one line per problem: file:line: message.",
)


def _validate_store(repo: Path | None, year: int | None) -> tuple[list[Problem], int, str] | None:
    """Problems on a store's plan branch, read at its tip (no checkout).

    None when no store was named and the current folder is in none (or in a git
    repository that holds no plan, like the tracker's own source checkout).
    """
    import os

    from tracker.cli.store_common import open_store, user_errors
    from tracker.store import TASKS_DIR, Store, StoreError, branch_ref

    named = repo is not None or bool(os.environ.get("TRACKER_REPO", "").strip())
    if named:
        store = open_store(repo)
    else:
        found = find_repository(Path.cwd())
        if found is None:
            return None
        try:
            store = Store.open(found[1] or found[0])
            if not store.years():
                return None
        except StoreError:
            return None
    with user_errors():
        chosen = year if year is not None else store.default_year()
        commit = store.tip(chosen)
        entries = store.repo.ls_tree(commit, TASKS_DIR.rstrip("/"))
        rels = [e.path[len(TASKS_DIR):] for e in entries if e.kind == "blob" and e.path.endswith(".toml")]
        files = store.read_files(commit, rels)
    where = branch_ref(chosen).removeprefix("refs/heads/") + ":"
    return (*validate_files(files, prefix=where + TASKS_DIR), where)


def _report(problems: list[Problem], task_files: int, where: str) -> None:
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(t(f"发现 {len(problems)} 个问题({task_files} 个任务文件)",
                     f"{len(problems)} problems ({task_files} task files)"), err=True)
        raise typer.Exit(1)
    if task_files == 0:
        typer.echo(t(f"{where}: 没有任务文件", f"{where}: no task files"), err=True)
        raise typer.Exit(1)
    typer.echo(t(f"没有发现问题({task_files} 个任务文件)", f"no problems found ({task_files} task files)"))
