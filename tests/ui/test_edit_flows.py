"""Pilot tests of the write path from the interface: edit and commit, validation, conflict,
history, dashboard, year switch, and picking up commits made elsewhere."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from textual.widgets import DataTable, Select, Static, TextArea

from tests.rules.test_every_entry_point import INVALID, refusal
from tests.ui.conftest import CLERK, OFFICE, OTHER, TOWN, git, service_factory
from tests.ui.helpers import ready, saved_notices, screen_text, settle
from tracker.model import Status
from tracker.rules import NOTE_MAX_CHARS
from tracker.service import Change, Service
from tracker.ui.modals.conflict_modal import ConflictModal
from tracker.ui.modals.edit_assignment_modal import EditAssignmentModal
from tracker.ui.modals.plan_switch_modal import PlanSwitchModal
from tracker.ui.screens.dashboard_screen import DashboardScreen
from tracker.ui.screens.history_screen import HistoryScreen
from tracker.ui.screens.main_screen import MainScreen
from tracker.ui.widgets.detail_pane import DetailPane
from tracker.ui.widgets.task_table import TaskTable

URL = "https://www.shouguang.gov.cn/zwgk/2019/0901.html"


async def open_form(app: Any, pilot: Any, key: str | None = None) -> EditAssignmentModal:
    await ready(pilot)
    if key is not None:
        assert app.main.query_one(TaskTable).go_to(key)
        await settle(pilot)
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(app.screen, EditAssignmentModal))
    return app.screen  # type: ignore[return-value]


def shows_tip(app: Any, store: Any) -> bool:
    """The app has read the branch as it is now (after its own commit or another's)."""
    plan = app.session.plan
    return plan is not None and plan.tip == store.tip(2019)


def status_of(store: Any, key: str, unit: str = TOWN) -> Status:
    req = store.load(2019).plan.find_requirement(key)
    return req.assignments[unit].status


async def test_edit_and_commit(make, store, store_path) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        key = form.req.id
        # status by keyboard: open the select, two down, enter -> 已完成
        await pilot.press("enter", "down", "down", "enter")
        assert form.query_one(Select).value == "done"
        await pilot.press("tab")
        note = form.query_one("#edit-note", TextArea)
        assert app.focused is note
        note.insert("已在政府网站公开,\n第二行 [/] [@click=app.quit]")
        form.query_one("#edit-evidence", TextArea).insert(URL)
        tip = store.tip(2019)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: store.tip(2019) != tip and shows_tip(app, store))
        assert isinstance(app.screen, MainScreen)
        author = git(store_path, "log", "-1", "--format=%an|%ae|%s|%h", "plan/2019")
        name, email, subject, short = author.split("|", 3)
        assert (name, email.split("@")[0]) == ("王芳", CLERK)
        assert TOWN in subject and "已完成" in subject
        assert saved_notices(app) == [f"已提交 {store.tip(2019)[:7]} {subject}"]
        body = git(store_path, "log", "-1", "--format=%B", "plan/2019")
        assert "[@click=app.quit]" in body
        # the table shows the new status, the detail pane the note and the URL
        assert status_of(store, key) is Status.DONE
        assert app.main.rows[key].status is Status.DONE
        detail = str(app.main.query_one(DetailPane).query_one("#assignments").get_option(TOWN).prompt)
        assert "[@click=app.quit]" in detail and URL in detail
        assert app.is_running


async def test_the_form_validates_before_saving(make, store_path) -> None:
    app = make(CLERK)
    tip = git(store_path, "rev-parse", "plan/2019")
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s")
        assert "没有任何修改" in str(form.query_one("#edit-error", Static).render())
        form.query_one("#edit-evidence", TextArea).insert("javascript:alert(1)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditAssignmentModal)
        assert "http" in str(form.query_one("#edit-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert git(store_path, "rev-parse", "plan/2019") == tip


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, v in INVALID if f != "status"])
async def test_the_form_refuses_what_the_rules_refuse_in_their_words(make, store_path, field: str,
                                                                     value: str) -> None:
    """Every invalid value of tests/rules reaches the form; the form says the core's refusal, commits nothing."""
    app = make(CLERK)
    tip = git(store_path, "rev-parse", "plan/2019")
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        box = form.query_one("#edit-note" if field == "note" else "#edit-evidence", TextArea)
        box.insert(("\n" if field == "evidence" and box.text else "") + value)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EditAssignmentModal)
        error = str(form.query_one("#edit-error", Static).render())
        assert refusal(field, value) in error
    assert git(store_path, "rev-parse", "plan/2019") == tip


