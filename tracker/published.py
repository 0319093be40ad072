"""The writer's append-only record of every branch tip it published, and finding rewound branches.

The record lives in ``GITDIR/tracker-writer/`` (made by the writer, mode 0755, files
0644): nobody but the writer account may write there. ``published.log`` gets one
line ``REF OID`` per ref move, appended and never rewritten; a branch that no longer
contains the last tip recorded for it was rewound (``git reset``, ``update-ref``)
or deleted by someone outside the tracker, and the commits after that tip are gone
from it. The writer refuses to build on such a branch (:class:`Rewound`), and
``verify`` and ``doctor`` report it.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from tracker.errors import ServiceError
from tracker.git.files import PRIVATE_DIR
from tracker.git.log import is_ancestor
from tracker.git.runner import HEX_OID, GitRunner
from tracker.i18n import t

WRITER_DIR = PRIVATE_DIR
LOG_NAME = "published.log"


def writer_dir(repo: GitRunner) -> Path:
    """``GITDIR/tracker-writer``: what only the writer account writes."""
    return repo.git_dir / WRITER_DIR


def ensure_writer_dir(repo: GitRunner) -> Path | None:
    """Create the writer's folder (0755, never group-writable); None when this account may not."""
    folder = writer_dir(repo)
    try:
        folder.mkdir(mode=0o755, exist_ok=True)
        if folder.stat().st_uid == os.geteuid():
            os.chmod(folder, 0o755)
    except OSError:
        return None
    return folder


def record(repo: GitRunner, ref: str, oid: str) -> None:
    """Append ``REF OID`` to the record (silently nothing for an account that may not write it)."""
    folder = ensure_writer_dir(repo)
    if folder is None or not HEX_OID.match(oid):
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{ref} {oid}\n".encode())
        finally:
            os.close(fd)


def published_tips(repo: GitRunner) -> dict[str, str]:
    """``{ref: last published tip}`` from the record (empty when there is none)."""
    try:
        text = (writer_dir(repo) / LOG_NAME).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    tips: dict[str, str] = {}
    for line in text.splitlines():
        ref, _, oid = line.partition(" ")
        if ref.startswith("refs/heads/") and HEX_OID.match(oid):
            tips[ref] = oid
    return tips


def first_published(repo: GitRunner) -> str | None:
    """The first plan branch the writer ever published (the store's first plan), or None."""
    try:
        with open(writer_dir(repo) / LOG_NAME, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                ref = line.partition(" ")[0]
                if ref.startswith("refs/heads/plan/"):
                    return ref
    except OSError:
        return None
    return None


@dataclass(frozen=True)
class RewoundBranch:
    """A branch that no longer contains a tip the writer published."""

    ref: str
    published: str
    current: str | None  # None: the branch was deleted

    def line(self) -> str:
        """One line for ``verify`` and ``doctor``."""
        branch = self.ref.removeprefix("refs/heads/")
        if self.current is None:
            return t(
                f"分支 {branch} 已被删除:写入账号发布过的版本 {self.published[:12]} 不在任何计划分支上",
                f"branch {branch} was deleted: the published tip {self.published[:12]} is on no plan branch",
            )
        return t(
            f"分支 {branch} 被回退:写入账号发布过的版本 {self.published[:12]} 已不在分支上"
            f"(现在指向 {self.current[:12]}),之后的提交被人用 git reset 或 update-ref 删掉了",
            f"branch {branch} was rewound: the published tip {self.published[:12]} is no longer on it"
            f" (now {self.current[:12]}); the commits after it were removed with git reset or update-ref",
        )


def check_branch(repo: GitRunner, ref: str, current: str | None, tips: dict[str, str] | None = None) -> RewoundBranch | None:
    """The rewind of ``ref`` (now at ``current``), or None when it still holds its published tip."""
    tip = (published_tips(repo) if tips is None else tips).get(ref)
    if tip is None or tip == current:
        return None
    if current is not None and is_ancestor(repo, tip, current):
        return None
    return RewoundBranch(ref, tip, current)


def rewound_branches(repo: GitRunner, refs: dict[str, str]) -> list[RewoundBranch]:
    """Every recorded branch that no longer contains its published tip (``refs``: ref -> tip now)."""
    tips = published_tips(repo)
    found = []
    for ref in sorted(tips):
        if not ref.startswith("refs/heads/plan/"):
            continue
        problem = check_branch(repo, ref, refs.get(ref), tips)
        if problem is not None:
            found.append(problem)
    return found


class Rewound(ServiceError):
    """The branch a write would build on was rewound behind the writer's back."""

    def __init__(self, problem: RewoundBranch) -> None:
        self.problem = problem
        branch = problem.ref.removeprefix("refs/heads/")
        super().__init__(
            problem.line()
            + t(
                f"。为免在被删改的历史上继续写入,本次未提交。请管理员用 tracker doctor 查看,"
                f"核实后恢复: git update-ref refs/heads/{branch} {problem.published}",
                f". Nothing was committed on the altered history. An admin should run tracker doctor"
                f" and, once checked, restore it: git update-ref refs/heads/{branch} {problem.published}",
            )
        )
