"""``tracker doctor``: what in a store lets someone other than its writer change what the tracker trusts.

Checked: who may write the repository's folders, its config, ``info/attributes``,
hooks (a bare remote's ``hooks/pre-receive`` made with ``git init --shared=group``
is group-writable), the parsed-task cache, the lock folder and the writer's own
folder (published tips, signing key); and every branch against the tips the writer
published (:mod:`tracker.published`). The writer is the account owning the git dir.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tracker.git.refs import RefStore
from tracker.i18n import t
from tracker.published import WRITER_DIR, rewound_branches

# folders and files under the git dir, with what a writable one lets a stranger do
_PLACES: tuple[tuple[str, str, str], ...] = (
    ("", "改写历史、分支和配置", "rewrite history, branches and config"),
    ("config", "让下一次 git 运行他的命令(过滤器、ssh 命令)", "make the next git run their command (filters, ssh command)"),
    ("info", "加入属性(过滤器、合并驱动)", "add attributes (filters, merge drivers)"),
    ("info/attributes", "加入属性(过滤器、合并驱动)", "add attributes (filters, merge drivers)"),
    ("hooks", "放入以推送者身份运行的钩子", "plant hooks that run as whoever pushes"),
    ("objects", "替换对象", "replace objects"),
    ("refs", "回退或删除分支", "rewind or delete branches"),
    ("refs/heads", "回退或删除分支", "rewind or delete branches"),
    ("packed-refs", "回退或删除分支", "rewind or delete branches"),
    ("tracker-cache", "伪造解析缓存(列表、详情、报表显示提交里没有的内容)", "forge the parse cache"),
    ("tracker-locks", "占住或伪造写入锁", "hold or forge the writer lock"),
    (WRITER_DIR, "改写已发布版本记录、读取签名私钥", "rewrite the published-tips record, read the signing key"),
)


@dataclass(frozen=True)
class Problem:
    """One unsafe thing ``doctor`` found: where, and what it lets someone do."""

    path: str
    why: str

    def line(self) -> str:
        """``path: why`` on one line."""
        return f"{self.path}: {self.why}" if self.path else self.why


def _who_else(st: os.stat_result, owner: int) -> str | None:
    """Who besides the writer may write this (a label), or None."""
    if st.st_mode & stat.S_IWOTH:
        return t("任何账号", "any account")
    if st.st_mode & stat.S_IWGRP:
        return t("组内账号", "group members")
    if st.st_uid != owner:
        return t(f"账号 uid {st.st_uid}(不是写入账号)", f"uid {st.st_uid} (not the writer)")
    return None


def permission_problems(repo: RefStore) -> list[Problem]:
    """Files and folders of the store that someone other than the writer may write."""
    git_dir = repo.git_dir
    owner = git_dir.stat().st_uid
    problems: list[Problem] = []
    for rel, zh, en in _PLACES:
        path = git_dir / rel if rel else git_dir
        problems += _check(path, owner, t(zh, en))
    for name in ("hooks", "tracker-cache", WRITER_DIR):
        folder = git_dir / name
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            for entry in [*dirs, *files]:
                path = Path(root) / entry
                if path.name.endswith(".sample"):
                    continue
                zh, en = dict((p, (z, e)) for p, z, e in _PLACES)[name]
                problems += _check(path, owner, t(zh, en))
    if repo.work_tree is not None:
        problems += _check(repo.work_tree, owner, t("改动检出的文件", "change the checked-out files"))
    return problems


def _check(path: Path, owner: int, what: str) -> list[Problem]:
    try:
        st = path.lstat()
    except OSError:
        return []
    if stat.S_ISLNK(st.st_mode):
        return [Problem(str(path), t("是符号链接,指向仓库之外", "is a symbolic link"))]
    who = _who_else(st, owner)
    if who is None:
        return []
    return [Problem(str(path), t(f"{who}可写,能{what}", f"writable by {who}: they can {what}"))]


def diagnose(repo: RefStore) -> list[Problem]:
    """Every problem ``doctor`` reports: unsafe permissions, then rewound or deleted branches."""
    problems = permission_problems(repo)
    refs = repo.refs("refs/heads/plan")
    problems += [Problem("", r.line()) for r in rewound_branches(repo, refs)]
    return problems
