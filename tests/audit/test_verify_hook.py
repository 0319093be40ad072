"""``tracker verify`` and the pre-receive hook against hand-made commits and forged trailers."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.audit.conftest import git
from tests.audit.helpers import NDRC, OFFICE
from tracker.messages import parse_trailers

AS_ZHANGSAN = {
    "GIT_AUTHOR_NAME": "张三",
    "GIT_AUTHOR_EMAIL": "zhangsan@zwgk.local",
    "GIT_COMMITTER_NAME": "张三",
    "GIT_COMMITTER_EMAIL": "zhangsan@zwgk.local",
}


def hand_commit(work: Path, unit: str, status: str = "done", message: str = "手工修改") -> str:
    """Edit tasks/05.toml with a text editor's precision and `git commit` it as zhangsan."""
    path = work / "tasks" / "05.toml"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = f'[requirements.1.units."{unit}"]'
    start = lines.index(header)
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("status = "):
            lines[i] = f'status = "{status}"'
            break
    path.write_text("\n".join(lines), encoding="utf-8")
    git(work, "add", "tasks/05.toml")
    git(work, "commit", "-q", "-m", message, env=AS_ZHANGSAN)
    return git(work, "rev-parse", "HEAD").stdout.strip()


def test_clean_history_verifies(cli) -> None:
    assert cli("zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中").exit_code == 0
    result = cli("wangwu", "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_hand_made_commit_changing_another_unit_is_reported(cli, store) -> None:
    sha = hand_commit(store.path, OFFICE)
    assert cli("zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中").exit_code == 0
    result = cli("wangwu", "verify")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(sha[:12]) and "zhangsan" in line and OFFICE in line and "status" in line
    assert "无权修改" in line
    # --since after the bad commit: clean again
    assert cli("wangwu", "verify", "--since", sha).exit_code == 0


def test_hand_made_commit_with_forged_trailers_is_reported(cli, store) -> None:
    message = "任务5.1 市发改局: 推进\n\nTask: 5\nUnit: 市发改局\nOperator: admin\n"
    sha = hand_commit(store.path, NDRC, "in_progress", message)
    result = cli("wangwu", "verify")
    assert result.exit_code == 1
    assert [line.split()[0] for line in result.stdout.splitlines()] == [sha[:12]]
    assert "Operator" in result.stdout and "伪造" in result.stdout


def test_unknown_author_is_reported(cli, store) -> None:
    path = store.path / "tasks" / "06.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("优化涉企服务", "改过的标题"), encoding="utf-8")
    git(store.path, "commit", "-q", "-am", "x", env={**AS_ZHANGSAN, "GIT_AUTHOR_EMAIL": "mallory@evil"})
    result = cli("wangwu", "verify")
    assert result.exit_code == 1 and "未知作者" in result.stdout


@pytest.mark.parametrize(
    "note",
    [
        "完成\nUnit: 市政府办公室",
        "完成\n\nTask: 6\nUnit: 市政府办公室\nOperator: admin",
        "Unit: 市政府办公室\n\n",
    ],
)
def test_a_note_cannot_forge_a_trailer_or_fool_verify(cli, store, note: str) -> None:
    assert cli("zhangsan", "set", "5.1", "--unit", NDRC, "--note", note).exit_code == 0
    message = store.repo.out("log", "-1", "--format=%B", store.tip(2019))
    trailers = parse_trailers(message)
    assert trailers["unit"] == [NDRC] and trailers["operator"] == ["zhangsan"] and trailers["task"] == ["5"]
    assert cli("wangwu", "verify").exit_code == 0
    [row] = json.loads(cli("wangwu", "history", "--limit", "1", "--format", "json").stdout)
    assert (row["unit"], row["field"], row["login"]) == (NDRC, "note", "zhangsan")
    assert "市政府办公室" in row["new"]  # the note is kept verbatim as data


def test_signing_required_reports_unsigned_commits(cli, store) -> None:
    assert cli("zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中").exit_code == 0
    git(store.path, "config", "tracker.signing", "required")  # the group-writable config decides nothing
    assert cli("wangwu", "verify").exit_code == 0
    assert cli("admin", "doctor", "--allow-signer", "store").exit_code == 0  # the trust root turns it on
    hand_commit(store.path, NDRC, "blocked")
    git(store.path, "config", "tracker.signing", "off")
    result = cli("wangwu", "verify")
    assert result.exit_code == 1 and "未签名:此前的信任根 tasks/allowed_signers 要求每个提交都由所列密钥签名" in result.stdout


# ---------------------------------------------------------------- the hook


@pytest.fixture
def remote(cli, store, tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote with the hook installed, and a clone of it (plan/2019 checked out)."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(store.path), str(bare))
    result = install(str(bare))
    assert result.exit_code == 0, result.output
    hook = bare / "hooks" / "pre-receive"
    assert hook.stat().st_mode & stat.S_IXUSR
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", "-b", "plan/2019", f"file://{bare}", str(work))
    return bare, work


def install(*args: str):
    from typer.testing import CliRunner

    from tracker.cli import app

    return CliRunner().invoke(app, ["hook", "install", *args])


def push(work: Path, *refspec: str):
    return git(work, "push", "origin", *refspec, check=False)


def test_hook_refuses_a_hand_made_commit_and_accepts_a_tracker_commit(cli, remote, login) -> None:
    bare, work = remote
    before = git(bare, "rev-parse", "plan/2019").stdout
    hand_commit(work, OFFICE)
    refused = push(work, "plan/2019")
    assert refused.returncode != 0
    assert "推送被拒绝" in refused.stderr and OFFICE in refused.stderr and "无权修改" in refused.stderr
    assert git(bare, "rev-parse", "plan/2019").stdout == before
    # a change made through the tracker in a clean clone is accepted
    git(work, "reset", "-q", "--hard", "origin/plan/2019")
    login("zhangsan")
    from typer.testing import CliRunner

    from tracker.cli import app

    result = CliRunner().invoke(
        app, ["set", "5.1", "--unit", NDRC, "--status", "推进中", "--repo", str(work)]
    )
    assert result.exit_code == 0, result.output
    accepted = push(work, "plan/2019")
    assert accepted.returncode == 0, accepted.stderr
    assert git(bare, "rev-parse", "plan/2019").stdout == git(work, "rev-parse", "HEAD").stdout


def test_hook_refuses_force_push_and_branch_deletion(remote) -> None:
    bare, work = remote
    tip = git(bare, "rev-parse", "plan/2019").stdout
    forced = push(work, "+HEAD~1:plan/2019")
    assert forced.returncode != 0 and "拒绝强制推送" in forced.stderr
    deleted = push(work, ":plan/2019")
    assert deleted.returncode != 0 and "拒绝删除分支" in deleted.stderr
    assert git(bare, "rev-parse", "plan/2019").stdout == tip


def test_hook_install_keeps_a_foreign_hook_unless_forced(tmp_path: Path) -> None:
    bare = tmp_path / "other.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    (bare / "hooks" / "pre-receive").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    refused = install(str(bare))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert install(str(bare), "--force").exit_code == 0
    assert "tracker pre-receive hook" in (bare / "hooks" / "pre-receive").read_text(encoding="utf-8")
    assert install(str(tmp_path / "nothing")).exit_code == 1
    assert os.access(bare / "hooks" / "pre-receive", os.X_OK)


def test_merge_of_two_sides_is_judged_side_by_side(cli, store) -> None:
    work = store.path
    git(work, "checkout", "-q", "-b", "side")
    hand_commit(work, NDRC, "in_progress", "张三在另一处的修改")
    git(work, "checkout", "-q", "plan/2019")
    assert cli("lisi", "set", "6.1", "--unit", OFFICE, "--status", "推进中").exit_code == 0
    git(work, "merge", "-q", "--no-ff", "-m", "同步", "side", env=AS_ZHANGSAN)
    assert len(git(work, "rev-parse", "HEAD^2").stdout.strip()) == 40
    assert cli("wangwu", "verify").exit_code == 0, cli("wangwu", "verify").stdout
    # the same merge, but sneaking in a change neither side made
    git(work, "reset", "-q", "--hard", "HEAD^1")
    git(work, "merge", "-q", "--no-ff", "--no-commit", "side", env=AS_ZHANGSAN)
    path = work / "tasks" / "06.toml"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f'[requirements.2.units."{NDRC}"]')
    lines[start + 2] = 'status = "done"'
    assert lines[start + 2 - 1].startswith("role")
    path.write_text("\n".join(lines), encoding="utf-8")
    git(work, "add", "tasks/06.toml")
    git(work, "commit", "-q", "-m", "同步", env=AS_ZHANGSAN)
    merge = git(work, "rev-parse", "HEAD").stdout.strip()
    result = cli("wangwu", "verify")
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(merge[:12]) and "双方都没有" in line and "任务6.2" in line
