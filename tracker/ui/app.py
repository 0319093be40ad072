"""TrackerApp: the terminal interface operators live in, built by :func:`make_app`.

| key | action |
|---|---|
| q | quit |
| ? / f1 | help: every key |
| ctrl+p | command palette: every action by name |

The app holds the :class:`~tracker.ui.session.Session` every screen reads (the loaded
plan, its year and tip, the operator's permissions, where the plan stands against the
shared remote), does all store I/O in thread workers that post messages back (loading,
polling the branch tip and the remote-tracking refs, saving, syncing), and answers the
messages screens post up (``MainScreen.EditRequested`` and the like).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from tracker.model import Requirement
from tracker.operators import Operator
from tracker.store import TASKS_DIR, Store
from tracker.sync import SyncError, SyncResult
from tracker.textsafe import clean_line
from tracker.ui import labels
from tracker.ui.backend import (
    Backend,
    Committed,
    EditConflict,
    EditRefused,
    FieldEdit,
    RemoteState,
    ServiceFactory,
    sync_summary,
)
from tracker.ui.figures import Figures, dashboard_figures
from tracker.ui.modals.conflict_modal import ConflictModal
from tracker.ui.modals.edit_assignment_modal import EditAssignmentModal
from tracker.ui.modals.plan_switch_modal import PlanSwitchModal
from tracker.ui.screens.dashboard_screen import DashboardScreen
from tracker.ui.screens.help_screen import HelpScreen, binding_rows, navigation_rows
from tracker.ui.screens.history_screen import HistoryScreen
from tracker.ui.screens.main_screen import MainScreen
from tracker.ui.session import OpenPlan, Session

if TYPE_CHECKING:
    from tracker.changes import Conflict

REFRESH_SECONDS = 2.0
# Worker groups whose failure the operator is told about, with the title of the notice.
FAILURE_TITLES = {"load": "load_failed", "save": "save_failed", "sync": "sync_failed"}


class TrackerApp(App[None]):
    """The tracker's terminal interface."""

    CSS_PATH = "app.tcss"
    TITLE = "tracker"
    BINDINGS = [
        Binding("q", "quit", "b_quit", id="quit"),
        Binding("question_mark,f1", "help", "b_help", id="help", key_display="?"),
    ]

    class Loaded(Message):
        """A load worker read a plan."""

        def __init__(self, plan: OpenPlan, reason: str) -> None:
            super().__init__()
            self.plan = plan
            self.reason = reason

    class TipMoved(Message):
        """The poll saw the branch at another commit than the one shown."""

        def __init__(self, year: int, tip: str) -> None:
            super().__init__()
            self.year = year
            self.tip = tip

    class Saved(Message):
        """The service committed the form's edits."""

        def __init__(self, committed: Committed) -> None:
            super().__init__()
            self.committed = committed

    class SaveConflicted(Message):
        """Someone changed a field the form changes since it opened."""

        def __init__(self, req: Requirement, unit: str, edits: list[FieldEdit], conflicts: list[Conflict]) -> None:
            super().__init__()
            self.req = req
            self.unit = unit
            self.edits = edits
            self.conflicts = conflicts

    class SaveRefused(Message):
        """The service refused the edits (permission, an invalid value, hand edits)."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class FiguresCounted(Message):
        """The dashboard's figures, counted over a plan read from the index."""

        def __init__(self, plan: OpenPlan, figures: Figures) -> None:
            super().__init__()
            self.plan = plan
            self.figures = figures

    class RemoteChecked(Message):
        """Where the plan stands against the shared remote (local refs only)."""

        def __init__(self, year: int, state: RemoteState) -> None:
            super().__init__()
            self.year = year
            self.state = state

    class Synced(Message):
        """A sync ran to its end (its result says whether every push went through)."""

        def __init__(self, result: SyncResult) -> None:
            super().__init__()
            self.result = result

    class SyncFailed(Message):
        """A sync could not go ahead (no usable remote, a failed fetch, hand edits)."""

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
        self.session = Session(backend, lang, today, requested_year=year)
        self.refresh_seconds = refresh_seconds
        self.title = self.t("app_title")
        self.main = MainScreen(self.session)

    def run(self, *args: Any, **kwargs: Any) -> None:
        """Run in the terminal, sized by the terminal itself.

        ``shutil.get_terminal_size`` (which Textual asks at start and on every resize) prefers
        ``COLUMNS``/``LINES`` from the environment over the tty: an exported, stale value (a test
        runner, a shell profile) froze the layout at that size, so the screen was drawn wider
        than the window (the tree shown at 80 columns, notices off the right edge).
        """
        if not kwargs.get("headless"):
            for name in ("COLUMNS", "LINES"):
                os.environ.pop(name, None)
        return super().run(*args, **kwargs)  # the snapshot plugin reads its screenshot from here

    # ---------------------------------------------------------------- shared state

    @property
    def today(self) -> date:
        return self.session.today

    @property
    def year(self) -> int:
        return self.session.year

    @property
    def ref(self) -> str | None:
        return self.session.ref

    # ---------------------------------------------------------------- start-up and loading

    def on_mount(self) -> None:
        self.install_screen(self.main, name="main")
        self.push_screen("main")
        self.load(self.session.requested_year, reason="open")
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.poll)

    def load(self, year: int | None, ref: str | None = None, reason: str = "reload") -> None:
        self._load(year, ref, reason)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load(self, year: int | None, ref: str | None, reason: str) -> None:
        backend = self.backend
        years = tuple(backend.years())
        newest = backend.default_year()
        chosen = year or newest
        tip = backend.tip(chosen)
        # The outline only: the table builds the tasks of the rows it shows (tracker.ui.paging).
        loaded, pages = backend.open_pages(chosen, tip, ref, self.session.today)
        permissions = {unit: backend.may_edit(chosen, unit) for unit in pages.units}
        self.post_message(self.Loaded(OpenPlan(chosen, newest, years, tip, ref, loaded, pages, permissions), reason))

    def check_remote(self, year: int, known: RemoteState | None) -> None:
        self._check_remote(year, known)

    @work(thread=True, exclusive=True, group="remote", exit_on_error=False)
    def _check_remote(self, year: int, known: RemoteState | None) -> None:
        """Compare local refs with remote-tracking refs (no network); post when it changed."""
        state = self.backend.remote_state(year)
        if state != known:
            self.post_message(self.RemoteChecked(year, state))

    def on_tracker_app_loaded(self, message: Loaded) -> None:
        previous = self.session.plan
        self.session.plan = message.plan
        self.main.plan_changed()
        self.check_remote(message.plan.year, None)
        if message.reason == "poll" and previous is not None and previous.tip != message.plan.tip:
            self.notify(self.t("refreshed", short=message.plan.tip[:7]), markup=False, timeout=3)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed: say why (one line, never a traceback); polls just try again."""
        if event.state is not WorkerState.ERROR:
            return
        group = event.worker.group
        if group == "sync":
            self._sync_finished()
        if group in FAILURE_TITLES:
            error = event.worker.error
            message = clean_line(str(error)) or type(error).__name__
            self.notify(message, title=self.t(FAILURE_TITLES[group]), severity="error", markup=False, timeout=15)

    def poll(self) -> None:
        """Every few seconds: has the branch moved? (one cheap ref read, off-thread)."""
        plan = self.session.plan
        if plan is None or plan.ref is not None:
            return
        self._check_tip(plan.year, plan.tip)
        self.check_remote(plan.year, self.session.remote_state)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _check_tip(self, year: int, known: str) -> None:
        tip = self.backend.tip(year)
        if tip != known:
            self.post_message(self.TipMoved(year, tip))

    def on_tracker_app_remote_checked(self, message: RemoteChecked) -> None:
        if message.year != self.year:
            return
        self.session.remote_state = message.state
        self.main.update_status()
        self.main.refresh_bindings()

    def on_tracker_app_tip_moved(self, message: TipMoved) -> None:
        plan = self.session.plan
        if plan is not None and message.year == plan.year and plan.ref is None:
            self.load(message.year, reason="poll")

    def reload(self) -> None:
        self.load(self.year or None, self.ref, reason="reload")

    def on_main_screen_reload_requested(self, message: MainScreen.ReloadRequested) -> None:
        self.reload()

    # ---------------------------------------------------------------- editing

    def on_main_screen_edit_requested(self, message: MainScreen.EditRequested) -> None:
        task, req, unit = message.task, message.req, message.unit
        assignment = req.assignments.get(unit)
        if assignment is None or self.session.edit_block_reason(unit):
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
        except EditRefused as exc:
            self.post_message(self.SaveRefused(exc.message))
            return
        self.post_message(self.Saved(committed))

    def on_tracker_app_saved(self, message: Saved) -> None:
        c = message.committed
        self.notify(self.t("saved", short=c.short, subject=c.subject), markup=False, timeout=6)
        self.reload()

    def on_tracker_app_save_refused(self, message: SaveRefused) -> None:
        self.notify(message.message, title=self.t("save_failed"), severity="error", markup=False, timeout=15)

    def on_tracker_app_save_conflicted(self, message: SaveConflicted) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "mine":
                theirs = {c.change.field: c.current for c in message.conflicts}
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

    def on_main_screen_sync_requested(self, message: MainScreen.SyncRequested) -> None:
        if self.session.sync_block_reason():
            return
        self.session.syncing = True
        self.main.update_status()
        self.main.refresh_bindings()
        self.notify(self.t("sync_started"), timeout=2)
        self._sync()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync(self) -> None:
        try:
            result = self.backend.sync()
        except SyncError as exc:  # speaks Chinese; anything else is reported by on_worker_state_changed
            self.post_message(self.SyncFailed(clean_line(str(exc)) or type(exc).__name__))
            return
        self.post_message(self.Synced(result))

    def _sync_finished(self) -> None:
        self.session.syncing = False
        self.reload()  # the plan as merged; the load re-reads the remote state too
        self.main.update_status()  # "syncing…" goes now, not when the reload lands
        self.main.refresh_bindings()

    def on_tracker_app_synced(self, message: Synced) -> None:
        result = message.result
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
        self.notify(message.message, title=self.t("sync_failed"), severity="error", markup=False, timeout=15)
        self._sync_finished()

    # ---------------------------------------------------------------- other screens

    def on_main_screen_history_requested(self, message: MainScreen.HistoryRequested) -> None:
        plan = self.session.plan
        if plan is None:
            return
        task, unit = message.task, message.unit
        title = self.t("history_task", task=task) if task is not None else self.t("history_unit", unit=clean_line(unit or ""))
        commit = plan.ref or plan.tip
        task_path = None
        if task is not None and task in plan.loaded.paths:  # else the history worker finds it (an indexed plan)
            task_path = TASKS_DIR + plan.loaded.paths[task]
        self.push_screen(
            HistoryScreen(self.backend, title, commit, task=task, unit=unit, task_path=task_path, lang=self.lang)
        )

    def on_history_screen_commit_chosen(self, message: HistoryScreen.CommitChosen) -> None:
        """Show the plan as it was at a commit, read-only (y goes back to the tip)."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.load(self.year, ref=message.commit, reason="jump")

    def on_main_screen_dashboard_requested(self, message: MainScreen.DashboardRequested) -> None:
        plan = self.session.plan
        if plan is None:
            return
        if not plan.pages.indexed:
            self.push_screen(DashboardScreen(plan.loaded, self.today, self.lang))
        else:  # the figures count every assignment: read from the index off the UI thread, a step at a time
            self._count_figures(plan)

    @work(thread=True, exclusive=True, group="figures", exit_on_error=False)
    def _count_figures(self, plan: OpenPlan) -> None:
        figures = dashboard_figures(plan.loaded, self.today, assignments=plan.pages.assignments())
        self.post_message(self.FiguresCounted(plan, figures))

    def on_tracker_app_figures_counted(self, message: FiguresCounted) -> None:
        plan = message.plan
        if plan is self.session.plan and self.screen is self.main:
            self.push_screen(DashboardScreen(plan.loaded, self.today, self.lang, figures=message.figures))

    def on_main_screen_plan_switch_requested(self, message: MainScreen.PlanSwitchRequested) -> None:
        plan = self.session.plan
        if plan is None:
            return

        def chosen(year: int | None) -> None:
            if year is not None:
                self.load(year, reason="switch")

        self.push_screen(PlanSwitchModal(list(plan.years), plan.year, plan.newest, self.lang), chosen)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        t, lang = self.t, self.lang
        sections = [
            (t("help_screen_nav"), navigation_rows(lang)),
            (t("help_screen_main"), binding_rows(list(MainScreen.BINDINGS), lang)),
            (t("help_screen_edit"), binding_rows(list(EditAssignmentModal.BINDINGS), lang)),
            (t("help_screen_conflict"), binding_rows(list(ConflictModal.BINDINGS), lang)),
            (t("help_screen_history"), binding_rows(list(HistoryScreen.BINDINGS), lang)),
            (t("help_screen_dashboard"), binding_rows(list(DashboardScreen.BINDINGS), lang)),
            (t("help_screen_switch"), binding_rows(list(PlanSwitchModal.BINDINGS), lang)),
            (t("help_screen_app"),
             binding_rows([*self.BINDINGS, Binding("ctrl+p", "command_palette", "b_palette")], lang)),
        ]
        self.push_screen(HelpScreen(sections, lang))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # q in a form would throw away what the operator typed: forms close with esc.
        in_form = isinstance(self.screen, ModalScreen) and not isinstance(self.screen, HelpScreen)
        return not (action == "quit" and in_form)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """One palette entry per action of the current screen and of the app."""
        nodes: tuple[tuple[App[None] | Screen[Any], list[Binding]], ...] = (
            (screen, list(Binding.make_bindings(screen.BINDINGS))),
            (self, list(Binding.make_bindings(self.BINDINGS))),
        )
        for node, bindings in nodes:
            for binding in bindings:
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
    store: Store,
    operator: Operator,
    year: int | None = None,
    lang: str = "zh",
    *,
    today: date | None = None,
    service_factory: ServiceFactory | None = None,
    refresh_seconds: float = REFRESH_SECONDS,
) -> TrackerApp:
    """The app as the CLI runs it and the tests drive it.

    Args:
        store: the store holding the plans.
        operator: who is at the keyboard.
        year: the plan year to open (default: the newest).
        lang: "zh" or "en".
        today: fixed "today" (tests and snapshots); default the real date.
        service_factory: ``(store, operator, year) -> Service``; default ``tracker.service.Service``.
        refresh_seconds: how often to look for commits made elsewhere (0: never).
    """
    backend = Backend(store, operator, service_factory)
    return TrackerApp(backend, year=year, lang=lang, today=today, refresh_seconds=refresh_seconds)
