"""A group member with a shell attacks a ``--shared`` store with plain git; the tracker refuses or reports.

Runs as root (CI does): a real Unix account is made in a new group, the store is
shared with that group, and the member runs plain ``git`` as themselves
(``runuser``). The office's tracker runs in this process. Each test checks the
exact message a user sees. The account and group are removed afterwards.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.audit.helpers import NDRC
from tracker.cli import app
from tracker.git.files import share_with_group
from tracker.published import Rewound
from tracker.service import Change, Service
from tracker.store import Store

pytestmark = pytest.mark.slow
GIT = ["git", "-c", "core.hooksPath=/dev/null"]


@pytest.fixture
def member(store: Store) -> Iterator[tuple[str, Path]]:
    """(login, shared store path): a new account in a new group that shares a copy of the store."""
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能创建测试账号(CI 以 root 运行此测试)")
    tag = secrets.token_hex(3)
    group, user = f"trg{tag}", f"trm{tag}"
    subprocess.run(["groupadd", group], check=True)
    subprocess.run(["useradd", "-M", "-N", "-g", group, "-s", "/bin/sh", "-d", "/tmp", user], check=True)
    top = Path(tempfile.mkdtemp(prefix="trust-", dir="/tmp"))
    os.chmod(top, 0o755)
    shared = top / "store"
    shutil.copytree(store.path, shared, symlinks=True)
    subprocess.run([*GIT, "-C", str(shared), "config", "core.sharedRepository", "group"], check=True)
    share_with_group(shared, grp.getgrnam(group).gr_gid)
    try:
        yield user, shared
    finally:
        shutil.rmtree(top, ignore_errors=True)
        subprocess.run(["userdel", user], check=False)
        subprocess.run(["groupdel", group], check=False)


def as_member(user: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Plain git (or a shell command) run by the member account."""
    if args[0] == "git":  # the member's own git would stop at root's ownership; one option gets past it
        args = ("git", "-c", "safe.directory=*", *args[1:])
    return subprocess.run(["/usr/sbin/runuser", "-u", user, "--", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"}, check=True)


def _office_sets(path: Path, status: str = "done") -> str:
    store = Store.open(path)
    result = Service(store, store.operator("admin"), 2019).apply(
        [Change(5, "1", NDRC, "status", status)], on_behalf_of=NDRC)
    assert result.commit
    return result.commit


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_planted_smudge_filter_is_not_run_and_doctor_names_the_config(member, tmp_path: Path) -> None:
    user, path = member
    mark = path.parent / "PWNED"
    as_member(user, "git", "config", "filter.evil.smudge", f"touch {mark}; cat", cwd=path)
    as_member(user, "sh", "-c", "echo '* filter=evil' > .git/info/attributes", cwd=path)
    _office_sets(path)
    assert not mark.exists()
    result = _run("doctor", "--repo", str(path))
    assert result.exit_code == 1
    config = path / ".git" / "config"
    assert f"{config}: 组内账号可写,能让下一次 git 运行他的命令(过滤器、ssh 命令)" in result.stdout
    english = _run("--lang", "en", "doctor", "--repo", str(path))
    assert f"{config}: writable by group members: they can make the next git run their command" in english.stdout


def test_rewind_by_a_member_is_refused_and_reported(member) -> None:
    user, path = member
    _office_sets(path, "in_progress")
    published = _office_sets(path, "done")
    as_member(user, "git", "reset", "-q", "--hard", "plan/2019~1", cwd=path)
    now = Store.open(path).tip(2019)
    assert now != published
    rewound = (f"分支 plan/2019 被回退:写入账号发布过的版本 {published[:12]} 已不在分支上"
               f"(现在指向 {now[:12]}),之后的提交被人用 git reset 或 update-ref 删掉了")
    verify = _run("verify", "--repo", str(path))
    assert verify.exit_code == 1
    assert rewound in verify.stdout
    doctor = _run("doctor", "--repo", str(path))
    assert rewound in doctor.stdout
    with pytest.raises(Rewound) as refused:
        _office_sets(path, "blocked")
    assert str(refused.value).startswith(rewound + "。为免在被删改的历史上继续写入,本次未提交。")
    assert "手工修改" not in str(refused.value)
    assert Store.open(path).tip(2019) == now  # nothing was built on the rewound branch
    as_member(user, "git", "update-ref", "-d", "refs/heads/plan/2019", cwd=path)
    doctor = _run("doctor", "--repo", str(path))
    assert f"分支 plan/2019 已被删除:写入账号发布过的版本 {published[:12]} 不在任何计划分支上" in doctor.stdout


def test_forged_cache_entry_is_not_believed(member) -> None:
    user, path = member
    _office_sets(path, "in_progress")
    store = Store.open(path)
    snap = store.snapshot(2019)
    oid = next(o for rel, o in snap.blobs.items() if rel.endswith("05.toml"))
    entry = store._entry_path("tasks", oid)
    data = json.loads(entry.read_bytes())
    for req in data["task"]["requirements"]:
        for a in req["assignments"]:
            a["status"] = "done"
    forged = path.parent / "forged.json"
    forged.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.chmod(forged, 0o644)
    # the member cannot write the office's entry; in a store made before the cache was the
    # writer's alone, its folder is group-writable, so the member may replace the entry there
    os.chmod(entry.parent, 0o2775)
    os.chown(entry.parent, -1, os.stat(path / ".git").st_gid)
    as_member(user, "sh", "-c", f"cp {forged} {entry}.new && chmod 644 {entry}.new && mv -f {entry}.new {entry}",
              cwd=path)
    assert pwd.getpwuid(entry.stat().st_uid).pw_name == user
    fresh = Store.open(path).load(2019)
    task = fresh.plan.tasks[5]
    assert task.requirements[0].assignments[NDRC].status.value == "in_progress"
    assert entry.stat().st_uid == os.geteuid()  # rebuilt by the writer (this account) from the blob
    assert entry.parent.stat().st_mode & 0o7777 == 0o755  # and its folder the writer's alone again


def test_shared_bare_remote_hook_is_reported(member, tmp_path: Path) -> None:
    user, path = member
    group = grp.getgrgid(os.stat(path / ".git").st_gid).gr_name
    hub = path.parent / "hub.git"
    subprocess.run([*GIT, "init", "-q", "--bare", "--shared=group", str(hub)], check=True)
    subprocess.run(["chgrp", "-R", group, str(hub)], check=True)
    subprocess.run([*GIT, "-C", str(path), "push", "-q", str(hub), "plan/2019"], check=True)
    assert _run("hook", "install", str(hub)).exit_code == 0
    result = _run("doctor", "--repo", str(hub))
    assert result.exit_code == 1
    assert f"{hub / 'hooks' / 'pre-receive'}: 组内账号可写,能放入以推送者身份运行的钩子" in result.stdout
