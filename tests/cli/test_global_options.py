"""Options before the command work or are refused, never ignored; --lang fr and repeated --note are refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tracker.store import Store


def tip(store: Store) -> str:
    return subprocess.run(["git", "-C", str(store.path), "rev-parse", "plan/2019"],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_repo_and_plan_before_the_command_are_used(cli, store: Store, tmp_path: Path) -> None:  # noqa: ANN001
    other = tmp_path / "other"
    Store.init(other, source=store.path / "tasks")
    before = tip(store)
    # the fixture points TRACKER_REPO at `store`; --repo before the command must win over it
    result = cli("--repo", str(other), "--plan", "2019", "set", "6.1", "--unit", "营里镇", "--status", "推进中")
    assert result.exit_code == 0, result.stderr
    assert tip(store) == before
    assert Store.open(other).load(2019).plan.tasks[6].requirements[0].assignments["营里镇"].status.value == "in_progress"
    listed = cli("--repo", str(other), "operator", "list", "--format", "json")
    assert listed.exit_code == 0, listed.stderr


def test_a_missing_store_before_the_command_is_one_line_and_exit_1(cli) -> None:  # noqa: ANN001
    result = cli("--repo", "/nonexistent", "list")
    assert result.exit_code == 1
    assert result.stderr.strip() == "找不到数据仓库: /nonexistent"


@pytest.mark.parametrize("args", [
    ["--plan", "2019", "plan", "list"],          # plan list takes no --plan
    ["--repo", "/tmp", "merge-driver", "a", "b", "c", "d"],
])
def test_options_a_command_does_not_take_are_refused(cli, store: Store, args: list[str]) -> None:  # noqa: ANN001
    result = cli(*args)
    assert result.exit_code == 2
    assert "请写在命令之后" in result.stderr


@pytest.mark.parametrize("lang", ["fr", "de_DE.UTF-8", ""])
def test_an_unknown_language_is_refused(cli, lang: str) -> None:  # noqa: ANN001
    result = cli("list", "--lang", lang)
    assert result.exit_code == 2
    assert "--lang must be zh or en" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("option", ["--note", "--evidence"])
def test_a_repeated_note_or_evidence_is_refused_not_cut(cli, store: Store, option: str) -> None:  # noqa: ANN001
    before = tip(store)
    result = cli("set", "6.1", "--unit", "营里镇", option, "http://a.gov.cn/1", option, "http://b.gov.cn/2")
    assert result.exit_code == 2
    assert f"{option} 只能给一次" in result.stderr
    assert tip(store) == before
