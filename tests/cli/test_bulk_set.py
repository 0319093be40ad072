"""Bulk ``tracker set``: ``--query``, task ranges, confirmation, permissions, one commit for the lot."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest

from tests.conftest import login_for_unit
from tracker.cli import bulk
from tracker.store import Store


def commits(store: Store) -> int:
    out = subprocess.run(["git", "-C", str(store.path), "rev-list", "--count", "plan/2019"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def statuses(store: Store, unit: str) -> dict[str, str]:
    return {req.id: a.status.value for _, req, a in store.load(2019).plan.assignments() if a.unit == unit}


@pytest.fixture
def login(units: list[str]) -> Callable[[str], str]:
    return lambda unit: login_for_unit(units, unit)


def test_range_with_unit_is_one_commit(cli, store: Store, login) -> None:  # noqa: ANN001
    before, count = statuses(store, "营里镇"), commits(store)
    in_range = sorted(r for r in before if 5 <= int(r.split(".")[0]) <= 9)
    assert in_range
    result = cli("set", "5..9", "--unit", "营里镇", "--status", "推进中", login=login("营里镇"))
    assert result.exit_code == 0, result.stderr
    assert commits(store) == count + 1
    after = statuses(store, "营里镇")
    assert {r for r in after if after[r] != before[r]} == set(in_range)
    assert all(after[r] == "in_progress" for r in in_range)


def test_query_with_note_and_evidence(cli, store: Store, login) -> None:  # noqa: ANN001
    count = commits(store)
    result = cli("set", "--query", "unit:营里镇 task:1..3", "--status", "done", "--note", "已公开",
                 "--evidence", "http://x.gov.cn/1", login=login("营里镇"))
    assert result.exit_code == 0, result.stderr
    assert commits(store) == count + 1
    loaded = store.load(2019)
    changed = [(req.id, a) for t, req, a in loaded.plan.assignments() if a.unit == "营里镇" and t.number <= 3]
    assert changed and all(a.status.value == "done" and a.last_note == "已公开" and a.evidence == ["http://x.gov.cn/1"]
                           for _, a in changed)


def test_refused_whole_when_one_assignment_is_not_yours(cli, store: Store, login) -> None:  # noqa: ANN001
    count = commits(store)
    result = cli("set", "--query", "task:1", "--status", "done", login=login("营里镇"))
    assert result.exit_code == 1
    assert "全部未提交" in result.stderr
    assert "1.1 市发改局: " in result.stderr  # the lines name which assignments
    assert "营里镇:" not in result.stderr.replace("只能修改本单位(营里镇)", "")
    assert commits(store) == count


def test_over_20_asks_and_refuses_without_a_terminal(cli, store: Store) -> None:  # noqa: ANN001
    count = commits(store)
    result = cli("set", "--query", "group:各镇(街区) task:1..3", "--status", "in_progress")
    assert result.exit_code == 1
    assert "超过 20 条需要确认" in result.stderr and "--yes" in result.stderr
    assert commits(store) == count
    assert cli("set", "--query", "group:各镇(街区) task:1..3", "--status", "in_progress", "--yes").exit_code == 0
    assert commits(store) == count + 1


@pytest.mark.parametrize(("answer", "committed"), [("y\n", 1), ("n\n", 0)])
def test_over_20_confirmed_interactively(cli, store: Store, monkeypatch, answer: str, committed: int) -> None:  # noqa: ANN001
    monkeypatch.setattr(bulk, "_interactive", lambda: True)
    count = commits(store)
    result = cli("set", "--query", "group:各镇(街区) task:1..3", "--status", "blocked", input=answer)
    assert "确认修改这" in result.stdout
    assert result.exit_code == (0 if committed else 1)
    assert commits(store) == count + committed


def test_dry_run_lists_and_commits_nothing(cli, store: Store, login) -> None:  # noqa: ANN001
    count = commits(store)
    result = cli("set", "--query", "unit:ylz task:1..5", "--status", "done", "--dry-run", login=login("营里镇"))
    assert result.exit_code == 0, result.stderr
    assert "营里镇  未启动 → 已完成" in result.stdout and "试运行" in result.stdout
    assert commits(store) == count


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--query", "状态:完成了", "--status", "done"], 1, "查询有误"),
    (["--query", "unit:火星局", "--status", "done"], 1, "未知单位"),
    (["5..9", "--unit", "火星局", "--status", "done"], 1, "未知单位"),
    (["--query", "task:1", "--status", "完成了"], 1, "未知状态"),
    (["--query", "task:9999", "--status", "done"], 1, "计划中没有任务 9999"),
    (["9..5", "--unit", "营里镇", "--status", "done"], 2, "任务范围不合法"),
    (["--query", "task:1"], 2, "至少给出"),
])
def test_bulk_errors(cli, store: Store, args: list[str], code: int, message: str) -> None:  # noqa: ANN001
    count = commits(store)
    result = cli("set", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert commits(store) == count


def test_missing_store(cli, tmp_path) -> None:  # noqa: ANN001
    result = cli("set", "--query", "task:1", "--status", "done", env={"TRACKER_REPO": str(tmp_path / "none")})
    assert result.exit_code == 1 and result.stderr.strip()
