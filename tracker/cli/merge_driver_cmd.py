"""``tracker merge-driver %O %A %B [%P]``: the git merge driver for task files.

git calls it for files marked ``merge=zwgk-toml`` (registered by ``tracker sync``
and ``tracker remote add``). The merged text replaces ``%A``; conflicts are
recorded in the file (see tracker/merge.py), so the exit code is 0 and the
merge commit can be made. Exit 1 only for broken input, leaving ``%A`` as is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.plan_source import fail
from tracker.i18n import t
from tracker.merge import MergeError, merge_texts


def merge_driver(
    base: Annotated[Path, typer.Argument(metavar="%O", help=t("共同祖先版本的临时文件", "the common ancestor's temporary file"))],
    ours: Annotated[Path, typer.Argument(metavar="%A", help=t("本站版本(合并结果写回这里)", "our version (the result is written here)"))],
    theirs: Annotated[Path, typer.Argument(metavar="%B", help=t("对方版本", "their version"))],
    path: Annotated[str, typer.Argument(metavar="%P", help=t("文件在仓库中的路径", "the file's path in the repository"))] = "tasks/unknown.toml",
) -> None:
    """git 合并驱动:逐字段合并任务文件,冲突记录在文件里(供 git 调用)。"""
    try:
        texts = [p.read_bytes().decode("utf-8") for p in (base, ours, theirs)]
    except (OSError, UnicodeDecodeError) as exc:
        fail(t(f"{path}: 无法读取: {exc}", f"{path}: cannot read: {exc}"))
    try:
        result = merge_texts(texts[0], texts[1], texts[2], path)
    except MergeError as exc:
        fail(str(exc))
    tmp = ours.with_name(ours.name + ".tracker-merge")
    tmp.write_bytes(result.text.encode("utf-8"))
    tmp.replace(ours)
    for conflict in result.conflicts:
        typer.echo(t(f"{path}: 冲突已记录: {'.'.join(conflict.path)}", f"{path}: conflict recorded: {'.'.join(conflict.path)}"), err=True)


__all__ = ["merge_driver"]
