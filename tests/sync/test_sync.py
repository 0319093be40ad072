"""tracker.sync against a local bare remote: clones, merges, conflicts, races, refusals."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.sync.conftest import GIT, Network, git
from tracker.cli import app
from tracker.git import remote as git_remote
from tracker.git.remote import PushReport, remote_list
from tracker.git.repo import GitRepo
from tracker.service import PermissionDenied, Service
from tracker.store import Store
from tracker.sync import (
    DRIVER,
    SyncError,
    add_remote,
    list_conflicts,
    resolve_conflict,
    sync,
    sync_status,
)
from tracker.sync_report import render_summary
from tracker.verify import verify_commits

U0, U1 = "市政府办公室", "市行政审批服务局"


def status_of(store: Store, task: int, req: str, unit: str) -> str:
    return store.load(2019).plan.tasks[task].requirement(req).assignments[unit].status.value  # type: ignore[union-attr]


def notes_of(store: Store, task: int, req: str, unit: str) -> list[str]:
    return [n.text for n in store.load(2019).plan.tasks[task].requirement(req).assignments[unit].notes]  # type: ignore[union-attr]


def findings(store: Store) -> list[str]:
    return [f.line() for f in verify_commits(store.repo, [store.tip(2019)])]


def test_a_plain_clone_is_a_working_site_after_sync(network: Network) -> None:
    Service(network.office, network.office.operator("office", 2019), 2019).new_plan(2020)
    sync(network.office, network.office.operator("office", 2019))
    site = network.clone("site")
    assert site.repo.get_config(f"merge.{DRIVER}.driver") is None
    result = network.sync(site, "u1")
    assert site.years() == [2019, 2020]
    assert site.tip(2020) == network.office.tip(2020)
    assert "merge-driver %O %A %B %P" in (site.repo.get_config(f"merge.{DRIVER}.driver") or "")
    attributes = (site.repo.git_dir / "info" / "attributes").read_text("utf-8").splitlines()
    assert f"tasks/*.toml merge={DRIVER}" in attributes and f"tasks/**/*.toml merge={DRIVER}" in attributes
    assert result.ok and result.conflicts == []
    again = network.sync(site, "u1")
    assert again.setup == []  # registered once


def test_different_units_merge_and_every_site_converges(network: Network) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.edit(a, 5, "1", U0, "status", "done")
    network.edit(b, 5, "1", U1, "status", "blocked")
    network.edit(b, 5, "1", U0, "note", "乙站补充的进展")
    first = network.sync(a, "u0")
    assert first.plans[0].went_out == 1
    second = network.sync(b, "u1")
    plan = second.plans[0]
    assert plan.merged and plan.came_in == 1 and plan.went_out == 3  # two edits and the merge
    assert any("市政府办公室" in e and "done" in e for e in plan.events_in)
    network.sync(a, "u0")
    assert a.tip(2019) == b.tip(2019)
    assert status_of(a, 5, "1", U0) == "done" and status_of(a, 5, "1", U1) == "blocked"
    assert notes_of(a, 5, "1", U0) == ["乙站补充的进展"]
    assert second.conflicts == []
    assert findings(a) == []


def test_same_field_two_values_is_listed_and_settled_by_a_commit(network: Network) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.edit(a, 5, "1", U0, "status", "done")
    network.edit(b, 5, "1", U0, "status", "blocked")
    network.sync(a, "u0")
    result = network.sync(b, "u1")
    (conflict,) = result.conflicts
    assert (conflict.task, conflict.requirement, conflict.unit, conflict.field) == (5, "1", U0, "status")
    assert (conflict.ours, conflict.theirs, conflict.ours_by, conflict.theirs_by) == ("blocked", "done", "u0", "u0")
    assert "受阻" in conflict.describe() and "已完成" in conflict.describe()
    assignment = b.load(2019).plan.tasks[5].requirement("1").assignments[U0]  # type: ignore[union-attr]
    assert [(c.field_name, c.ours, c.theirs) for c in assignment.conflicts] == [("status", "blocked", "done")]
    network.sync(a, "u0")
    assert findings(a) == []  # a unit operator's sync merge records, it does not decide
    with pytest.raises(PermissionDenied):
        resolve_conflict(a, a.operator("u1", 2019), 5, "1", U0, "status", "theirs")
    before = a.tip(2019)
    commit = resolve_conflict(a, a.operator("u0", 2019), 5, "1", U0, "status", "theirs")
    assert a.tip(2019) == commit and before in git("rev-list", commit, cwd=a.path)
    assert status_of(a, 5, "1", U0) == "done"
    assert list_conflicts(a, 2019) == []
    assert findings(a) == []
    network.sync(a, "u0")
    network.sync(b, "u1")
    assert status_of(b, 5, "1", U0) == "done" and list_conflicts(b, 2019) == []
    with pytest.raises(Exception, match="没有这个冲突"):
        resolve_conflict(a, a.operator("u0", 2019), 5, "1", U0, "status", "ours")


def test_a_push_that_loses_a_race_is_retried_and_nothing_is_lost(network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.edit(a, 5, "1", U0, "note", "甲站")
    network.edit(b, 5, "1", U1, "note", "乙站")
    real_push = git_remote.push
    calls = []

    def racing_push(repo: GitRepo, name: str, specs: list[str], pass_fds: tuple[int, ...] = ()) -> PushReport:
        calls.append(name)
        if len(calls) == 1:  # site b pushes between a's fetch and a's push
            network.sync(b, "u1")
        return real_push(repo, name, specs, pass_fds=pass_fds)

    monkeypatch.setattr(git_remote, "push", racing_push)
    result = network.sync(a, "u0")
    monkeypatch.setattr(git_remote, "push", real_push)
    assert result.ok and result.plans[0].rounds == 2 and result.plans[0].merged
    remote_tip = git("rev-parse", "plan/2019", cwd=network.remote).strip()
    assert remote_tip == a.tip(2019)
    network.sync(b, "u1")
    assert notes_of(b, 5, "1", U0) == ["甲站"] and notes_of(b, 5, "1", U1) == ["乙站"]


def test_a_push_the_remote_refuses_is_explained_and_kept(network: Network) -> None:
    hook = network.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho '拒绝: 操作员 u0 无权修改 市财政局 的分工' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    a = network.clone("a")
    network.edit(a, 5, "1", U0, "status", "done")
    mine = a.tip(2019)
    result = network.sync(a, "u0")
    assert not result.ok
    refused = result.plans[0].refused
    assert "远端拒绝接收 plan/2019" in refused and "无权修改 市财政局" in refused and "没有丢失" in refused
    assert a.tip(2019) == mine


def test_remote_add_is_for_admins_and_checks_name_and_url(network: Network) -> None:
    site = network.clone("site")
    with pytest.raises(SyncError, match="只有管理员"):
        add_remote(site, site.operator("u0", 2019), "second", "ssh://git@example.org/srv/plan.git")
    admin = site.operator("office", 2019)
    with pytest.raises(SyncError, match="已存在"):
        add_remote(site, admin, "origin", "/srv/other.git")
    with pytest.raises(SyncError, match="远端名称"):
        add_remote(site, admin, "bad name", "/srv/other.git")
    with pytest.raises(SyncError, match="ext::"):
        add_remote(site, admin, "evil", "ext::sh%20-c%20touch%20/tmp/pwned")
    add_remote(site, admin, "second", "ssh://git@example.org/srv/plan.git")
    assert remote_list(site.repo)["second"] == "ssh://git@example.org/srv/plan.git"
    with pytest.raises(SyncError, match="没有名为 nope 的远端"):
        sync(site, admin, remote="nope")
    git("remote", "rename", "origin", "first", cwd=site.path)
    with pytest.raises(SyncError, match="多个远端"):
        sync(site, admin)


def test_auditors_and_guests_do_not_sync(network: Network) -> None:
    site = network.clone("site")
    with pytest.raises(SyncError, match="不能同步"):
        sync(site, site.operator("nobody", 2019))


def test_sync_status_counts_ahead_and_behind_without_network(network: Network) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.edit(b, 5, "1", U1, "status", "done")
    network.sync(b, "u1")
    network.edit(a, 5, "1", U0, "status", "done")
    network.edit(a, 5, "1", U0, "note", "x")
    assert sync_status(a)[2019].ahead == 2 and sync_status(a)[2019].behind == 0  # b's push not fetched yet
    network.sync(a, "u0")
    assert sync_status(a)[2019].ahead == 0 and sync_status(a)[2019].behind == 0
    assert sync_status(b)[2019].behind == 0  # b has not fetched a's work
    network.sync(b, "u1")
    assert (sync_status(b)[2019].ahead, sync_status(b)[2019].behind) == (0, 0)


def test_hand_edits_in_a_checked_out_site_stop_the_sync_and_stay(network: Network) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.edit(b, 5, "1", U1, "status", "done")
    network.sync(b, "u1")
    task_file = a.path / "tasks" / "05.toml"
    task_file.write_text(task_file.read_text("utf-8") + "# 手工修改\n", encoding="utf-8")
    with pytest.raises(SyncError, match="手工修改"):
        network.sync(a, "u0")
    assert task_file.read_text("utf-8").endswith("# 手工修改\n")


def test_the_work_tree_follows_a_sync(network: Network) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.edit(b, 5, "1", U1, "status", "done")
    network.sync(b, "u1")
    network.sync(a, "u0")
    data = tomllib.loads((a.path / "tasks" / "05.toml").read_text("utf-8"))
    assert data["requirements"]["1"]["units"][U1]["status"] == "done"
    assert git("status", "--porcelain", cwd=a.path).strip() == ""


# ---------------------------------------------------------------- git merge by hand uses the driver


def test_git_merge_by_hand_uses_the_driver(network: Network) -> None:
    a, b = network.clone("a"), network.clone("b")
    network.sync(a, "u0")  # registers the driver in a's config
    network.edit(a, 5, "1", U0, "status", "done")
    network.edit(b, 5, "1", U0, "status", "blocked")
    network.edit(b, 5, "1", U1, "note", "乙站")
    network.sync(b, "u1")
    git("fetch", "-q", "origin", cwd=a.path)
    env_git = [*GIT, "-c", "user.name=t", "-c", "user.email=t@x"]
    import subprocess

    proc = subprocess.run([*env_git, "merge", "--no-edit", "origin/plan/2019"], cwd=a.path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    data = tomllib.loads((a.path / "tasks" / "05.toml").read_text("utf-8"))
    assert data["requirements"]["1"]["units"][U0]["status"] == "done"
    assert data["conflicts"][0]["theirs"] == "blocked"
    assert [n["text"] for n in data["requirements"]["1"]["units"][U1]["notes"]] == ["乙站"]


def test_merge_driver_command_exits_1_on_broken_input(tmp_path: Path) -> None:
    base, ours, theirs = (tmp_path / n for n in ("o", "a", "b"))
    base.write_text("number = 5\n", encoding="utf-8")
    ours.write_text("number = [\n", encoding="utf-8")
    theirs.write_text("number = 6\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["merge-driver", str(base), str(ours), str(theirs), "tasks/05.toml"])
    assert result.exit_code == 1
    assert ours.read_text("utf-8") == "number = [\n"


# ---------------------------------------------------------------- CLI


def run(login: Callable[[str], None], who: str, *args: str) -> object:
    login(who)
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_cli_remote_sync_resolve(network: Network, login: Callable[[str], None], tmp_path: Path) -> None:
    a, b = network.clone("a"), network.clone("b")
    denied = run(login, "u0", "remote", "add", "x", "/srv/x.git", "--repo", str(a.path))
    assert denied.exit_code == 1 and "只有管理员" in denied.output  # type: ignore[attr-defined]
    bad = run(login, "office", "remote", "add", "x", "--upload-pack=touch /tmp/p", "--repo", str(a.path))
    assert bad.exit_code != 0
    listed = run(login, "u0", "remote", "list", "--format", "json", "--repo", str(a.path))
    assert json.loads(listed.output) == [{"name": "origin", "url": str(network.remote)}]  # type: ignore[attr-defined]
    network.edit(a, 5, "1", U0, "status", "done")
    network.edit(b, 5, "1", U0, "status", "blocked")
    first = run(login, "u0", "sync", "--repo", str(a.path))
    assert first.exit_code == 0 and "发出 1 个提交" in first.output  # type: ignore[attr-defined]
    second = run(login, "u1", "sync", "--plan", "2019", "--repo", str(b.path))
    out = second.output  # type: ignore[attr-defined]
    assert second.exit_code == 0 and "待裁决的冲突 1 处" in out and "受阻" in out and "已完成" in out
    as_json = run(login, "u1", "sync", "--format", "json", "--repo", str(b.path))
    data = json.loads(as_json.output)  # type: ignore[attr-defined]
    assert data["conflicts"][0]["ours"] == "blocked" and data["conflicts"][0]["theirs"] == "done"
    usage = run(login, "u0", "sync", "--all", "--plan", "2019", "--repo", str(b.path))
    assert usage.exit_code == 2  # type: ignore[attr-defined]
    settled = run(login, "u0", "resolve", "5.1", U0, "status", "已完成", "--repo", str(b.path))
    assert settled.exit_code == 0 and "已裁决" in settled.output  # type: ignore[attr-defined]
    assert status_of(b, 5, "1", U0) == "done" and list_conflicts(b, 2019) == []


def test_cli_sync_in_a_plain_clone_with_no_options(network: Network, login: Callable[[str], None], monkeypatch: pytest.MonkeyPatch) -> None:
    path = network.root / "fresh"
    git("clone", "-q", str(network.remote), str(path))
    git("branch", "-q", "-m", "plan/2019", "scratch", cwd=path)  # a clone whose only plan branch is gone
    monkeypatch.chdir(path)
    monkeypatch.delenv("TRACKER_REPO", raising=False)
    result = run(login, "u0", "sync")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "已建立本地分支 plan/2019" in result.output  # type: ignore[attr-defined]
    assert Store.open(path).tip(2019) == network.office.tip(2019)
    assert os.path.exists(path / ".git" / "info" / "attributes")


def test_a_new_plan_made_by_the_office_reaches_a_site(network: Network) -> None:
    site = network.clone("a")
    Service(network.office, network.office.operator("office", 2019), 2019).new_plan(2020)
    sync(network.office, network.office.operator("office", 2019))
    result = network.sync(site, "u1")
    assert result.ok, render_summary(result)
    assert site.years() == [2019, 2020] and site.tip(2020) == network.office.tip(2020)


def test_a_plan_branch_an_operator_pushed_is_not_taken(network: Network, tmp_path: Path) -> None:
    """Issue 13: an orphan plan/2098 pushed by an operator to a remote without the hook never becomes a plan here."""
    site = network.clone("a")
    forge = tmp_path / "forge"
    git("clone", "-q", str(network.remote), str(forge))
    git("checkout", "-q", "--orphan", "plan/2098", cwd=forge)
    operators_file = forge / "tasks" / "operators.toml"
    operators_file.write_text(operators_file.read_text("utf-8").replace('role = "operator"', 'role = "admin"'), "utf-8")
    u0 = site.operator("u0", 2019)
    git("-c", f"user.name={u0.name}", "-c", f"user.email={u0.email}", "commit", "-qam", "计划 2098", cwd=forge)
    git("push", "-q", "origin", "plan/2098", cwd=forge)
    result = network.sync(site, "u1")
    summary = render_summary(result)
    assert not result.ok
    assert "远端的新计划分支 plan/2098 未被接受" in summary and "不是现有计划的管理员" in summary, summary
    assert site.years() == [2019] and site.default_year() == 2019
    assert site.repo.rev_parse("refs/heads/plan/2098") is None