async def test_the_form_offers_exactly_the_core_statuses_and_takes_a_document_number(make, store) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        select = form.query_one(Select)
        assert [value for _label, value in select._options] == [s.value for s in Status]
        form.query_one("#edit-evidence", TextArea).insert(f"{URL}\n\n 寿政办发〔2019〕12号 \n")
        edits, problem = form.edits()
        assert problem is None
        assert [(e.field, e.value) for e in edits] == [("evidence", URL), ("evidence", "寿政办发〔2019〕12号")]


async def save_done_after(app: Any, pilot: Any, store: Any, theirs: str) -> Any:
    """Open the form, let OTHER set the status to ``theirs`` meanwhile, choose 已完成 and save."""
    form = await open_form(app, pilot)
    req = form.req
    service_factory(store, store.operator(OTHER), 2019).apply([Change(req.task, req.key, TOWN, "status", theirs)])
    await pilot.press("enter", "down", "down", "enter", "ctrl+s")
    await settle(pilot, lambda: isinstance(app.screen, ConflictModal))
    return req


async def test_conflict_shows_both_values_and_apply_mine(make, store) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        req = await save_done_after(app, pilot, store, "blocked")
        modal = app.screen
        assert [(c.change.field, c.base, c.current, c.change.value) for c in modal.conflicts] == [
            ("status", "not_started", "blocked", "done")
        ]
        assert modal.conflicts[0].by in ("李强", OTHER) and f"{modal.conflicts[0].at:%Y-%m-%d}" == "2019-09-01"
        table = screen_text(app)
        assert "受阻" in table and "已完成" in table and "未启动" in table and "2019-09-01" in table
        await pilot.press("m")
        await settle(pilot, lambda: bool(saved_notices(app)) and shows_tip(app, store))
        assert status_of(store, req.id) is Status.DONE
        assert "受阻 → 已完成" in saved_notices(app)[-1]


async def test_conflict_keep_theirs_commits_nothing(make, store, store_path) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        req = await save_done_after(app, pilot, store, "in_progress")
        tip = git(store_path, "rev-parse", "plan/2019")
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen) and shows_tip(app, store))
        assert git(store_path, "rev-parse", "plan/2019") == tip
        assert status_of(store, req.id) is Status.IN_PROGRESS
        assert app.main.rows[req.id].status is Status.IN_PROGRESS
        assert not saved_notices(app)


async def test_history_diff_and_jump_to_a_commit(make, store, store_path) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        key = form.req.id
        await pilot.press("enter", "down", "enter", "ctrl+s")  # -> 推进中
        await settle(pilot, lambda: bool(saved_notices(app)) and shows_tip(app, store))
        first = store.tip(2019)
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded)
        screen = app.screen
        status_events = [e for e in screen.events if e.field == "status"]
        assert status_events[0].requirement == key and status_events[0].unit == TOWN
        assert (status_events[0].old, status_events[0].new) == ("not_started", "in_progress")
        assert status_events[0].who == "王芳" and status_events[0].commit == first
        row = [str(c) for c in screen.query_one(DataTable).get_row_at(0)]
        assert "未启动 → 推进中" in row
        await pilot.press("d")
        await settle(pilot)
        diff = str(screen.query_one("#diff", Static).render())
        assert 'status = "in_progress"' in diff
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen) and app.ref == first)
        assert app.main.check_action("edit_assignment", ()) is None
        assert first[:7] in str(app.main.query_one("#title-bar", Static).render())
        # unit history from the main screen
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded)
        assert all(e.unit == TOWN for e in app.screen.events) and app.screen.events


