"""Pilot tests of the write path from the interface: edit and commit, validation, conflict,
history, dashboard, year switch, and picking up commits made elsewhere."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Select, Static, TextArea

from tests.ui.conftest import CLERK, OFFICE, OTHER, TOWN, git, service_factory
from tests.ui.helpers import settle
from tracker.model import Status
from tracker.service import Change, Service
from tracker.ui.modals.conflict_modal import ConflictModal
from tracker.ui.modals.edit_assignment_modal import EditAssignmentModal, validate_evidence
from tracker.ui.modals.plan_switch_modal import PlanSwitchModal
from tracker.ui.screens.dashboard_screen import DashboardScreen
from tracker.ui.screens.history_screen import HistoryScreen
from tracker.ui.screens.main_screen import MainScreen
from tracker.ui.widgets.detail_pane import DetailPane
from tracker.ui.widgets.task_table import TaskTable

URL = "https://www.shouguang.gov.cn/zwgk/2019/0901.html"


async def open_form(app: Any, pilot: Any, key: str | None = None) -> EditAssignmentModal:
    await settle(pilot, lambda: app.main.rows_ready > 0)
    if key is not None:
        assert app.main.query_one(TaskTable).go_to(key)
        await settle(pilot)
    await pilot.press("e")
    await settle(pilot, lambda: isinstance(app.screen, EditAssignmentModal))
    return app.screen  # type: ignore[return-value]


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
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: bool(app.saves) and app.loads >= 2)
        assert isinstance(app.screen, MainScreen)
        commit = app.saves[-1]
        author = git(store_path, "log", "-1", "--format=%an|%ae|%s", "plan/2019")
        name, email, subject = author.split("|", 2)
        assert (name, email.split("@")[0]) == ("王芳", CLERK)
        assert subject == commit.subject and TOWN in subject and "已完成" in subject
        assert git(store_path, "rev-parse", "plan/2019").startswith(commit.short)
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


def test_evidence_rules() -> None:
    assert validate_evidence(f"{URL}\n\n寿政办发〔2019〕12号\n") == ([URL, "寿政办发〔2019〕12号"], None)
    for bad in ["file:///etc/passwd", "https://", "http://a b", "x" * 3000, "ftp://h/x"]:
        items, problem = validate_evidence(bad)
        assert items == [] and problem, bad


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
        assert [(c.field, c.seen, c.theirs, c.mine) for c in modal.conflicts] == [
            ("status", "not_started", "blocked", "done")
        ]
        assert modal.conflicts[0].by in ("李强", OTHER) and modal.conflicts[0].at.startswith("2019-09-01")
        await pilot.press("m")
        await settle(pilot, lambda: bool(app.saves) and app.loads >= 2)
        assert status_of(store, req.id) is Status.DONE
        assert "受阻 → 已完成" in app.saves[-1].subject


async def test_conflict_keep_theirs_commits_nothing(make, store, store_path) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        req = await save_done_after(app, pilot, store, "in_progress")
        tip = git(store_path, "rev-parse", "plan/2019")
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen) and app.loads >= 2)
        assert git(store_path, "rev-parse", "plan/2019") == tip
        assert status_of(store, req.id) is Status.IN_PROGRESS
        assert app.main.rows[req.id].status is Status.IN_PROGRESS
        assert not app.saves


async def test_history_diff_and_jump_to_a_commit(make, store, store_path) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        key = form.req.id
        await pilot.press("enter", "down", "enter", "ctrl+s")  # -> 推进中
        await settle(pilot, lambda: bool(app.saves) and app.loads >= 2)
        first = app.saves[-1]
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded)
        screen = app.screen
        status_events = [e for e in screen.events if e.field == "status"]
        assert status_events[0].requirement == key and status_events[0].unit == TOWN
        assert (status_events[0].old, status_events[0].new) == ("not_started", "in_progress")
        assert status_events[0].who == "王芳" and status_events[0].commit == first.commit
        row = [str(c) for c in screen.query_one(DataTable).get_row_at(0)]
        assert "未启动 → 推进中" in row
        await pilot.press("d")
        await settle(pilot)
        diff = str(screen.query_one("#diff", Static).render())
        assert 'status = "in_progress"' in diff
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen) and app.ref == first.commit)
        assert app.main.check_action("edit_assignment", ()) is None
        assert first.short in str(app.main.query_one("#title-bar", Static).render())
        # unit history from the main screen
        await pilot.press("u")
        await settle(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded)
        assert all(e.unit == TOWN for e in app.screen.events) and app.screen.events


async def test_dashboard(make, store) -> None:
    Service(store, store.operator(OFFICE), 2019).apply([Change(1, "1", TOWN, "status", "done")])
    app = make(OFFICE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.main.rows_ready > 0)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, DashboardScreen))
        figures = app.screen.figures
        town = next(p for p in figures.units if p.name == TOWN)
        assert town.done == 1 and town.total > 10
        assert figures.overdue > 0
        assert figures.units[0].overdue >= figures.units[-1].overdue
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
        await settle(pilot, lambda: app.main.rows_ready > 0)
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
        await settle(pilot, lambda: office.main.rows_ready > 0)
        assert office.year == 2019 and office.main.check_action("edit_assignment", ()) is True


async def test_picks_up_an_outside_commit_and_keeps_the_typing(make, store) -> None:
    app = make(CLERK, refresh_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.main.rows_ready > 0)
        key = app.main.query_one(TaskTable).shown_keys[0]
        await pilot.press("slash", "ctrl+u", *"unit:")
        loads = app.loads
        req = store.load(2019).plan.find_requirement(key)
        Service(store, store.operator(OTHER), 2019).apply([Change(req.task, req.key, TOWN, "status", "blocked")])
        # Quick filters apply per keystroke, so the rows now follow the half-typed words; the
        # reload is seen in the plan the screen shows.
        await settle(pilot, lambda: app.loads > loads and app.loaded is not None
                     and app.loaded.plan.find_requirement(key).assignments[TOWN].status is Status.BLOCKED)
        assert app.main.query_bar.value == "unit:"  # what she was typing is still there
        assert app.focused is app.main.query_bar.input


async def test_an_open_form_survives_an_outside_commit(make, store) -> None:
    app = make(CLERK, refresh_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#edit-note", TextArea).insert("正在填写的进展")
        loads = app.loads
        Service(store, store.operator(OTHER), 2019).apply([Change(1, "1", TOWN, "note", "别人的进展")])
        await settle(pilot, lambda: app.loads > loads)
        assert app.screen is form
        assert form.query_one("#edit-note", TextArea).text == "正在填写的进展"
        await pilot.press("ctrl+s")  # a note is appended: no conflict with theirs
        await settle(pilot, lambda: bool(app.saves) and app.loads > loads + 1)
        notes = [n.text for n in store.load(2019).plan.find_requirement(form.req.id).assignments[TOWN].notes]
        assert notes[-2:] == ["别人的进展", "正在填写的进展"]


async def test_hostile_text_is_shown_literally(make, store) -> None:
    hostile = "[/] [@click=app.quit] [b]x[/b] \x1b[31mred\x1b]0;title\x07 " + "长" * 4900  # within NOTE_MAX_CHARS
    Service(store, store.operator(OFFICE), 2019).apply([Change(1, "1", TOWN, "note", hostile)])
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: app.main.rows_ready > 0)
        assert app.main.query_one(TaskTable).go_to("1.1")
        await settle(pilot)
        prompt = str(app.main.query_one(DetailPane).query_one("#assignments").get_option(TOWN).prompt)
        assert "[/] [@click=app.quit] [b]x[/b]" in prompt and "\x1b" not in prompt and "\x07" not in prompt
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, EditAssignmentModal))
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
