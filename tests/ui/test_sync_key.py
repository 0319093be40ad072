"""Pilot tests of the sync key (s): sync with the shared remote, and the remote's state in the status line.

Site A is the ``store`` fixture (the app runs on it); the remote is a ``git clone --bare``
of it; site B is a plain ``git clone`` of the remote made a site by ``prepare_clone``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from textual.widgets import Static

from tests.ui.conftest import CLERK, OFFICE, OTHER, TOWN, fixed_clock
from tests.ui.helpers import notices, ready, settle
from tracker.service import Change, Service
from tracker.store import Store
from tracker.sync import add_remote, list_conflicts, prepare_clone, sync
from tracker.ui.backend import RemoteState
from tracker.ui.screens.help_screen import HelpScreen
from tracker.ui.screens.main_screen import MainScreen
from tracker.ui.widgets.detail_pane import DetailPane
from tracker.ui.widgets.key_bar import KeyBar
from tracker.ui.widgets.task_table import TaskTable

GIT = ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false"]
B_NOTE = "乙站补充的进展"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def status_text(app: Any) -> str:
    return str(app.main.query_one("#status-line", Static).render())


def share(store: Store, tmp_path: Path) -> Path:
    """A bare remote holding the store's plan, added to the store as ``origin`` and fetched once."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(store.path), str(remote))
    add_remote(store, store.operator(OFFICE), "origin", str(remote))
    sync(store, store.operator(OFFICE))
    return remote


def site(remote: Path, path: Path) -> Store:
    git(path.parent, "clone", "-q", str(remote), str(path))
    prepare_clone(path)
    return Store.open(path)


def edit(store: Store, login: str, *changes: Change) -> str:
    return str(Service(store, store.operator(login), 2019, clock=fixed_clock).apply(list(changes)).commit)


async def test_s_brings_the_other_sites_change_and_sends_ours(make, store: Store, tmp_path: Path) -> None:
    remote = share(store, tmp_path)
    b = site(remote, tmp_path / "b")
    edit(b, OTHER, Change(2, "1", TOWN, "note", B_NOTE))
    assert sync(b, b.operator(OTHER)).ok
    mine = edit(store, CLERK, Change(1, "1", TOWN, "status", "in_progress"))

    app = make(CLERK)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        # B's commit is not fetched yet: only our own commit shows
        assert app.session.remote_state == RemoteState("origin", 1, 0, True)
        assert "远端: 领先1" in status_text(app) and "落后" not in status_text(app)
        assert app.main.check_action("sync", ()) is True
        # a fetch made elsewhere (by hand, or another process): the periodic check sees it, no network
        git(store.path, "fetch", "-q", "origin")
        app.poll()
        await settle(pilot, lambda: app.session.remote_state is not None and app.session.remote_state.behind == 1)
        assert "远端: 领先1 落后1" in status_text(app)

        await pilot.press("s")
        await settle(pilot, lambda: bool(notices(app, "同步完成")) and "已同步" in status_text(app))
        assert app.session.remote_state == RemoteState("origin", 0, 0, True)
        [done] = notices(app, "同步完成")
        assert done.severity == "information"
        assert "收到 1 个提交,发出 2 个提交" in done.message  # ours and the merge
        # B's commit came in by a merge: the tip has two parents, ours and B's
        assert len(git(store.path, "rev-list", "--parents", "-n", "1", "plan/2019").split()) == 3
        assert B_NOTE in done.message and "没有冲突" in done.message
        # B's note is in A's plan, on screen
        _task, req = app.session.find_requirement("2.1")
        assert req is not None
        assignment = req.assignments[TOWN]
        assert any(B_NOTE in n.text for n in assignment.notes)
        table = app.main.query_one(TaskTable)
        table.go_to("2.1")
        await settle(pilot)
        detail = app.main.query_one(DetailPane)
        shown = str(detail.query_one("#assignments").get_option_at_index(detail.units.index(TOWN)).prompt)
        assert B_NOTE in shown
        # the remote has A's commit, and A the remote's tip
        remote_tip = git(remote, "rev-parse", "plan/2019")
        assert remote_tip == store.tip(2019)
        assert git(remote, "merge-base", mine, remote_tip) == mine


async def test_without_a_remote_the_key_is_off_and_nothing_is_said(make, store: Store) -> None:
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        assert app.session.remote_state == RemoteState(None)
        assert app.main.check_action("sync", ()) is False
        assert "没有配置远端" in (app.session.sync_block_reason() or "")
        assert "远端" not in status_text(app)
        tip = store.tip(2019)
        await pilot.press("s")
        await settle(pilot)
        assert not app.session.syncing and not notices(app)
        assert store.tip(2019) == tip
        assert not any("同步" in d for _k, d, _on in app.main.query_one(KeyBar)._items())
        assert not any(c.title.startswith("同步") for c in app.get_system_commands(app.main))


async def test_a_guest_sees_the_remote_state_but_may_not_sync(make, store: Store, tmp_path: Path) -> None:
    add_remote(store, store.operator(OFFICE), "origin", str(tmp_path / "nowhere.git"))
    app = make("stranger")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        assert app.session.remote_state is not None and app.session.remote_state.remote == "origin"
        assert not app.session.remote_state.known
        assert "远端: 未同步过" in status_text(app)
        assert "访客不能同步" in status_text(app)
        assert app.main.check_action("sync", ()) is None  # shown dimmed, not run
        await pilot.press("s")
        await settle(pilot)
        assert not app.session.syncing and not notices(app)
        assert ("s", "同步", False) in [(k, d, on) for k, d, on in app.main.query_one(KeyBar)._items()]


