"""TrackerApp: the terminal interface operators live in, built by :func:`make_app`.

| key | action |
|---|---|
| q | quit |
| ? / f1 | help: every key |
| ctrl+p | command palette: every action by name |

The app holds what every screen shares (the loaded plan, its year and tip, the
operator's permissions, where the plan stands against the shared remote) and
does all store I/O in thread workers that post messages back: loading, polling
the branch tip and the remote-tracking refs, saving, syncing, reading history.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen

from tracker.model import Requirement, Task
from tracker.operators import ROLE_LABELS
from tracker.planio import LoadedPlan
from tracker.store import TASKS_DIR
from tracker.textsafe import clean_line
from tracker.ui import labels
from tracker.ui.backend import (
    Backend,
    Committed,
    ConflictView,
    EditConflict,
    FieldEdit,
    RemoteState,
    my_unit_query,
    sync_summary,
)
from tracker.ui.modals.conflict_modal import ConflictModal
from tracker.ui.modals.edit_assignment_modal import EditAssignmentModal
from tracker.ui.modals.plan_switch_modal import PlanSwitchModal
from tracker.ui.screens.dashboard_screen import DashboardScreen
from tracker.ui.screens.help_screen import HelpScreen
from tracker.ui.screens.history_screen import HistoryScreen
from tracker.ui.screens.main_screen import MainScreen

REFRESH_SECONDS = 2.0


@dataclass(frozen=True)
class Snapshot:
    """One load of a plan: what the worker read, handed to the UI thread in one piece."""

    year: int
    newest: int
    years: tuple[int, ...]
    tip: str
    ref: str | None
    loaded: LoadedPlan
    permissions: dict[str, tuple[bool, str]]


class TrackerApp(App[None]):
    """The tracker's terminal interface."""

    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    BINDINGS = [
        Binding("q", "quit", "b_quit", id="quit"),
        Binding("question_mark,f1", "help", "b_help", id="help", key_display="?"),
    ]

    class Loaded(Message):
        def __init__(self, snapshot: Snapshot, reason: str) -> None:
            super().__init__()
            self.snapshot = snapshot
            self.reason = reason

    class LoadFailed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class TipMoved(Message):
        def __init__(self, year: int, tip: str) -> None:
            super().__init__()
            self.year = year
            self.tip = tip

    class Saved(Message):
        def __init__(self, committed: Committed) -> None:
            super().__init__()
            self.committed = committed

    class SaveConflicted(Message):
        def __init__(self, req: Requirement, unit: str, edits: list[FieldEdit], conflicts: list[ConflictView]) -> None:
            super().__init__()
            self.req = req
            self.unit = unit
            self.edits = edits
            self.conflicts = conflicts

    class SaveFailed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class RemoteChecked(Message):
        def __init__(self, year: int, state: RemoteState) -> None:
            super().__init__()
            self.year = year
            self.state = state

    class Synced(Message):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    class SyncFailed(Message):
        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    def __init__(
        self,
        backend: Backend,
        year: int | None = None,
        lang: str = "zh",
        today: date | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.lang = lang
        self.t = labels.get(lang)
        self.fixed_today = today
        self.requested_year = year
        self.refresh_seconds = refresh_seconds
        self.snapshot: Snapshot | None = None
        self.ref: str | None = None
        self.loads = 0  # completed loads (tests wait on it)
        self.saves: list[Committed] = []
        self.remote_state: RemoteState | None = None  # None until the first check
        self.syncing = False
        self.syncs: list[Any] = []  # SyncResult of each sync that ran (tests wait on it)
        self.sync_errors: list[str] = []  # why each failed sync failed
        self.title = self.t("app_title")

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run in the terminal, sized by the terminal itself.

        ``shutil.get_terminal_size`` (which Textual asks at start and on every resize) prefers
        ``COLUMNS``/``LINES`` from the environment over the tty: an exported, stale value (a test
        runner, a shell profile) froze the layout at that size, so the screen was drawn wider
        than the window (the tree shown at 80 columns, notices off the right edge).
        """
        if not kwargs.get("headless"):
            for name in ("COLUMNS", "LINES"):
                os.environ.pop(name, None)
        return super().run(*args, **kwargs)

    # ---------------------------------------------------------------- shared state

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    @property
    def loaded(self) -> LoadedPlan | None:
        return self.snapshot.loaded if self.snapshot else None

    @property
    def year(self) -> int:
        if self.snapshot is not None:
            return self.snapshot.year
        return self.requested_year or 0

    @property
    def main(self) -> MainScreen:
        return self.get_screen("main")  # type: ignore[return-value]

    def my_unit_query(self) -> str:
        return my_unit_query(self.backend.units)

    def initial_query(self) -> str:
        """Operators land on their unit; the office and readers on the whole plan."""
        if self.backend.is_admin or not self.backend.units:
            return ""
        return self.my_unit_query()

    def edit_block_reason(self, unit: str) -> str | None:
        """Why this operator may not edit this unit's assignment now; None when she may."""
        snap = self.snapshot
        if snap is None:
            return self.t("loading")
        if self.ref:
            return self.t("readonly_ref", ref=self.ref[:7])
        if snap.year != snap.newest and not self.backend.is_admin:
            return self.t("readonly_past_year")
        allowed, reason = snap.permissions.get(unit, (False, self.t("not_yours")))
        return None if allowed else (reason or self.t("not_yours"))

    # ---------------------------------------------------------------- start-up and loading

    def on_mount(self) -> None:
        self.install_screen(MainScreen(self.lang, self.initial_query()), name="main")
        self.push_screen("main")
        self.load(self.requested_year, reason="open")
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.poll)

    def load(self, year: int | None, ref: str | None = None, reason: str = "reload") -> None:
        self._load(year, ref, reason)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, year: int | None, ref: str | None, reason: str) -> None:
        backend = self.backend
        try:
            years = tuple(backend.years())
            newest = backend.default_year()
            chosen = year or newest
            tip = backend.tip(chosen)
            loaded = backend.load(chosen, ref=ref) if ref else backend.load(chosen)
            permissions = {}
            units = {a.unit for _t, _r, a in loaded.plan.assignments()}
            for unit in units:
                try:
                    permissions[unit] = backend.may_edit(chosen, unit)
                except Exception as exc:  # one unit's error must not hide the plan
                    permissions[unit] = (False, clean_line(str(exc)))
        except Exception as exc:
            self.post_message(self.LoadFailed(clean_line(str(exc)) or type(exc).__name__))
            return
        self.post_message(self.Loaded(Snapshot(chosen, newest, years, tip, ref, loaded, permissions), reason))
        self._post_remote_state(chosen, None)

    def _post_remote_state(self, year: int, known: RemoteState | None) -> None:
        """(In a worker.) Compare local refs with remote-tracking refs; post when it changed."""
        try:
            state = self.backend.remote_state(year)
        except Exception:
            return  # a transient read error: the status line keeps what it had
        if state != known:
            self.post_message(self.RemoteChecked(year, state))

    def on_tracker_app_loaded(self, message: Loaded) -> None:
        previous = self.snapshot
        self.snapshot = message.snapshot
        self.ref = message.snapshot.ref
        self.loads += 1
        self.main.plan_changed()
        if (
            message.reason == "poll"
            and previous is not None
            and previous.tip != message.snapshot.tip
        ):
            self.notify(self.t("refreshed", short=message.snapshot.tip[:7]), markup=False, timeout=3)

    def on_tracker_app_load_failed(self, message: LoadFailed) -> None:
        self.notify(message.message, title=self.t("load_failed"), severity="error", markup=False)

    def poll(self) -> None:
        """Every few seconds: has the branch moved? (one cheap ref read, off-thread)."""
        if self.snapshot is None or self.ref is not None:
            return
        self._check_tip(self.snapshot.year, self.snapshot.tip, self.remote_state)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _check_tip(self, year: int, known: str, remote: RemoteState | None) -> None:
        try:
            tip = self.backend.tip(year)
        except Exception:
            return  # a transient read error: the next tick tries again
        if tip != known:
            self.post_message(self.TipMoved(year, tip))
        # No network: only local refs against what the last fetch left in refs/remotes.
        self._post_remote_state(year, remote)

    def on_tracker_app_remote_checked(self, message: RemoteChecked) -> None:
        if message.year != self.year:
            return
        self.remote_state = message.state
        self.main.update_status()
        self.main.refresh_bindings()

    def on_tracker_app_tip_moved(self, message: TipMoved) -> None:
        if self.snapshot is not None and message.year == self.snapshot.year and self.ref is None:
            self.load(message.year, reason="poll")

    def reload(self) -> None:
        self.load(self.year or None, self.ref, reason="reload")

    # ---------------------------------------------------------------- editing

    def open_edit(self, task: Task, req: Requirement, unit: str) -> None:
        assignment = req.assignments.get(unit)
        if assignment is None or self.edit_block_reason(unit):
            return
        modal = EditAssignmentModal(req, assignment, f"{task.number} {task.title}", self.lang)
        self.push_screen(modal, partial(self._edit_done, req, unit))

    def _edit_done(self, req: Requirement, unit: str, edits: list[FieldEdit] | None) -> None:
        if edits:
            self.notify(self.t("saving"), timeout=1.5)
            self.save(req, unit, edits)

    def save(self, req: Requirement, unit: str, edits: list[FieldEdit]) -> None:
        self._save(self.year, req, unit, edits)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, year: int, req: Requirement, unit: str, edits: list[FieldEdit]) -> None:
        try:
            committed = self.backend.apply(year, req, unit, edits)
        except EditConflict as exc:
            self.post_message(self.SaveConflicted(req, unit, edits, exc.conflicts))
            return
        except Exception as exc:
            self.post_message(self.SaveFailed(clean_line(str(exc)) or type(exc).__name__))
            return
        self.post_message(self.Saved(committed))

    def on_tracker_app_saved(self, message: Saved) -> None:
        c = message.committed
        self.saves.append(c)
        self.notify(self.t("saved", short=c.short, subject=c.subject), markup=False, timeout=6)
        self.reload()

    def on_tracker_app_save_failed(self, message: SaveFailed) -> None:
        self.notify(message.message, title=self.t("save_failed"), severity="error", markup=False, timeout=8)

    def on_tracker_app_save_conflicted(self, message: SaveConflicted) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "mine":
                theirs = {c.field: c.theirs for c in message.conflicts}
                edits = [
                    FieldEdit(e.field, e.value, theirs[e.field]) if e.field in theirs and e.expected is not None else e
                    for e in message.edits
                ]
                self.save(message.req, message.unit, edits)
            else:
                self.notify(self.t("kept_theirs"), markup=False)
                self.reload()

        self.push_screen(ConflictModal(message.conflicts, self.lang), chosen)

    # ---------------------------------------------------------------- sync with the shared remote

    def sync_block_reason(self) -> str | None:
        """Why the sync key is off now, or None when it is on (no I/O)."""
        state = self.remote_state
        if state is None or state.remote is None:
            return self.t("sync_no_remote")
        if not self.backend.may_sync:
            role = self.backend.role
            return self.t("sync_role", role=ROLE_LABELS.get(role, role) if self.lang != "en" else role)
        if self.syncing:
            return self.t("sync_running")
        return None

    def start_sync(self) -> None:
        if self.sync_block_reason():
            return
        self.syncing = True
        self.main.update_status()
        self.main.refresh_bindings()
        self.notify(self.t("sync_started"), timeout=2)
        self._sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync(self) -> None:
        try:
            result = self.backend.sync()
        except Exception as exc:  # SyncError speaks Chinese; anything else is shown as it is
            self.post_message(self.SyncFailed(clean_line(str(exc)) or type(exc).__name__))
            return
        self.post_message(self.Synced(result))

    def _sync_finished(self) -> None:
        self.syncing = False
        self.reload()  # the plan as merged; the load re-reads the remote state too
        self.main.refresh_bindings()

    def on_tracker_app_synced(self, message: Synced) -> None:
        result = message.result
        self.syncs.append(result)
        summary = sync_summary(result, self.t)
        if result.ok:
            if result.conflicts:
                self.notify(summary, title=self.t("sync_done"), severity="warning", markup=False, timeout=15)
            else:
                self.notify(summary, title=self.t("sync_done"), markup=False, timeout=10)
        else:
            self.notify(summary, title=self.t("sync_partly"), severity="error", markup=False, timeout=15)
        self._sync_finished()

    def on_tracker_app_sync_failed(self, message: SyncFailed) -> None:
        self.sync_errors.append(message.message)
        self.notify(message.message, title=self.t("sync_failed"), severity="error", markup=False, timeout=15)
        self._sync_finished()

    # ---------------------------------------------------------------- other screens

    def open_history(self, task: int | None = None, unit: str | None = None) -> None:
        snap = self.snapshot
        if snap is None:
            return
        title = self.t("history_task", task=task) if task is not None else self.t("history_unit", unit=clean_line(unit or ""))
        commit = self.ref or snap.tip
        task_path = None
        if task is not None and task in snap.loaded.paths:
            task_path = TASKS_DIR + snap.loaded.paths[task]
        self.push_screen(HistoryScreen(title, commit, task=task, unit=unit, task_path=task_path, lang=self.lang))

    def open_at_commit(self, commit: str) -> None:
        """Show the plan as it was at a commit, read-only (y goes back to the tip)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.load(self.year, ref=commit, reason="jump")

    def open_dashboard(self) -> None:
        if self.loaded is not None:
            self.push_screen(DashboardScreen(self.lang))

    def open_plan_switch(self) -> None:
        snap = self.snapshot
        if snap is None:
            return

        def chosen(year: int | None) -> None:
            if year is not None:
                self.ref = None
                self.load(year, reason="switch")

        self.push_screen(PlanSwitchModal(list(snap.years), snap.year, snap.newest, self.lang), chosen)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        t = self.t
        sections = [
            (t("help_screen_main"), list(MainScreen.BINDINGS)),
            (t("help_screen_edit"), list(EditAssignmentModal.BINDINGS)),
            (t("help_screen_conflict"), list(ConflictModal.BINDINGS)),
            (t("help_screen_history"), list(HistoryScreen.BINDINGS)),
            (t("help_screen_dashboard"), list(DashboardScreen.BINDINGS)),
            (t("help_screen_app"), [*self.BINDINGS, Binding("ctrl+p", "command_palette", "b_palette")]),
        ]
        self.push_screen(HelpScreen(sections, self.lang))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # q in a form would throw away what the operator typed: forms close with esc.
        in_form = isinstance(self.screen, ModalScreen) and not isinstance(self.screen, HelpScreen)
        return not (action == "quit" and in_form)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """One palette entry per action of the current screen and of the app."""
        for node, bindings in ((screen, screen.BINDINGS), (self, self.BINDINGS)):
            for binding in Binding.make_bindings(bindings):
                action = binding.action
                name = action.split("(")[0]
                if node.check_action(name, ()) is not True:
                    continue
                title = labels.describe(binding.description, self.lang)
                key = binding.key_display or binding.key.split(",")[0]
                # The action's English name too, so "dashboard" finds 总览.
                yield SystemCommand(f"{title} {name.replace('_', ' ')}", f"{key}", partial(node.run_action, action))
        yield from super().get_system_commands(screen)


def make_app(
    store: Any,
    operator: Any,
    year: int | None = None,
    lang: str = "zh",
    *,
    today: date | None = None,
    service_factory: Any = None,
    refresh_seconds: float = REFRESH_SECONDS,
) -> TrackerApp:
    """The app as the CLI runs it and the tests drive it.

    Args:
        store: a ``tracker.store.Store``.
        operator: the ``tracker.operators.Operator`` at the keyboard.
        year: the plan year to open (default: the newest).
        lang: "zh" or "en".
        today: fixed "today" (tests and snapshots); default the real date.
        service_factory: ``(store, operator, year) -> Service``; default ``tracker.service.Service``.
        refresh_seconds: how often to look for commits made elsewhere (0: never).
    """
    backend = Backend(store, operator, service_factory)
    return TrackerApp(backend, year=year, lang=lang, today=today, refresh_seconds=refresh_seconds)