async def test_dashboard(make, store, store_path) -> None:
    Service(store, store.operator(OFFICE), 2019).apply([Change(1, "1", TOWN, "status", "done")])
    app = make(OFFICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        figures = app.screen.figures
        town = next(p for p in figures.units if p.name == TOWN)
        assert town.done == 1 and town.total > 10
        assert figures.overdue > 0
        # units in the registry's official order (tasks/units.toml, as the office lists them), not by code point
        registry = tomllib.loads((store_path / "tasks" / "units.toml").read_text(encoding="utf-8"))
        official = [*registry["units"], *registry.get("groups", {})]
        names = [p.name for p in figures.units]
        assert names == [u for u in official if u in names]
        assert names != sorted(names) and names[0] == "市政府办公室"
        assert TOWN in names
        assert all(u.due >= app.today for u in figures.upcoming)
        text = str(app.screen.query_one("#dashboard-units-text", Static).render())
        assert TOWN in text and "█" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_switch_plan_year_without_checkout(make, store, store_path) -> None:
    Service(store, store.operator(OFFICE), 2019).new_plan(2020, carry="all")
    head = git(store_path, "symbolic-ref", "HEAD")
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.year == 2020 and app.main.check_action("edit_assignment", ()) is True
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, PlanSwitchModal))
        await pilot.press("down", "enter")
        await settle(pilot, lambda: app.year == 2019 and isinstance(app.screen, MainScreen))
        assert app.main.check_action("edit_assignment", ()) is None
        assert "往年计划只读" in str(app.main.query_one("#status-line", Static).render())
    assert git(store_path, "symbolic-ref", "HEAD") == head
    office = make(OFFICE, year=2019)
    async with office.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert office.year == 2019 and office.main.check_action("edit_assignment", ()) is True


async def test_picks_up_an_outside_commit_and_keeps_the_typing(make, store) -> None:
    app = make(CLERK, refresh_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        key = app.main.query_one(TaskTable).shown_keys[0]
        await pilot.press("slash", "ctrl+u", *"unit:")
        req = store.load(2019).plan.find_requirement(key)
        Service(store, store.operator(OTHER), 2019).apply([Change(req.task, req.key, TOWN, "status", "blocked")])
        # Quick filters apply per keystroke, so the rows now follow the half-typed words; the
        # reload is seen in the plan the screen shows.
        await settle(pilot, lambda: shows_tip(app, store) and app.session.loaded is not None
                     and app.session.find_requirement(key)[1].assignments[TOWN].status is Status.BLOCKED)
        assert app.main.query_bar.value == "unit:"  # what she was typing is still there
        assert app.focused is app.main.query_bar.input


async def test_an_open_form_survives_an_outside_commit(make, store) -> None:
    app = make(CLERK, refresh_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#edit-note", TextArea).insert("正在填写的进展")
        Service(store, store.operator(OTHER), 2019).apply([Change(1, "1", TOWN, "note", "别人的进展")])
        await settle(pilot, lambda: shows_tip(app, store))
        assert app.screen is form
        assert form.query_one("#edit-note", TextArea).text == "正在填写的进展"
        await pilot.press("ctrl+s")  # a note is appended: no conflict with theirs
        await settle(pilot, lambda: bool(saved_notices(app)) and shows_tip(app, store))
        notes = [n.text for n in store.load(2019).plan.find_requirement(form.req.id).assignments[TOWN].notes]
        assert notes[-2:] == ["别人的进展", "正在填写的进展"]


async def test_hostile_text_is_shown_literally(make, store) -> None:
    hostile = "[/] [@click=app.quit] [b]x[/b] \x1b[31mred\x1b]0;title\x07 " + "长" * (NOTE_MAX_CHARS - 100)
    Service(store, store.operator(OFFICE), 2019).apply([Change(1, "1", TOWN, "note", hostile)])
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.main.query_one(TaskTable).go_to("1.1")
        await settle(pilot)
        prompt = str(app.main.query_one(DetailPane).query_one("#assignments").get_option(TOWN).prompt)
        assert "[/] [@click=app.quit] [b]x[/b]" in prompt and "\x1b" not in prompt and "\x07" not in prompt
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, EditAssignmentModal))
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
