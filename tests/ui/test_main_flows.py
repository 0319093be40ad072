"""Pilot tests of the main screen: open, filter, one-key filters, permissions, help, palette, languages."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Input, Static

from tests.ui.conftest import CLERK, OFFICE, TODAY, TOWN
from tests.ui.helpers import calls, ready, settle
from tracker.query import MatchContext, parse
from tracker.ui.screens.help_screen import HelpScreen
from tracker.ui.screens.main_screen import MainScreen
from tracker.ui.widgets.detail_pane import DetailPane
from tracker.ui.widgets.filter_bar import FilterBar
from tracker.ui.widgets.task_table import TaskTable


def expected_keys(store: Any, query: str) -> list[str]:
    """Requirement ids the shared filter language selects (computed without the interface)."""
    loaded = store.load(2019)
    q = parse(query, loaded.registry)
    ctx = MatchContext(today=TODAY, registry=loaded.registry)
    return [r.id for t, r in q.requirements(loaded.plan, ctx)]


def status_text(app: Any) -> str:
    return str(app.main.query_one("#status-line", Static).render())


async def test_an_operator_lands_on_her_unit(make, store) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = app.main.query_one(TaskTable)
        assert app.main.query_bar.value == f"unit:{TOWN}"
        assert table.shown_keys == expected_keys(store, f"unit:{TOWN}")
        assert len(table.shown_keys) > 10
        # the detail pane highlights her own unit's assignment
        assert app.main.query_one(DetailPane).current_unit == TOWN
        assert f"unit:{TOWN}" in status_text(app)


async def test_the_office_lands_on_the_whole_plan(make, store) -> None:
    app = make(OFFICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.main.query_bar.value == ""
        assert app.main.query_one(TaskTable).shown_keys == [r.id for r in store.load(2019).plan.requirements()]


async def test_typing_a_filter_applies_it_live_without_rebuilding_per_keystroke(make, store, monkeypatch) -> None:
    rebuilds = calls(monkeypatch, TaskTable, "_rebuild")
    app = make(OFFICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = app.main.query_one(TaskTable)
        before = len(rebuilds)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"overdue")
        await settle(pilot, lambda: app.main.query_text == "overdue")
        assert table.shown_keys == expected_keys(store, "overdue")
        assert 0 < len(table.shown_keys) < len(list(store.load(2019).plan.requirements()))
        # seven keystrokes, at most a couple of rebuilds (debounced), never one per key
        assert len(rebuilds) - before <= 2
        # the same result again does not touch the rows at all
        before = len(rebuilds)
        app.main.apply_query("overdue ", force=True)
        await settle(pilot)
        assert len(rebuilds) == before
        await pilot.press("enter")
        assert isinstance(app.focused, TaskTable)


async def test_a_bad_query_shows_the_error_and_keeps_the_rows(make) -> None:
    app = make(OFFICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        shown = app.main.query_one(TaskTable).shown_keys
        await pilot.press("slash")
        # pasted in one piece: typed key by key, each prefix ("status", a word) would filter first
        app.main.query_bar.input.value = "status:bogus"
        await pilot.pause(0.4)
        await settle(pilot)
        error = app.main.query_one("#filter-error", Static)
        assert "bogus" in str(error.render()) and "✗" in str(error.render()) and error.display
        assert app.main.query_one(TaskTable).shown_keys == shown
        assert app.main.query_bar.input.has_class("-error")
        # markup-looking queries are text too
        app.main.query_bar.input.value = "[/] [@click=app.quit]"
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.is_running


async def test_one_key_filters(make, store) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = app.main.query_one(TaskTable)
        for key, query in [("o", "overdue"), ("w", "due-within:30"), ("n", "status:not_started"), ("a", ""),
                           ("m", f"unit:{TOWN}")]:
            await pilot.press(key)
            await settle(pilot, lambda q=query: app.main.query_text == q)
            assert app.main.query_bar.value == query
            assert table.shown_keys == expected_keys(store, query), key
            assert (query or "(无:全部)") in status_text(app)


async def test_edit_is_disabled_on_another_units_assignment_with_the_reason(make) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = app.main
        assert screen.check_action("edit_assignment", ()) is True
        detail = screen.query_one(DetailPane)
        assignments = detail.query_one("#assignments")
        other = next(i for i, u in enumerate(detail.units) if u != TOWN)
        assignments.highlighted = other
        await settle(pilot)
        assert screen.check_action("edit_assignment", ()) is None
        assert "只能修改本单位" in status_text(app)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_help_lists_every_key_and_the_palette_every_action(make) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = {(key, text) for _section, key, text in app.screen.rows}
        for binding in MainScreen.BINDINGS:
            key = {"slash": "/"}.get(binding.key, binding.key)
            assert any(k == key and text for k, text in shown), key
        assert ("ctrl+p", "命令") in shown and ("ctrl+s", "保存") in shown
        await pilot.press("escape")
        commands = list(app.get_system_commands(app.main))
        titles = {c.title.split()[0] for c in commands}
        assert {"修改", "任务历史", "总览", "年度", "逾期", "本单位", "退出", "帮助"} <= titles


async def test_english_labels(make) -> None:
    app = make(CLERK, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = app.main.query_one(TaskTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert "Status" in headers and "Due" in headers
        assert "not started" in str(table.get_row_at(0))
        assert "Filter" in status_text(app)


async def test_sections_tree_jumps_to_a_task(make) -> None:
    app = make(OFFICE)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        tree = app.main.query_one("#sections")
        assert tree.display  # wide terminal: the tree shows
        labels = [str(n.label) for n in tree.root.children]
        assert labels[0].startswith("一、") and any(s.startswith("二、") for s in labels)
        section_two = next(n for n in tree.root.children if str(n.label).startswith("二、"))
        tree.focus()
        tree.move_cursor(section_two)
        await pilot.press("enter")
        await settle(pilot)
        table = app.main.query_one(TaskTable)
        assert app.main.rows[table.current_key].section.startswith("二、")
        await pilot.press("t")
        await settle(pilot, lambda: not tree.display)


async def test_the_tree_is_hidden_at_80_columns_until_asked(make) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        tree = app.main.query_one("#sections")
        assert not tree.display
        await pilot.press("t")
        await settle(pilot, lambda: tree.display)
        assert app.focused is tree


async def test_filter_bar_is_a_filter_bar(make) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert isinstance(app.main.query_one(FilterBar), FilterBar)
        assert isinstance(app.main.query_one(TaskTable), DataTable)


async def test_the_command_palette_runs_actions(make) -> None:
    from tracker.ui.screens.dashboard_screen import DashboardScreen

    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"dashboard")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))  # raises if it never opens
        assert isinstance(app.screen, DashboardScreen)


async def test_an_unlisted_account_reads_and_is_told_how_to_be_added(make, store) -> None:
    app = make("stranger")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.main.query_bar.value == ""
        assert app.main.check_action("edit_assignment", ()) is None
        assert "tracker operator add" in status_text(app)


def test_every_label_has_both_languages() -> None:
    from tracker.ui import labels

    zh, en = labels.get("zh"), labels.get("en")
    for key in labels.all_keys():
        values = {"ref": "abc", "short": "abc", "subject": "s", "req": "1.1", "unit": "u", "task": 1, "line": 1,
                  "why": "w", "n": 1, "year": 2019, "today": "2019-09-01", "role": "r"}
        assert zh(key, **values) and en(key, **values), key


async def test_quick_filters_apply_per_keystroke_slow_ones_wait_for_a_pause(make, store, monkeypatch) -> None:
    from tracker.ui.screens.main_screen import MainScreen

    shown = calls(monkeypatch, TaskTable, "show_rows")
    rebuilds = calls(monkeypatch, TaskTable, "_rebuild")
    removed = calls(monkeypatch, TaskTable, "remove_row")
    app = make(OFFICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = app.main.query_one(TaskTable)
        await pilot.press("slash")
        before, rebuilt = len(shown), len(rebuilds)
        await pilot.press(*"公开")  # quick here: each key filters, the second narrows by removal
        await settle(pilot, lambda: app.main.query_text == "公开")
        assert len(shown) - before == 2
        assert table.shown_keys == expected_keys(store, "公开")
        assert len(rebuilds) - rebuilt <= 1 and removed
        # as if the last filter had been slow: typing waits for a pause, one filter in all
        app.main.query_bar.last_cost = 1.0
        await pilot.press("ctrl+u", *"overdue")
        await settle(pilot, lambda: app.main.query_text == "overdue" and len(shown) - before >= 3)
        await settle(pilot)
        assert len(shown) - before == 3
        assert app.main.query_bar.last_cost < 1.0  # measured again
        assert table.shown_keys == expected_keys(store, "overdue")
        assert isinstance(app.screen, MainScreen)
