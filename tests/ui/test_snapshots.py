"""Snapshot tests (pytest-textual-snapshot) of the key screens at 80x24 and 120x40.

Everything that could vary is fixed: "today", every commit's date (so commit ids are
stable), the login that creates the store, the service's clock. Regenerate with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the SVGs before
committing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import CLERK, OFFICE, OTHER, TODAY, TOWN, fixed_clock
from tests.ui.helpers import ready, settle
from tracker import operators
from tracker.git.repo import GitRepo
from tracker.service import Change, Service
from tracker.store import Store
from tracker.ui.app import make_app
from tracker.ui.modals.edit_assignment_modal import EditAssignmentModal
from tracker.ui.screens.dashboard_screen import DashboardScreen
from tracker.ui.screens.history_screen import HistoryScreen

SIZES = [(80, 24), (120, 40)]
WHEN = "2019-09-01T09:30:00+08:00"


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store whose every commit id is the same on every machine."""
    with pytest.MonkeyPatch.context() as mp:
        original = GitRepo.commit_tree

        def fixed_date(self: Any, tree: str, parents: Any, message: str, *, author: Any, when: Any = None,
                       signing_key: Any = None) -> str:
            # unsigned: each store's signing key is new, and a signature would change every commit id
            return original(self, tree, parents, message, author=author, when=when or WHEN)

        mp.setattr(GitRepo, "commit_tree", fixed_date)
        mp.setattr(operators, "_os_login", lambda: OFFICE)
        path: Path = tmp_path_factory.mktemp("snap") / "store"
        store = Store.init(path)
        office = Service(store, store.operator(OFFICE), 2019, clock=fixed_clock)
        office.add_operator(CLERK, [TOWN], "operator", name="王芳")
        office.add_operator(OTHER, [TOWN], "operator", name="李强")
        clerk = Service(store, store.operator(CLERK), 2019, clock=fixed_clock)
        clerk.apply([Change(1, "1", TOWN, "status", "in_progress"),
                     Change(1, "1", TOWN, "note", "已梳理新旧动能转换重大工程清单,\n待主管领导审核后公开")])
        clerk.apply([Change(1, "1", TOWN, "status", "done"),
                     Change(1, "1", TOWN, "evidence", "https://www.shouguang.gov.cn/zwgk/2019/0830.html")])
        clerk.apply([Change(2, "1", TOWN, "status", "blocked"), Change(2, "1", TOWN, "note", "[/] [@click=app.quit] 等待上级文件")])
        yield store


def app_for(store: Store, login: str = CLERK) -> Any:
    return make_app(store, store.operator(login), today=TODAY, refresh_seconds=0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare: Any, snapshot_store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(snapshot_store), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_office(snap_compare: Any, snapshot_store: Store, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(snapshot_store, OFFICE), terminal_size=size, run_before=ready)


def test_filter_bar_focused_with_an_error(snap_compare: Any, snapshot_store: Store) -> None:
    """/ pressed: the prompt and the highlighted field show where keys go; a bad query's error wraps below."""

    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        await pilot.press("slash")
        box = pilot.app.main.query_bar.input
        box.cursor_blink = False
        box.value = "unit:不存在的单位 status:done"  # at once: typed key by key, each prefix would filter
        box.cursor_position = len(box.value)
        await settle(pilot, lambda: pilot.app.main.query_one("#filter-error").display)

    assert snap_compare(app_for(snapshot_store), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_edit_form(snap_compare: Any, snapshot_store: Store, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        await pilot.press("down")
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(pilot.app.screen, EditAssignmentModal))

    assert snap_compare(app_for(snapshot_store), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history(snap_compare: Any, snapshot_store: Store, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        await pilot.press("h")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen) and pilot.app.screen.loaded)
        await pilot.press("d")
        await settle(pilot)

    assert snap_compare(app_for(snapshot_store), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare: Any, snapshot_store: Store, size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await ready(pilot)
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(pilot.app.screen, DashboardScreen))

    assert snap_compare(app_for(snapshot_store, OFFICE), terminal_size=size, run_before=run_before)
