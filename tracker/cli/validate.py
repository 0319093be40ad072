"""``tracker validate [PATH]``: every problem in a folder of plan files, as ``file:line: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.importer.validate import validate_folder


def default_folder() -> Path:
    """``./tasks`` when there is one (a store's working tree, a checkout), else the current folder."""
    here = Path.cwd()
    return Path("tasks") if (here / "tasks").is_dir() else Path(".")


def validate(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="计划目录(按 tasks/ 的布局);默认是当前目录下的 tasks/,没有则是当前目录", show_default=False
        ),
    ] = None,
) -> None:
    """检查计划文件:TOML 格式、状态、单位、任务编号、日期;逐条列出 文件:行: 问题。"""
    folder = path if path is not None else default_folder()
    if not folder.is_dir():
        typer.echo(f"{folder}: 不是目录", err=True)
        raise typer.Exit(1)
    problems, task_files = validate_folder(folder)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"发现 {len(problems)} 个问题({task_files} 个任务文件)", err=True)
        raise typer.Exit(1)
    if task_files == 0:
        typer.echo(f"{folder}: 没有任务文件", err=True)
        raise typer.Exit(1)
    typer.echo(f"没有发现问题({task_files} 个任务文件)")
