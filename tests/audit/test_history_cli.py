"""``tracker history`` and ``tracker undo`` on a real store."""

from __future__ import annotations

import json

from tests.audit.helpers import NDRC, OFFICE
from tracker.history import EVENT_JSON_KEYS

FIVE_EDITS = [
    ("zhangsan", ["set", "5.1", "--unit", NDRC, "--status", "推进中"]),
    ("zhangsan", ["set", "5.1", "--unit", NDRC, "--note", "已开始\n第二行"]),
    ("zhangsan", ["set", "6.1", "--unit", NDRC, "--status", "done"]),  # another task: not in task 5's history
    ("zhangsan", ["set", "5.2", "--unit", "发改局", "--evidence", "http://www.shouguang.gov.cn/a"]),
    ("lisi", ["set", "5.1", "--unit", OFFICE, "--status", "done"]),
    ("admin", ["set", "5.1", "--unit", NDRC, "--status", "已完成"]),
]


def run_ok(cli, login, *args):
    result = cli(login, *args)
    assert result.exit_code == 0, result.output
    return result


def history_json(cli, *args, login="wangwu"):
    return json.loads(run_ok(cli, login, "history", *args, "--format", "json").stdout)


def edit_five(cli) -> None:
    for login, args in FIVE_EDITS:
        run_ok(cli, login, *args)


def test_history_of_task_5_after_five_edits_lists_exactly_them(cli) -> None:
    edit_five(cli)
    rows = history_json(cli, "5")
    got = [(r["login"], r["requirement"], r["unit"], r["field"], r["old"], r["new"]) for r in rows]
    assert got == [
        ("admin", "1", NDRC, "status", "in_progress", "done"),
        ("lisi", "1", OFFICE, "status", "not_started", "done"),
        ("zhangsan", "2", NDRC, "evidence", "", "http://www.shouguang.gov.cn/a"),
        ("zhangsan", "1", NDRC, "note", "", "已开始\n第二行"),
        ("zhangsan", "1", NDRC, "status", "not_started", "in_progress"),
    ]
    assert all(r["task"] == 5 for r in rows)
    assert rows[0]["on_behalf_of"] == NDRC and rows[0]["name"] == "admin"
    assert rows[1]["name"] == "李四" and rows[1]["on_behalf_of"] == ""
    assert tuple(rows[0]) == EVENT_JSON_KEYS
    assert "+" in rows[0]["at"] or rows[0]["at"].endswith("Z") or "-" in rows[0]["at"][19:]
    assert len(history_json(cli, "5", "--limit", "2")) == 2


def test_history_filters_by_unit_operator_and_period(cli, store) -> None:
    edit_five(cli)
    office = history_json(cli, "--unit", OFFICE)
    assert [(r["unit"], r["field"]) for r in office] == [(OFFICE, "status")]
    by_alias = history_json(cli, "5", "--unit", "发改局")
    assert {r["unit"] for r in by_alias} == {NDRC} and len(by_alias) == 4
    mine = history_json(cli, "--operator", "zhangsan")
    assert len(mine) == 4 and {r["login"] for r in mine} == {"zhangsan"}
    assert {r["task"] for r in mine} == {5, 6}
    everything = history_json(cli)
    assert history_json(cli, "--since", "2999-01-01") == []
    assert len(history_json(cli, "--until", "1999-12-31")) == 0
    first_day = everything[-1]["at"][:10]
    assert len(history_json(cli, "--since", first_day, "--until", first_day)) == len(everything)
    # the store's own setup (operators added) shows as operators.* events by the admin
    assert any(r["field"].startswith("operators.zhangsan") for r in everything)


def test_history_table_and_patch(cli) -> None:
    edit_five(cli)
    table = run_ok(cli, "wangwu", "history", "5").stdout
    assert "推进中 → 已完成" in table and "李四" in table
    patched = run_ok(cli, "wangwu", "history", "5", "--patch", "--limit", "1").stdout
    assert '-status = "in_progress"' in patched and '+status = "done"' in patched


def test_history_rejects_bad_dates_and_task_numbers(cli) -> None:
    assert cli("admin", "history", "--since", "yesterday").exit_code == 2
    assert cli("admin", "history", "../5").exit_code == 2


def test_undo_restores_the_old_status_in_a_new_commit(cli, store) -> None:
    run_ok(cli, "zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中")
    tip_before = store.tip(2019)
    run_ok(cli, "zhangsan", "set", "5.1", "--unit", NDRC, "--status", "受阻")
    undone = store.tip(2019)
    out = run_ok(cli, "zhangsan", "undo", undone[:10]).stdout
    assert "撤销" in out
    tip = store.tip(2019)
    assert store.repo.out("rev-list", "--count", tip) == str(
        int(store.repo.out("rev-list", "--count", undone)) + 1
    )
    assert store.repo.out("rev-parse", f"{tip}^") == undone  # history kept, nothing rewritten
    assert store.load(2019).plan.tasks[5].requirement("1").assignments[NDRC].status.value == "in_progress"
    assert store.repo.rev_parse(tip_before) == tip_before
    rows = history_json(cli, "5", "--limit", "2")
    assert [(r["old"], r["new"]) for r in rows] == [("blocked", "in_progress"), ("in_progress", "blocked")]
    assert rows[0]["subject"].startswith("撤销 ")
    assert run_ok(cli, "admin", "verify").exit_code == 0


def test_undo_of_a_note_removes_it_and_later_change_is_a_conflict(cli, store) -> None:
    run_ok(cli, "zhangsan", "set", "5.1", "--unit", NDRC, "--note", "第一条")
    noted = store.tip(2019)
    run_ok(cli, "zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中")
    status_commit = store.tip(2019)
    run_ok(cli, "zhangsan", "set", "5.1", "--unit", NDRC, "--status", "done")
    conflict = cli("zhangsan", "undo", status_commit)
    assert conflict.exit_code == 1 and "冲突" in conflict.stderr
    run_ok(cli, "zhangsan", "undo", noted)
    assert store.load(2019).plan.tasks[5].requirement("1").assignments[NDRC].notes == []


def test_undo_refused_for_an_operator_of_another_unit(cli, store) -> None:
    run_ok(cli, "zhangsan", "set", "5.1", "--unit", NDRC, "--status", "推进中")
    tip = store.tip(2019)
    refused = cli("lisi", "undo", tip)
    assert refused.exit_code == 1 and "无权" in refused.stderr
    assert store.tip(2019) == tip


def test_undo_refuses_plan_text_and_unknown_commits(cli, store) -> None:
    operators_commit = store.tip(2019)  # the fixture's last commit added an operator
    refused = cli("admin", "undo", operators_commit)
    assert refused.exit_code == 1 and "手工" in refused.stderr
    assert cli("admin", "undo", "nonexistent").exit_code == 1
    assert cli("admin", "undo", "--all").exit_code != 0