async def test_a_failed_fetch_is_an_error_in_chinese_and_nothing_moves(
    make, store: Store, tmp_path: Path
) -> None:
    add_remote(store, store.operator(OFFICE), "origin", str(tmp_path / "nowhere.git"))
    mine = edit(store, CLERK, Change(1, "1", TOWN, "status", "in_progress"))
    app = make(CLERK)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        # the palette and the help screen list the key, both from BINDINGS
        assert any(c.title.startswith("同步 sync") for c in app.get_system_commands(app.main))
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert any(k == "s" and d == "同步" for _s, k, d in app.screen.rows)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, MainScreen))

        await pilot.press("s")
        await settle(pilot, lambda: bool(notices(app, "同步失败(本站的提交都还在)")) and not app.session.syncing)
        [failed] = notices(app, "同步失败(本站的提交都还在)")
        assert failed.severity == "error" and "获取失败" in failed.message
        assert store.tip(2019) == mine
        assert "远端: 未同步过" in status_text(app)
        assert app.main.check_action("sync", ()) is True  # try again later


async def test_a_push_refused_by_the_remotes_hook_is_explained(make, store: Store, tmp_path: Path) -> None:
    remote = share(store, tmp_path)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho '本远端今天不收提交' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    before = git(remote, "rev-parse", "plan/2019")
    mine = edit(store, CLERK, Change(1, "1", TOWN, "status", "in_progress"))
    app = make(CLERK)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        await pilot.press("s")
        await settle(pilot, lambda: bool(notices(app, "同步未完成:远端拒绝了推送")) and not app.session.syncing
                     and app.session.remote_state is not None and app.session.remote_state.ahead == 1)
        [refused] = notices(app, "同步未完成:远端拒绝了推送")
        assert refused.severity == "error"
        assert "远端拒绝接收 plan/2019" in refused.message and "本远端今天不收提交" in refused.message
        assert store.tip(2019) == mine and git(remote, "rev-parse", "plan/2019") == before
        assert "远端: 领先1" in status_text(app)


async def test_a_conflict_is_announced_as_a_warning(make, store: Store, tmp_path: Path) -> None:
    remote = share(store, tmp_path)
    b = site(remote, tmp_path / "b")
    edit(b, OTHER, Change(1, "1", TOWN, "status", "blocked"))
    assert sync(b, b.operator(OTHER)).ok
    edit(store, CLERK, Change(1, "1", TOWN, "status", "done"))
    app = make(CLERK)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        await pilot.press("s")
        await settle(pilot, lambda: bool(notices(app, "同步完成")) and "已同步" in status_text(app))
        conflicts = list_conflicts(store, 2019)
        assert ("status", "done", "blocked") in [(c.field, c.ours, c.theirs) for c in conflicts]
        [done] = notices(app, "同步完成")
        assert done.severity == "warning" and f"待裁决的冲突 {len(conflicts)} 处" in done.message
        assert git(remote, "rev-parse", "plan/2019") == store.tip(2019)


async def test_the_remote_state_in_english(make, store: Store, tmp_path: Path) -> None:
    add_remote(store, store.operator(OFFICE), "origin", str(tmp_path / "nowhere.git"))
    app = make("stranger", lang="en")
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await settle(pilot, lambda: app.session.remote_state is not None)
        assert "remote: never synced (a guest cannot sync" in status_text(app)


def test_several_remotes_and_none_named_origin_is_said_plainly(store: Store, tmp_path: Path) -> None:
    from tracker.ui.backend import Backend

    for name in ("a", "b"):
        add_remote(store, store.operator(OFFICE), name, str(tmp_path / f"{name}.git"))
    state = Backend(store, store.operator(CLERK)).remote_state(2019)
    assert state.remote == "" and "有多个远端" in state.problem


def test_the_summary_keeps_to_a_few_events_and_says_how_many_more() -> None:
    from tracker.sync import PlanSync, SyncResult
    from tracker.ui import labels
    from tracker.ui.backend import sync_summary

    plan = PlanSync(
        2019,
        came_in=5,
        went_out=1,
        events_in=[f"任务{i}.1 进展" for i in range(5)],
        events_out=["任务9.1 状态"],
    )
    text = sync_summary(SyncResult("origin", "/r.git", plans=[plan]), labels.get("zh"), events=3)
    lines = text.splitlines()
    assert lines[0] == "收到 5 个提交,发出 1 个提交"
    assert [x for x in lines if x.startswith("收到:")] == [
        "收到: 任务0.1 进展",
        "收到: 任务1.1 进展",
        "收到: 任务2.1 进展",
    ]
    assert "……另有 2 项" in lines and "发出: 任务9.1 状态" in lines and lines[-1] == "没有冲突"
    english = sync_summary(SyncResult("origin", "/r.git", plans=[plan]), labels.get("en"), events=3)
    assert english.splitlines()[0] == "5 commits in, 1 commits out"
