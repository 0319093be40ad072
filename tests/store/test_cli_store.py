"""tracker init / set / operator / plan through typer's CliRunner, and store resolution."""

from __future__ import annotations

import grp
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Cli
from tracker.operators import Operator
from tracker.service import Change, Service
from tracker.store import Store, StoreError
from tracker.store_discovery import resolve_store


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# ------------------------------------------------------------------ set


def test_set_prints_commit_and_subject(cli: Cli, store: Store, units: list[str]) -> None:
    req = store.load().plan.tasks[5].requirements[0]
    unit = next(iter(req.assignments))
    login = f"op{units.index(unit) + 1:02d}"
    result = cli("set", f"5.{req.key}", "--unit", unit, "--status", "推进中", "--note", "已部署", login=login)
    assert result.exit_code == 0, result.stderr
    commit, subject = one_line(result.stdout).split(" ", 1)
    assert store.tip(2019).startswith(commit)
    assert subject == f"任务5.{req.key} {unit}: 未启动 → 推进中, 添加进展"
    assert store.repo.out("log", "-1", "--format=%ae") == f"{login}@zwgk.local"


def test_set_whole_task_means_every_requirement_naming_the_unit(cli: Cli, store: Store) -> None:
    plan = store.load().plan
    task, unit = next(
        (t, u) for t in plan.sorted_tasks() for u in t.units()
        if sum(u in r.assignments for r in t.requirements) > 1
    )
    wanted = [r.key for r in task.requirements if unit in r.assignments]
    result = cli("set", str(task.number), "--unit", unit, "--status", "done")
    assert result.exit_code == 0, result.stderr
    after = store.load().plan.tasks[task.number]
    assert [r.key for r in after.requirements if unit in r.assignments and r.assignments[unit].status.value == "done"] == wanted
    assert "批量更新" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["set", "999", "--unit", "市发改局", "--status", "done"], 1, "没有任务 999"),
        (["set", "../5", "--unit", "市发改局", "--status", "done"], 2, "不合法"),
        (["set", "5.x", "--unit", "市发改局", "--status", "done"], 1, "要求编号不合法"),
        (["set", "5.1", "--unit", "市发改局", "--status", "差不多"], 1, "未知状态"),
        (["set", "5.1", "--unit", "市发改局"], 2, "--status"),
        (["set", "5.1", "--unit", "市发改局", "--status", "done", "--plan", "2031"], 1, "没有 2031 年的计划"),
    ],
)
def test_set_errors_are_one_clear_line(cli: Cli, store: Store, args: list[str], code: int, words: str) -> None:
    before = store.tip(2019)
    result = cli(*args)
    assert result.exit_code == code
    assert words in one_line(result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert store.tip(2019) == before


def test_operator_of_another_unit_is_refused_by_the_cli(cli: Cli, store: Store, units: list[str]) -> None:
    req = store.load().plan.tasks[5].requirements[0]
    mine, other = list(req.assignments)[:2]
    result = cli("set", f"5.{req.key}", "--unit", other, "--status", "done", login=f"op{units.index(mine) + 1:02d}")
    assert result.exit_code == 1
    assert f"不能修改 {other}" in one_line(result.stderr)


def test_unlisted_login_is_told_how_to_be_added(cli: Cli) -> None:
    result = cli("set", "5.1", "--unit", "市发改局", "--status", "done", login="stranger")
    assert result.exit_code == 1
    assert "请管理员运行 tracker operator add stranger --unit 单位" in result.stderr


def test_admin_on_behalf_of(cli: Cli, store: Store) -> None:
    req = store.load().plan.tasks[5].requirements[0]
    unit = next(iter(req.assignments))
    result = cli("set", f"5.{req.key}", "--unit", unit, "--status", "done", "--on-behalf-of", unit)
    assert result.exit_code == 0, result.stderr
    assert store.repo.out("log", "-1", "--format=%(trailers:key=On-behalf-of,valueonly)").strip() == unit


# ------------------------------------------------------------------ operators


def test_operator_add_list_remove(cli: Cli, store: Store) -> None:
    unit = next(iter(store.load().plan.tasks[5].requirements[0].assignments))
    added = cli("operator", "add", "wangwu", "--unit", unit, "--name", "王五")
    assert added.exit_code == 0, added.stderr
    assert "wangwu" in added.stdout
    assert store.operators()["wangwu"].units == (unit,)
    listed = cli("operator", "list", "--format", "json")
    rows = json.loads(listed.stdout)
    assert {"login": "wangwu", "name": "王五", "role": "operator", "units": [unit]} in rows
    assert cli("set", "5.1", "--unit", unit, "--status", "done", login="wangwu").exit_code == 0
    assert cli("operator", "remove", "wangwu").exit_code == 0
    assert "wangwu" not in store.operators()
    refused = cli("set", "5.1", "--unit", unit, "--status", "blocked", login="wangwu")
    assert refused.exit_code == 1


def test_operator_remove_keeps_the_key_while_another_plan_lists_the_login(
    cli: Cli, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import authorized_keys

    keys = tmp_path / "authorized_keys"
    monkeypatch.setattr(authorized_keys, "keys_file", lambda home=None: keys)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")], check=True)
    public = authorized_keys.parse_public_key((tmp_path / "k.pub").read_text())
    unit = next(iter(store.load().plan.tasks[5].requirements[0].assignments))
    assert cli("operator", "add", "wangwu", "--unit", unit).exit_code == 0
    assert authorized_keys.add_key("/usr/local/bin/tracker", "wangwu", store.path, public, keys)
    assert cli("plan", "new", "2020").exit_code == 0  # the operators come along
    kept = cli("operator", "remove", "wangwu", "--plan", "2020")
    assert kept.exit_code == 0, kept.stderr
    assert "wangwu 仍在 plan/2019 的操作员名单中,公钥保留;从这些计划中也移除后才会删除公钥" in kept.stdout
    assert list(authorized_keys.logins_with_keys(keys)) == ["wangwu"]
    gone = cli("operator", "remove", "wangwu", "--plan", "2019")
    assert gone.exit_code == 0, gone.stderr
    assert f"已从 {keys} 删除 1 把公钥" in gone.stdout
    assert authorized_keys.logins_with_keys(keys) == {}


def test_operator_commands_are_admin_only(cli: Cli, store: Store) -> None:
    result = cli("operator", "add", "zhaoliu", "--unit", "市发改局", login="op01")
    assert result.exit_code == 1 and "只有管理员" in result.stderr
    assert cli("operator", "remove", "admin", login="auditor").exit_code == 1
    assert "zhaoliu" not in store.operators()


def test_operator_add_checks_login_and_unit(cli: Cli) -> None:
    assert "账号名不合法" in cli("operator", "add", "../x", "--unit", "市发改局").stderr
    assert "未知单位" in cli("operator", "add", "zhaoliu", "--unit", "火星局").stderr
    assert cli("operator", "add", "zhaoliu", "--unit", "市发改局", "--role", "boss").exit_code == 2


# ------------------------------------------------------------------ plans


def test_plan_new_carries_unfinished_tasks(cli: Cli, store: Store) -> None:
    plan = store.load().plan
    done = plan.sorted_tasks()[0]
    for req in done.requirements:
        for unit in req.assignments:
            assert cli("set", f"{done.number}.{req.key}", "--unit", unit, "--status", "done").exit_code == 0
    assert cli("set", "5", "--unit", next(iter(plan.tasks[5].units())), "--status", "blocked", "--note", "x").exit_code == 0
    result = cli("plan", "new", "2020", "--from", "2019")
    assert result.exit_code == 0, result.stderr
    assert store.years() == [2019, 2020]
    new = store.load(2020)
    assert done.number not in new.plan.tasks
    assert set(new.plan.tasks) == set(plan.tasks) - {done.number}
    carried = new.plan.tasks[5]
    assert carried.continues == "2019#5"
    assert all(a.status.value == "not_started" and not a.notes for _, a in carried.assignments())
    assert all(d.year == 2020 for r in carried.requirements for d in r.due)
    assert new.registry.units.keys() == store.load(2019).registry.units.keys()
    assert store.operators(2020) == store.operators(2019)
    assert store.repo.out("rev-list", "--count", "plan/2020") == "1"
    listed = json.loads(cli("plan", "list", "--format", "json").stdout)
    assert [r["year"] for r in listed] == [2019, 2020]
    again = cli("plan", "new", "2020")
    assert again.exit_code == 1 and "已有 2020 年的计划" in again.stderr


def test_plan_new_none_and_all(cli: Cli, store: Store) -> None:
    assert cli("plan", "new", "2020", "--carry", "none").exit_code == 0
    assert store.load(2020).plan.tasks == {}
    assert store.load(2020).registry.units
    assert cli("plan", "new", "2021", "--from", "2019", "--carry", "all").exit_code == 0
    assert len(store.load(2021).plan.tasks) == len(store.load(2019).plan.tasks)
    assert cli("plan", "new", "2022", "--carry", "some").exit_code == 2
    assert cli("plan", "new", "2023", login="op01").exit_code == 1


def test_commands_default_to_the_newest_plan(cli: Cli, store: Store) -> None:
    assert cli("plan", "new", "2020", "--carry", "all").exit_code == 0
    assert cli("set", "5.1", "--unit", next(iter(store.load(2020).plan.tasks[5].requirements[0].assignments)),
               "--status", "done").exit_code == 0
    assert store.repo.out("log", "-1", "--format=%(trailers:key=Plan,valueonly)", "plan/2020").strip() == "2020"


def test_reading_a_plan_at_a_date_or_ref(store: Store, cli: Cli) -> None:
    first = store.tip(2019)
    unit = next(iter(store.load().plan.tasks[5].requirements[0].assignments))
    env = {"GIT_COMMITTER_DATE": "2030-01-01T00:00:00"}
    assert cli("set", "5.1", "--unit", unit, "--status", "done", env=env).exit_code == 0
    assert store.load(ref=first).plan.tasks[5].requirements[0].assignments[unit].status.value == "not_started"
    day = store.repo.out("log", "-1", "--format=%cs", first)
    old = store.load(ref=f"plan/2019@{{{day} 23:59:59}}")
    assert old.plan.tasks[5].requirements[0].assignments[unit].status.value in ("not_started", "done")
    with pytest.raises(StoreError):
        store.load(ref="--output=/tmp/x")


# ------------------------------------------------------------------ init and store resolution


def test_init_puts_the_bundled_plan_on_a_branch(tmp_path: Path, cli: Cli) -> None:
    target = tmp_path / "new-store"
    result = cli("init", str(target))
    assert result.exit_code == 0, result.stderr
    store = Store.open(target)
    assert store.years() == [2019]
    assert store.repo.head_ref() == "refs/heads/plan/2019"
    assert (target / "tasks" / "plan.toml").is_file()
    assert store.repo.out("status", "--porcelain") == ""
    message = store.repo.out("log", "-1", "--format=%B")
    assert "来源: 随程序附带的计划" in message and "shouguang-2019.txt" in message
    assert store.operators()["admin"].role == "admin"
    assert len(store.load().plan.tasks) == 41
    again = cli("init", str(target))
    assert again.exit_code == 1 and "已存在" in again.stderr


def test_init_bare_and_shared(tmp_path: Path, cli: Cli) -> None:
    group = grp.getgrgid(os.getgid()).gr_name
    target = tmp_path / "srv.git"
    result = cli("init", str(target), "--bare", "--shared", group)
    assert result.exit_code == 0, result.stderr
    store = Store.open(target)
    assert store.bare and not (target / "tasks").exists()
    assert store.repo.out("config", "core.sharedRepository") in ("group", "1")
    private = target / "tracker-writer"  # published tips and the signing key: the writer's alone
    assert private.stat().st_mode & 0o777 == 0o755
    for path in [target, *target.rglob("*")]:
        if private in (path, *path.parents):
            continue
        assert path.stat().st_gid == grp.getgrnam(group).gr_gid
        if path.is_dir():
            assert path.stat().st_mode & 0o2070 == 0o2070, path
    assert cli("init", str(tmp_path / "x"), "--shared", "no-such-group-zz").exit_code == 1


def test_resolve_store_order(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    shutil.copytree(store.path, other)
    assert resolve_store(other).path == other.resolve()
    monkeypatch.setenv("TRACKER_REPO", str(other))
    assert resolve_store(None).path == other.resolve()
    monkeypatch.delenv("TRACKER_REPO")
    monkeypatch.chdir(store.path / "tasks")
    assert resolve_store(None).path == store.path
    with pytest.raises(StoreError, match="不是"):
        resolve_store(tmp_path)


def test_no_default_store_is_created_without_being_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.store_discovery import NoStoreYet, configured_or_default

    monkeypatch.chdir(tmp_path)
    with pytest.raises(NoStoreYet, match="tracker init"):
        resolve_store(None)
    assert not (tmp_path / "xdg-data").exists()
    said: list[str] = []
    store = configured_or_default(said.append, create_default=True)  # the interface's first start
    assert str(tmp_path / "xdg-data") in str(store.path)
    assert said and str(store.path) in said[0]
    assert resolve_store(None, notify=said.append).path == store.path
    assert len(said) == 1


def test_read_path_does_not_import_gitpython() -> None:
    code = ("import sys; from tracker.store import Store; from tracker.service import Service; "
            "print('git' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_disk_cache_parses_each_blob_once(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.store as store_module

    calls: list[str] = []
    real = store_module.load_task
    monkeypatch.setattr(store_module, "load_task", lambda text, path: calls.append(path) or real(text, path))
    fresh = Store.open(store.path)
    fresh.load()
    first = len(calls)
    assert first in (0, 41)  # 0 when the template's cache was copied along
    root = store.repo.git_dir / "tracker-cache" / f"v{store_module.CACHE_VERSION}" / "tasks"
    entries = sorted(p for p in root.rglob("*") if p.is_file())
    assert len(entries) == 41  # one entry per task blob
    calls.clear()
    Store.open(store.path).load()
    assert calls == []
    # a damaged, a foreign and a missing entry are each parsed again; the others still come from the cache
    entries[0].write_text("{broken")
    entries[1].write_text(entries[2].read_text())  # someone else's blob id inside
    entries[3].unlink()
    assert len(Store.open(store.path).load().plan.tasks) == 41
    assert len(calls) == 3
    calls.clear()
    for entry in entries:
        entry.write_text('{"v": 3, "oid": "%s", "task": {"number": "x"}}' % (entry.parent.name + entry.name))
    assert len(Store.open(store.path).load().plan.tasks) == 41
    assert len(calls) == 41


def test_disk_cache_after_a_commit_writes_one_entry(store: Store, operator_for: Callable[[str], Operator]) -> None:
    import tracker.store as store_module

    Store.open(store.path).load()
    root = store.repo.git_dir / "tracker-cache" / f"v{store_module.CACHE_VERSION}" / "tasks"
    before = {p for p in root.rglob("*") if p.is_file()}
    req = store.load(2019).plan.tasks[5].requirements[0]
    unit = next(iter(req.assignments))
    Service(store, operator_for(unit), 2019).apply([Change(5, req.key, unit, "status", "blocked")])
    Store.open(store.path).load()
    after = {p for p in root.rglob("*") if p.is_file()}
    assert len(after - before) == 1


def test_bulk_set_on_a_range_reads_only_those_tasks(cli: Cli, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    real = Store.snapshot

    def spy(self: Store, *args: object, **kwargs: object):  # noqa: ANN202
        asked.append(kwargs.get("tasks"))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    plan = store.load().plan
    unit = next(u for u in plan.tasks[5].units() if u in plan.tasks[6].units())
    monkeypatch.setattr(Store, "snapshot", spy)
    result = cli("set", "5..6", "--unit", unit, "--status", "done", "--yes")
    assert result.exit_code == 0, result.stderr
    assert frozenset({5, 6}) in asked and None not in asked  # () is the operators-only read
    after = store.load().plan
    changed = [(t, r.key) for t in (5, 6, 7) for r in after.tasks[t].requirements
               if unit in r.assignments and r.assignments[unit].status.value == "done"]
    assert {t for t, _ in changed} == {5, 6}
    # a query naming tasks reads only those too; one that does not reads the plan
    asked.clear()
    assert cli("set", "--query", f"task:7 unit:{unit}", "--status", "blocked", "--yes").exit_code in (0, 1)
    assert frozenset({7}) in asked and None not in asked
    asked.clear()
    cli("set", "--query", f"unit:{unit} status:done", "--status", "blocked", "--dry-run")
    assert None in asked
