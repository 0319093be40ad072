"""``tracker doctor``: what in a store lets someone other than its writer change what the tracker trusts.

Checked: who may write the repository's folders, its config, ``info/attributes``,
hooks (a bare remote's ``hooks/pre-receive`` made with ``git init --shared=group``
is group-writable), the lock folder and the writer's own folder (published tips,
signing key); every file and folder of the derived data in ``tracker-cache/``
(owner, who may write it, query indexes describing another tree than their branch:
:mod:`tracker.cache_owner`), each with what it means and the one command that fixes
it; and every branch against the tips the writer published (:mod:`tracker.published`).
The writer is the account owning the git dir.
"""

from __future__ import annotations

import os
import pwd
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

from tracker.cache_owner import CACHE_DIR
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
    ("tracker-locks", "占住或伪造写入锁", "hold or forge the writer lock"),
    (WRITER_DIR, "改写已发布版本记录、读取签名私钥", "rewrite the published-tips record, read the signing key"),
)


@dataclass(frozen=True)
class Problem:
    """One unsafe thing ``doctor`` found: where, and what it lets someone do."""

    path: str
    why: str
    fix: str = ""  # the one command that fixes it, when there is one

    def line(self) -> str:
        """``path: why`` on one line (and ``; fix: COMMAND``)."""
        text = f"{self.path}: {self.why}" if self.path else self.why
        return text + t(f";修复: {self.fix}", f"; fix: {self.fix}") if self.fix else text


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
    for name in ("hooks", WRITER_DIR):
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
    return problems + cache_problems(repo)


# More findings than this in the cache are summed up in one line (an old shared store has thousands).
_CACHE_SHOWN = 20


def cache_problems(repo: RefStore) -> list[Problem]:
    """Everything in ``GITDIR/tracker-cache/`` a reader will not believe, and stale query indexes.

    The cache is derived data: removing any of it is always safe (the writer rebuilds it on
    its next run), so each finding's fix is the ``rm`` of what is wrong.
    """
    git_dir = repo.git_dir
    root = git_dir / CACHE_DIR
    writer = git_dir.stat().st_uid
    found: list[Problem] = []
    if root.is_symlink() or root.exists():
        found += _cache_check(root, writer)
    if root.is_dir() and not root.is_symlink():
        for here, dirs, files in os.walk(root):
            for name in sorted([*dirs, *files]):
                found += _cache_check(Path(here) / name, writer)
    problems = found[:_CACHE_SHOWN]
    if len(found) > _CACHE_SHOWN:
        rest = len(found) - _CACHE_SHOWN
        problems.append(Problem(str(root), t(
            f"另有 {rest} 个文件或文件夹同上(缓存是派生数据,整个删掉即可,写入账号下次运行时重建)",
            f"{rest} more files or folders as above (the cache is derived data: remove it whole, the writer "
            "rebuilds it on its next run)"), _rm(root)))
    return problems + _stale_indexes(repo)


def _rm(path: Path) -> str:
    return f"rm -rf {shlex.quote(str(path))}"


def _account(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name}(uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _cache_check(path: Path, writer: int) -> list[Problem]:
    try:
        st = path.lstat()
    except OSError:
        return []
    if stat.S_ISLNK(st.st_mode):
        return [Problem(str(path), t(
            "是符号链接:缓存可能指向别处的伪造内容,读者不采信",
            "is a symbolic link: the cache may point at forged data elsewhere; readers ignore it"), _rm(path))]
    if st.st_uid != writer:
        who = _account(st.st_uid)
        return [Problem(str(path), t(
            f"属于账号 {who},不是写入账号 {_account(writer)}:缓存可能被伪造,读者不采信,写入账号也无法重建",
            f"owned by {who}, not the writer {_account(writer)}: the cache may be forged; readers ignore it and "
            "the writer cannot rebuild it"), _rm(path))]
    if st.st_mode & 0o022:
        who = t("任何账号", "any account") if st.st_mode & stat.S_IWOTH else t("组内账号", "group members")
        return [Problem(str(path), t(
            f"{who}可写:能伪造缓存(列表、详情、报表、历史显示提交里没有的内容);读者不采信,写入账号下次运行时重建",
            f"writable by {who}: they can forge the cache (list, show, reports and history would show what no "
            "commit holds); readers ignore it, the writer rebuilds it on its next run"), _rm(path))]
    return []


def _stale_indexes(repo: RefStore) -> list[Problem]:
    """Query indexes that do not describe their plan branch's ``tasks/`` tree (or cannot be read)."""
    import sqlite3  # noqa: PLC0415 - only when an index exists

    from tracker.plan_index import INDEX_DIR, INDEX_VERSION  # noqa: PLC0415

    problems = []
    for path in sorted((repo.git_dir / INDEX_DIR).glob("plan-*.sqlite")):
        year = path.name[len("plan-") : -len(".sqlite")]
        if not year.isdigit() or path.is_symlink():
            continue
        fix = f"rm -f {shlex.quote(str(path))}"
        proc = repo.run("rev-parse", "--verify", "-q", f"refs/heads/plan/{year}:tasks", check=False)
        branch_tree = proc.stdout.decode().strip() if proc.returncode == 0 else None
        if branch_tree is None:
            problems.append(Problem(str(path), t(
                f"没有 plan/{year} 分支,这个查询索引已无用", f"there is no branch plan/{year}: this query index is unused"),
                fix))
            continue
        try:
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            try:
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            finally:
                db.close()
        except sqlite3.Error:
            meta = {}
        tree = meta.get("tree")
        if meta.get("version") != str(INDEX_VERSION) or not isinstance(tree, str):
            problems.append(Problem(str(path), t(
                "查询索引无法读取或格式不对:读者不使用它,写入账号下次运行时重建",
                "the query index cannot be read or has another format: readers do not use it, the writer "
                "rebuilds it on its next run"), fix))
        elif tree != branch_tree:
            problems.append(Problem(str(path), t(
                f"查询索引描述的是 tasks 树 {tree[:12]},分支 plan/{year} 现在是 {branch_tree[:12]}:"
                "读者不使用它(从计划本身读),写入账号下次运行时更新",
                f"the query index describes tasks tree {tree[:12]}, branch plan/{year} is now at "
                f"{branch_tree[:12]}: readers do not use it (they read the plan itself), the writer updates "
                "it on its next run"), fix))
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
