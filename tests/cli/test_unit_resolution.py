"""Every command resolves a unit the same way, with and without ``--dry-run``, and says what it skipped."""

from __future__ import annotations

import json

import pytest

from tracker.store import Store

SET_5_1 = ("set", "5.1", "--status", "推进中")


@pytest.mark.parametrize("typed", ["fgj", "发改局", "市发改", "市发改局"])
def test_set_takes_initials_alias_and_segment_in_both_modes(cli, store: Store, typed: str) -> None:  # noqa: ANN001
    dry = cli(*SET_5_1, "--unit", typed, "--dry-run", login="admin")
    assert dry.exit_code == 0, dry.stderr
    assert "5.1 市发改局" in dry.stdout
    real = cli(*SET_5_1, "--unit", typed, login="admin")
    assert real.exit_code == 0, real.stderr
    assert "任务5.1 市发改局" in real.stdout
    assert store.load(2019).plan.tasks[5].requirements[0].assignments["市发改局"].status.value == "in_progress"


@pytest.mark.parametrize(("typed", "line"), [
    ("jtj", "单位 'jtj' 不唯一,可能是: 市交通局、市教体局"),
    ("火星局", "未知单位 '火星局'"),
    ("营里", "任务 5.1 没有 营里镇 的分工"),
])
def test_a_bad_unit_gets_the_same_line_with_and_without_dry_run(cli, typed: str, line: str) -> None:  # noqa: ANN001
    dry = cli(*SET_5_1, "--unit", typed, "--dry-run", login="admin")
    real = cli(*SET_5_1, "--unit", typed, login="admin")
    assert dry.exit_code == real.exit_code == 1
    assert dry.stderr == real.stderr
    assert dry.stderr.startswith(line)


def test_a_range_says_which_tasks_it_skipped_and_why(cli, store: Store) -> None:  # noqa: ANN001
    result = cli("set", "5..9", "--unit", "营里镇", "--status", "推进中", login="admin")
    assert result.exit_code == 0, result.stderr
    assert "跳过: 任务 5、7、8、9 没有 营里镇 的分工" in result.stderr
    assert "6.1 营里镇" in result.stdout
    beyond = cli("set", "40..42", "--unit", "营里", "--status", "推进中", "--dry-run", login="admin")
    assert "2019 年计划中没有任务 42" in beyond.stderr and "任务 40 没有 营里镇 的分工" in beyond.stderr


def test_on_behalf_of_operator_add_and_history_use_the_resolver(cli, store: Store) -> None:  # noqa: ANN001
    behalf = cli("set", "41.1", "--unit", "营里", "--note", "代填", "--on-behalf-of", "ylz", login="admin")
    assert behalf.exit_code == 0, behalf.stderr
    added = cli("operator", "add", "newclerk", "--unit", "fgj", login="admin")
    assert added.exit_code == 0, added.stderr and "市发改局" in added.stdout
    history = cli("history", "--unit", "营里", "--format", "json", login="admin")
    assert {row["unit"] for row in json.loads(history.stdout)} == {"营里镇"}
    group = cli("operator", "add", "x", "--unit", "各镇(街区)", login="admin")
    assert group.exit_code == 1 and "是分组" in group.stderr


def test_history_of_an_unknown_operator_says_so(cli) -> None:  # noqa: ANN001
    unknown = cli("history", "--operator", "zhangsan", "--format", "json", login="admin")
    assert unknown.exit_code == 1
    assert "没有账号 'zhangsan'" in unknown.stderr and unknown.stdout == ""
    known = cli("history", "--operator", "op01", "--format", "json", login="admin")
    assert known.exit_code == 0 and json.loads(known.stdout) == []


def test_operator_list_columns_line_up(cli) -> None:  # noqa: ANN001
    from tracker.tabular import text_width

    lines = cli("operator", "list", login="admin").stdout.splitlines()
    header, rule, *rows = lines
    starts = [i for i, ch in enumerate(rule) if ch == "─" and (i == 0 or rule[i - 1] == " ")]
    for row in rows:
        # every column starts at the same cell as its rule segment
        for start in [s for s in starts[1:] if s < text_width(row)]:  # trailing empty cells are cut
            prefix_cells = text_width(row[: _index_at_cell(row, start)])
            assert prefix_cells == start, (row, start)


def _index_at_cell(text: str, cell: int) -> int:
    from tracker.tabular import char_width

    used = 0
    for i, ch in enumerate(text):
        if used >= cell:
            return i
        used += char_width(ch)
    return len(text)
