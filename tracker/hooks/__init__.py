"""Server-side git hooks: a ``pre-receive`` hook applying the ``tracker verify`` rules to pushes.

:func:`install_pre_receive` writes ``hooks/pre-receive`` into a (bare) repository;
the script runs :mod:`tracker.hooks.pre_receive` with the Python interpreter that
installed it, so the hook uses the same tracker whatever the pushing account's PATH.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path

MARKER = "# tracker pre-receive hook"
TEMPLATE = """#!/bin/sh
{marker} (installed by `tracker hook install`; reinstall to update)
# Applies the tracker verify rules to pushed commits and refuses force pushes and
# deletions of plan/* branches. Reasons are printed in Chinese for the pusher.
exec {python} -m tracker.hooks.pre_receive
"""


class HookError(RuntimeError):
    """The hook cannot be installed (message in Chinese)."""


def hook_script(python: str | None = None) -> str:
    """The text of the ``pre-receive`` script for ``python`` (default: this interpreter)."""
    return TEMPLATE.format(marker=MARKER, python=shlex.quote(python or sys.executable))


def git_dir_of(repo: Path) -> Path:
    """The git directory of a bare repository or of a work tree's ``.git``.

    Raises:
        HookError: when ``repo`` is not a git repository.
    """
    repo = Path(repo).expanduser().resolve()
    if (repo / "HEAD").is_file() and (repo / "objects").is_dir():
        return repo
    if (repo / ".git" / "HEAD").is_file():
        return repo / ".git"
    raise HookError(f"{repo} 不是 git 仓库")


def install_pre_receive(repo: Path, *, python: str | None = None, force: bool = False) -> Path:
    """Write an executable ``hooks/pre-receive`` into ``repo``; return its path.

    An existing hook that tracker did not write is kept unless ``force``.

    Raises:
        HookError: not a repository, or a foreign hook is in the way.
    """
    git_dir = git_dir_of(repo)
    hooks = git_dir / "hooks"
    hooks.mkdir(exist_ok=True)
    target = hooks / "pre-receive"
    if target.exists() and not force:
        try:
            current = target.read_text(encoding="utf-8", errors="replace")
        except OSError:
            current = ""
        if MARKER not in current:
            raise HookError(f"{target} 已有别的钩子;确认要替换请加 --force")
    shared = bool(git_dir.stat().st_mode & 0o020)
    fd, tmp = tempfile.mkstemp(dir=hooks, prefix=".pre-receive.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(hook_script(python))
        os.chmod(tmp, 0o775 if shared else 0o755)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
