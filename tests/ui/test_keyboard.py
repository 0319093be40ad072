"""Pilot tests of the keyboard as a person meets it (issue 14, item 6): the filter bar looks focused
only when it is, typing outside it never fires a key by surprise, one Tab reaches the assignments,
``?`` lists Tab and every key, and a long message is shown in full."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Input, OptionList, Static

from tests.ui.conftest import CLERK, OFFICE, TOWN
from tests.ui.helpers import opened, screen_text, settle
from tracker.ui.modals.conflict_modal import ConflictModal
from tracker.ui.modals.edit_assignment_modal import EditAssignmentModal
from tracker.ui.modals.plan_switch_modal import PlanSwitchModal
from tracker.ui.screens.dashboard_screen import DashboardScreen
from tracker.ui.screens.help_screen import HelpScreen
from tracker.ui.screens.history_screen import HistoryScreen
from tracker.ui.screens.main_screen import TYPING_GAP, MainScreen
from tracker.ui.widgets.detail_pane import AssignmentList
from tracker.ui.widgets.filter_bar import FilterBar
from tracker.ui.widgets.task_table import TaskTable


def label(app: Any) -> str:
    return str(app.main.query_one("#filter-label", Static).render())


def flat(text: str) -> str:
    """Screen text with line breaks and runs of spaces as one space (wrapped lines read on)."""
    return " ".join(text.split())


async def test_the_filter_bar_looks_focused_only_when_it_is(make) -> None:
    app = make(CLERK)
    async with opened(app) as pilot:
        bar = app.main.query_one(FilterBar)
        box = bar.input
        assert isinstance(app.focused, TaskTable)
        # unfocused: no prompt, no field to type in, a hint that / types a filter
        assert ">" not in label(app) and not bar.has_class("-focused")
        assert box.placeholder == "按 / 输入过滤条件"
        assert box.styles.background.a == 0  # transparent: the same as the line it sits on
        idle_colour = box.styles.color
        await pilot.press("slash")
        assert app.focused is box
        await settle(pilot)
        assert label(app).endswith(">") and bar.has_class("-focused")
        assert "unit:营里镇 overdue" in box.placeholder
        assert box.styles.background.a > 0 and box.styles.color != idle_colour
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, TaskTable)
        assert ">" not in label(app) and box.styles.background.a == 0


async def test_typing_a_filter_in_the_table_fires_no_key(make, store) -> None:
    app = make(OFFICE)
    async with opened(app) as pilot:
        assert isinstance(app.focused, TaskTable)
        # u is "unit history", n "not started", t "sections tree": none of them may fire
        await pilot.press(*f"unit:{TOWN}")
        await settle(pilot, lambda: app.main.query_text == f"unit:{TOWN}")
        assert isinstance(app.screen, MainScreen)
        assert isinstance(app.focused, Input) and app.main.query_bar.value == f"unit:{TOWN}"
        assert not app.main.query_one("#sections").display
        table = app.main.query_one(TaskTable)
        assert table.shown_keys and all(TOWN in app.main.rows[k].units for k in table.shown_keys)
        await pilot.press("enter")
        assert isinstance(app.focused, TaskTable)


async def test_a_burst_of_typing_arriving_at_once_loses_no_character(make) -> None:
    """Over SSH a typed word arrives in one read: keys after the first two were already sent to the
    table when the focus moved to the filter; they belong to the filter all the same."""
    app = make(OFFICE)
    async with opened(app) as pilot:
        for ch in f"unit:{TOWN} overdue":
            app.post_message(events.Key("space" if ch == " " else ch, ch))
        await settle(pilot, lambda: app.main.query_bar.value == f"unit:{TOWN} overdue")
        await settle(pilot, lambda: app.main.query_text == f"unit:{TOWN} overdue")
        assert isinstance(app.screen, MainScreen) and isinstance(app.focused, Input)


async def test_typing_in_the_assignment_list_goes_to_the_filter_too(make) -> None:
    app = make(OFFICE)
    async with opened(app) as pilot:
        app.main.query_one(AssignmentList).focus()
        await pilot.press(*"overdue")
        await settle(pilot, lambda: app.main.query_text == "overdue")
        assert isinstance(app.screen, MainScreen) and app.main.query_bar.value == "overdue"


async def test_a_character_no_key_is_bound_to_starts_a_filter_at_once(make) -> None:
    app = make(OFFICE)
    async with opened(app) as pilot:
        await pilot.press("营")
        await settle(pilot, lambda: isinstance(app.focused, Input))
        assert app.main.query_bar.value == "营"


async def test_a_lone_key_still_acts_after_the_typing_gap(make) -> None:
    app = make(OFFICE)
    async with opened(app) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, MainScreen)  # not yet: it waits to see whether typing follows
        await pilot.pause(TYPING_GAP + 0.1)
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        await pilot.press("escape")
        # a lone key followed by an arrow acts at once (the arrow is not typing)
        await pilot.press("o", "down")
        await settle(pilot, lambda: app.main.query_text == "overdue")
        assert isinstance(app.focused, TaskTable) and app.main.query_bar.value == "overdue"


async def test_one_tab_reaches_the_assignment_list(make) -> None:
    app = make(CLERK)
    async with opened(app) as pilot:
        assert isinstance(app.focused, TaskTable)
        await pilot.press("tab")
        assert isinstance(app.focused, AssignmentList)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, TaskTable)
        # the list still sits on the right of the requirement text
        text = app.main.query_one("#req-text-scroll")
        assert app.main.query_one(AssignmentList).region.x > text.region.x


async def test_help_lists_tab_and_every_key_of_every_screen(make) -> None:
    app = make(CLERK)
    async with opened(app) as pilot:
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        keys = {key for _section, key, _text in app.screen.rows}
        assert {"tab", "shift+tab", "enter", "esc"} <= keys
        assert any("unit:营里镇" in text for _s, key, text in app.screen.rows)  # typing goes to the filter
        screens = [MainScreen, EditAssignmentModal, ConflictModal, HistoryScreen, DashboardScreen, PlanSwitchModal]
        for screen in screens:
            for binding in screen.BINDINGS:
                key = binding.key_display or binding.key  # type: ignore[union-attr]
                key = {"slash": "/", "escape": "esc", "question_mark": "?"}.get(key, key)
                assert key in keys, (screen.__name__, key)
        assert "tab" in flat(screen_text(app))


async def test_the_unlisted_account_message_is_shown_in_full_at_80x24(make) -> None:
    app = make("stranger")
    async with opened(app):
        shown = flat(screen_text(app))
        assert "请管理员运行 tracker operator add stranger --unit 单位" in shown
        assert app.main.query_one("#status-line").size.height >= 2  # wrapped, not cut


async def test_a_long_filter_error_is_shown_in_full(make) -> None:
    app = make(OFFICE)
    async with opened(app) as pilot:
        await pilot.press("slash")
        app.main.query_bar.input.value = "status:" + "x" * 70
        await settle(pilot, lambda: app.main.query_one("#filter-error").display)
        await settle(pilot)
        assert "x" * 70 in flat(screen_text(app)).replace(" ", "")


async def test_english_hint(make) -> None:
    app = make(CLERK, lang="en")
    async with opened(app):
        assert app.main.query_bar.input.placeholder == "press / to type a filter"
        assert isinstance(app.main.query_one(AssignmentList), OptionList)
