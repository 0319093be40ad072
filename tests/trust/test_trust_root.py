"""The trust root: signatures checked against tasks/allowed_signers, rights judged by the accepted state before.

The attacker works with plain git: commits authored as the admin, junk ``gpgsig``
headers, an orphan ``plan/2098`` making themselves admin; ``verify`` and the hook
report each with its exact line, while the tracker's own signed commits stay clean.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.audit.helpers import NDRC, OFFICE
from tracker.cli import app
from tracker.hooks import install_pre_receive
from tracker.operators import Operator, add_operator
from tracker.store import Store
from tracker.verify import BAD_SIGNATURE, UNSIGNED

GIT = ["git", "-c", "core.hooksPath=/dev/null", "-c", "user.useConfigOnly=false"]
AS_ADMIN = {"GIT_AUTHOR_NAME": "管理员", "GIT_AUTHOR_EMAIL": "admin@zwgk.local",
            "GIT_COMMITTER_NAME": "管理员", "GIT_COMMITTER_EMAIL": "admin@zwgk.local"}
AS_ZHANGSAN = {"GIT_AUTHOR_NAME": "张三", "GIT_AUTHOR_EMAIL": "zhangsan@zwgk.local",
               "GIT_COMMITTER_NAME": "张三", "GIT_COMMITTER_EMAIL": "zhangsan@zwgk.local"}


def git(where: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full = {**os.environ, **(env or {})}
    return subprocess.run([*GIT, "-C", str(where), *args], capture_output=True, text=True, check=True,
                          env=full).stdout.strip()


def tracker(*args: str) -> object:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _set_status(work: Path, unit: str, status: str) -> None:
    path = work / "tasks" / "05.toml"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f'[requirements.1.units."{unit}"]')
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("status = "):
            lines[i] = f'status = "{status}"'
            break
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def signed_store(cli, store: Store) -> Store:
    """The store with its own key listed in the trust root (signing on)."""
    result = cli("admin", "doctor", "--allow-signer", "store")
    assert result.exit_code == 0, result.output
    assert cli("zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中").exit_code == 0
    assert cli("admin", "verify").exit_code == 0
    return store


def _finding(output: str, commit: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(commit[:12])]


def test_plumbing_commit_as_admin_and_the_rights_it_tried_to_grant(cli, signed_store: Store) -> None:
    work = signed_store.path
    ops = work / "tasks" / "operators.toml"
    ops.write_text(add_operator(ops.read_text(encoding="utf-8"), Operator("zhangsan", "张三", (NDRC,), "admin")),
                   encoding="utf-8")
    git(work, "commit", "-q", "-am", "操作员 zhangsan: 设为管理员", env=AS_ADMIN)
    grant = git(work, "rev-parse", "HEAD")
    _set_status(work, OFFICE, "done")  # another unit's assignment, by the new "admin"
    git(work, "commit", "-q", "-am", "改", env=AS_ZHANGSAN)
    used = git(work, "rev-parse", "HEAD")
    result = cli("auditor", "verify")
    assert result.exit_code == 1
    assert _finding(result.stdout, grant) == [f"{grant[:12]} admin(管理员) 签名: {UNSIGNED}"]
    assert f"{used[:12]} zhangsan(张三) 任务5.1 {OFFICE} status: 操作员 zhangsan 只负责 {NDRC},无权修改 {OFFICE} 的分工" \
        in _finding(result.stdout, used)
    english = tracker("--lang", "en", "verify", "--repo", str(work))
    assert english.exit_code == 1


def test_junk_signature_header_is_reported(cli, signed_store: Store) -> None:
    work = signed_store.path
    tip = signed_store.tip(2019)
    raw = git(work, "cat-file", "commit", tip) + "\n"
    head, _, body = raw.partition("\n\n")
    kept = [line for line in head.split("\n") if not line.startswith(("gpgsig", " "))]
    forged = "\n".join(kept).replace("1 +0800", "1 +0800") + \
        "\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lHAAAAAQ==\n -----END SSH SIGNATURE-----\n\n" + body
    _set_status(work, NDRC, "done")
    git(work, "add", "-A")
    tree = git(work, "write-tree")
    forged = forged.replace(kept[0], f"tree {tree}", 1).replace(f"parent {kept[1].split()[1]}", f"parent {tip}", 1)
    oid = subprocess.run([*GIT, "-C", str(work), "hash-object", "-t", "commit", "-w", "--stdin"], input=forged,
                         capture_output=True, text=True, check=True).stdout.strip()
    git(work, "update-ref", "refs/heads/plan/2019", oid, tip)
    result = cli("auditor", "verify")
    assert result.exit_code == 1
    assert f"{oid[:12]} zhangsan(张三) 签名: {BAD_SIGNATURE}" in result.stdout


def test_orphan_plan_branch_is_refused_by_the_hook_and_reported_by_verify(cli, signed_store: Store,
                                                                          tmp_path: Path) -> None:
    hub = tmp_path / "hub.git"
    git(tmp_path, "clone", "-q", "--bare", str(signed_store.path), str(hub))
    install_pre_receive(hub)
    work = tmp_path / "attacker"
    git(tmp_path, "clone", "-q", str(hub), str(work))
    git(work, "checkout", "-q", "--orphan", "plan/2098", "origin/plan/2019")
    ops = work / "tasks" / "operators.toml"
    ops.write_text(add_operator(ops.read_text(encoding="utf-8"), Operator("zhangsan", "张三", (), "admin")),
                   encoding="utf-8")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "2098年计划", env=AS_ZHANGSAN)
    root = git(work, "rev-parse", "HEAD")
    pushed = subprocess.run([*GIT, "-C", str(work), "push", "origin", "plan/2098"], capture_output=True, text=True,
                            check=False)
    assert pushed.returncode != 0
    assert (f"{root[:12]} zhangsan(张三) 新计划分支: 首个提交的作者 zhangsan 不是现有计划的管理员:"
            "新的计划分支只能由管理员建立") in pushed.stderr
    assert f"{root[:12]} zhangsan(张三) 签名: {UNSIGNED}" in pushed.stderr
    # the same branch made in the store itself by a member with plain git
    git(signed_store.path, "fetch", "-q", str(work), "plan/2098:plan/2098")
    result = cli("auditor", "verify", "--all")
    assert result.exit_code == 1
    assert f"{root[:12]} zhangsan(张三) 新计划分支: 首个提交的作者 zhangsan 不是现有计划的管理员" in result.stdout
    # an admin's tracker-made plan passes
    git(signed_store.path, "update-ref", "-d", "refs/heads/plan/2098")
    assert cli("admin", "plan", "new", "2020").exit_code == 0
    assert cli("auditor", "verify", "--all").exit_code == 0


AS_LISI = {"GIT_AUTHOR_NAME": "李四", "GIT_AUTHOR_EMAIL": "lisi@zwgk.local",
           "GIT_COMMITTER_NAME": "李四", "GIT_COMMITTER_EMAIL": "lisi@zwgk.local"}


@pytest.mark.parametrize(("pusher", "refused"), [("zhangsan", True), ("lisi", False), ("admin", False), ("", False)])
def test_the_hook_judges_a_push_by_the_pusher_the_writer_names(store: Store, tmp_path: Path, pusher: str,
                                                               refused: bool) -> None:
    hub = tmp_path / "hub.git"
    git(tmp_path, "clone", "-q", "--bare", str(store.path), str(hub))
    install_pre_receive(hub)
    work = tmp_path / "site"
    git(tmp_path, "clone", "-q", "-b", "plan/2019", str(hub), str(work))
    _set_status(work, OFFICE, "done")  # lisi's own unit: the author may, the question is who pushes it
    git(work, "commit", "-q", "-am", "李四填报", env=AS_LISI)
    commit = git(work, "rev-parse", "HEAD")
    env = {**os.environ, "TRACKER_PUSHER": pusher}
    pushed = subprocess.run([*GIT, "-C", str(work), "push", "origin", "plan/2019"], capture_output=True, text=True,
                            check=False, env=env)
    assert (pushed.returncode != 0) == refused, pushed.stderr
    line = f"{commit[:12]} lisi(李四) 推送者: 推送者 zhangsan 不是管理员,不能推送他人(lisi)的提交"
    assert (line in pushed.stderr) == refused


def test_a_pusher_name_is_believed_only_from_the_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.hooks.pre_receive import pusher_login

    monkeypatch.setenv("TRACKER_PUSHER", "admin")
    assert pusher_login(tmp_path) == "admin"  # this account owns the folder: it is the writer
    monkeypatch.setattr(os, "geteuid", lambda: tmp_path.stat().st_uid + 1)
    assert pusher_login(tmp_path) is None  # anyone else pushing may set the variable to any name
