"""MainScreen: sections tree, task table, detail pane and the filter bar.

| key | action |
|---|---|
| / | type a filter (live; enter or esc returns to the table) |
| m | my unit's assignments |
| o | overdue |
| w | due within 30 days |
| n | not started |
| a | the whole plan (no filter) |
| e | edit the highlighted assignment |
| h | history of the selected task |
| u | history of the highlighted unit |
| d | dashboard |
| y | switch plan year (or leave a past commit) |
| t | show or hide the sections tree |
| r | reload now |
| s | sync with the shared remote (only shown when the store has one) |
| tab / shift+tab | next / previous pane: table -> assignments -> requirement text -> filter (-> tree) |
| any other character | typing outside the filter starts a filter (a lone letter is its key) |

The screen owns no data: it reads the app's :class:`~tracker.ui.session.Session` and
the app calls :meth:`MainScreen.plan_changed` after every (re)load. What needs the app
(edit, history, dashboard, year, reload, sync) is asked for with a message
(``MainScreen.EditRequested`` ...).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from tracker.model import Requirement, Task
from tracker.textsafe import clean_line
from tracker.ui import labels
from tracker.ui.paging import RowFeed
from tracker.ui.rows import QUICK_FILTERS, AssignmentMatcher, FilterContext, FilterError, Row
from tracker.ui.session import Session
from tracker.ui.widgets.detail_pane import AssignmentList, DetailPane
from tracker.ui.widgets.filter_bar import FilterBar
from tracker.ui.widgets.key_bar import KeyBar
from tracker.ui.widgets.section_tree import SectionTree
from tracker.ui.widgets.task_table import TaskTable

# Below this width the table needs the room; t shows the sections tree.
TREE_MIN_WIDTH = 110
# Actions that change data; check_action disables them with a reason.
EDIT_ACTIONS = frozenset({"edit_assignment"})
# A bound letter followed within this many seconds by another character is typing, not a key:
# people type the letters of a word 0.1-0.25 s apart; a lone key waits this long before it acts.
TYPING_GAP = 0.3
# Rows that took less than this to build are built on the UI thread (S and M plans);
# slower ones (L) in a thread worker, so typing never waits on them.
INLINE_BUILD = 0.05
# Rows built per page: this many at least, else three table heights; scrolling near the
# last row built fetches the next page (tracker.ui.paging).
PAGE_MIN = 100
PAGES_AHEAD = 3


class MainScreen(Screen[None]):
    """What an operator sees all day."""

    # Focus settles on the table while the screen is composed, before the first paint: a
    # focus() in on_mount lands later, and keys typed meanwhile went to the filter input.
    AUTO_FOCUS = "TaskTable"

    BINDINGS = [
        Binding("slash", "focus_filter", "b_filter", id="filter", key_display="/"),
        Binding("m", "quick_filter('mine')", "b_mine", id="mine"),
        Binding("o", "quick_filter('overdue')", "b_overdue", id="overdue"),
        Binding("w", "quick_filter('due30')", "b_due30", id="due30"),
        Binding("n", "quick_filter('not_started')", "b_not_started", id="not_started"),
        Binding("a", "quick_filter('all')", "b_all", id="all"),
        Binding("e", "edit_assignment", "b_edit", id="edit"),
        Binding("h", "task_history", "b_history", id="task_history"),
        Binding("u", "unit_history", "b_unit_history", id="unit_history"),
        Binding("d", "dashboard", "b_dashboard", id="dashboard"),
        Binding("y", "switch_plan", "b_plan", id="switch_plan"),
        Binding("t", "toggle_tree", "b_tree", id="toggle_tree"),
        Binding("r", "reload", "b_refresh", id="reload"),
        Binding("s", "sync", "b_sync", id="sync"),
    ]

    class EditRequested(Message):
        """Open the edit form on this unit's assignment."""

        def __init__(self, task: Task, req: Requirement, unit: str) -> None:
            super().__init__()
            self.task = task
            self.req = req
            self.unit = unit

    class HistoryRequested(Message):
        """Show the history of one task or of one unit."""

        def __init__(self, task: int | None = None, unit: str | None = None) -> None:
            super().__init__()
            self.task = task
            self.unit = unit

    class DashboardRequested(Message):
        """Show the dashboard."""

    class PlanSwitchRequested(Message):
        """Choose another plan year."""

    class ReloadRequested(Message):
        """Read the plan again now."""

    class SyncRequested(Message):
        """Sync with the shared remote."""

    class RowsReady(Message):
        """Rows built for a query (inline or by a rows worker): its first page, or the next one."""

        def __init__(self, query: str, generation: int, feed: RowFeed, rows: list[Row], cost: float = 0.0,
                     first: bool = True) -> None:
            super().__init__()
            self.query = query
            self.generation = generation
            self.feed = feed
            self.rows = rows  # the rows this step built
            self.cost = cost  # seconds the step took
            self.first = first  # the filter's first page (the table is replaced), else appended

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.lang = session.lang
        self.initial_query = session.initial_query()
        self.query_text = self.initial_query
        self.rows: dict[str, Row] = {}  # the rows built so far for the filter shown
        self.feed: RowFeed | None = None
        self._more_pending = False  # a next page is being built
        self._seek_task: int | None = None  # the sections tree asked for this task: go there when built
        self._generation = 0
        self._tree_auto = True  # the tree follows the width until t is pressed
        # The filter the operator typed last and when: its cost decides the next debounce.
        self._typed_generation = -1
        self._typed_at = 0.0
        self._build_cost: float | None = None  # the last build_rows, in seconds (None: not yet)
        self._held: events.Key | None = None  # a bound letter waiting to see whether typing follows
        self._held_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        yield Static(Text(t("loading")), id="title-bar")
        yield FilterBar(self.lang, self.initial_query, id="filter-bar")
        with Horizontal(id="main-body"):
            yield SectionTree(id="sections")
            with Vertical(id="right"):
                yield TaskTable(self.lang, self.session.today, id="tasks")
                yield DetailPane(self.lang, self.session.today, id="detail")
        yield Static(Text(""), id="status-line")
        yield KeyBar(self.lang)

    def on_mount(self) -> None:
        self.set_tree_visible(self.app.size.width >= TREE_MIN_WIDTH)

    def on_resize(self, event: events.Resize) -> None:
        if self._tree_auto:
            self.set_tree_visible(event.size.width >= TREE_MIN_WIDTH)

    # ---------------------------------------------------------------- data in

    def plan_changed(self) -> None:
        """The app loaded a plan (first time, year switch, or someone's new commit)."""
        loaded = self.session.loaded
        if loaded is None:
            return
        pages = self.session.pages
        if pages is not None:
            self.query_one(SectionTree).load(loaded.plan.info.title or str(loaded.plan.year), pages.outline)
            self.query_one(TaskTable).fit_keys(max(pages.numbers, default=0))
        self.update_title()
        # A half-typed, invalid query keeps its error; the rows follow the last valid one.
        if not self.apply_query(self.query_bar.value, force=True):
            self.apply_query(self.query_text, force=True, quiet=True)

    @property
    def query_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def update_title(self) -> None:
        session = self.session
        t = labels.get(self.lang)
        loaded = session.loaded
        title = Text()
        if loaded is not None:
            title.append(f" {loaded.plan.year} ", style="bold reverse")
            title.append(" " + (loaded.plan.info.title or t("app_title")))
        who = session.backend.operator
        title.append("  ·  ")
        title.append(clean_line(who.name or who.login), style="bold")
        units = "、".join(session.backend.units)
        if units:
            title.append(f" ({clean_line(units)})")
        if session.ref:
            title.append("  " + t("readonly_ref", ref=session.ref[:7]), style="bold yellow")
        self.query_one("#title-bar", Static).update(title)

    # ---------------------------------------------------------------- filtering

    def on_filter_bar_query_changed(self, event: FilterBar.QueryChanged) -> None:
        self.apply_query(event.text, typed=True)
        if event.submitted and isinstance(self.focused, Input):
            self.set_focus(self.query_one(TaskTable))

    def apply_query(self, text: str, force: bool = False, quiet: bool = False, typed: bool = False) -> bool:
        """Compile the query and rebuild rows off-thread; False (error shown, rows kept) when it is bad."""
        loaded = self.session.loaded
        if loaded is None:
            return True
        if text == self.query_text and not force:
            if not quiet:
                self.show_count()
            return True
        ctx = FilterContext(self.session.today, loaded, self.session.backend.units)
        try:
            matcher = AssignmentMatcher(text, ctx)
        except FilterError as exc:
            if not quiet:
                self.query_bar.show_error(exc.message, exc.token)
            return False
        same = text == self.query_text
        self.query_text = text
        self._generation += 1
        if typed:  # its cost (to the table updated) sets the filter bar's next debounce
            self._typed_generation, self._typed_at = self._generation, time.perf_counter()
        pages = self.session.pages
        if pages is None:
            return True
        feed = RowFeed(pages, matcher, self.session.today)
        want = self.page_size()
        if same:  # a reload: as many rows as were built, so the cursor keeps its row
            want = max(want, len(self.rows))
        self._more_pending = False
        self._seek_task = None
        if self._build_cost is not None and self._build_cost < INLINE_BUILD:
            # Cheaper than a thread's start and its message back: build here, show now.
            start = time.perf_counter()
            rows = feed.more(want)
            self.on_main_screen_rows_ready(
                self.RowsReady(text, self._generation, feed, rows, time.perf_counter() - start))
        else:
            self._build_rows(text, self._generation, feed, want)
        return True

    def page_size(self) -> int:
        """How many rows a page holds: a few table heights, never fewer than :data:`PAGE_MIN`."""
        return max(PAGE_MIN, PAGES_AHEAD * self.query_one(TaskTable).size.height)

    @work(thread=True, exclusive=True, group="rows", exit_on_error=False)
    def _build_rows(self, text: str, generation: int, feed: RowFeed, want: int) -> None:
        worker = get_current_worker()
        start = time.perf_counter()
        rows = feed.more(want, cancelled=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.post_message(self.RowsReady(text, generation, feed, rows, time.perf_counter() - start))

    @work(thread=True, exclusive=False, group="more_rows", exit_on_error=False)
    def _build_more(self, text: str, generation: int, feed: RowFeed, want: int | None, until_task: int | None) -> None:
        rows = feed.more(want, until_task=until_task)
        self.post_message(self.RowsReady(text, generation, feed, rows, first=False))

    def on_main_screen_rows_ready(self, event: RowsReady) -> None:
        if event.generation != self._generation:
            return
        table = self.query_one(TaskTable)
        feed = event.feed
        if event.first:
            self._build_cost = event.cost
            self.feed = feed
            self.rows = {r.key: r for r in event.rows}
            table.plan_year = self.session.loaded.plan.year if self.session.loaded else None
            table.show_rows(event.rows, complete=feed.complete)
            if event.query == self.query_bar.value:
                self.show_count()
            self.show_detail(table.current_key)
            if event.generation == self._typed_generation:
                self.query_bar.last_cost = time.perf_counter() - self._typed_at
        else:
            self._more_pending = False
            self.rows.update((r.key, r) for r in event.rows)
            table.append_rows(event.rows, complete=feed.complete)
            if event.query == self.query_bar.value:
                self.show_count()
        self.update_status()
        if self._seek_task is not None:
            self.on_section_tree_task_chosen(SectionTree.TaskChosen(self._seek_task))

    def on_task_table_more_wanted(self, event: TaskTable.MoreWanted) -> None:
        """The cursor or the view came near the last row built: build the next page (or all)."""
        self.more_rows(to_end=event.to_end)

    def more_rows(self, to_end: bool = False, until_task: int | None = None) -> None:
        feed = self.feed
        if feed is None or feed.complete or (self._more_pending and not to_end and until_task is None):
            return
        self._more_pending = True
        want = None if to_end else len(feed.rows) + self.page_size()
        self._build_more(self.query_text, self._generation, feed, want, until_task)

    def row_count_text(self) -> str:
        """How many rows the filter shows: ``120``, or ``100+`` while the rest is not built."""
        feed = self.feed
        if feed is None:
            return str(len(self.rows))
        total = feed.total
        return str(total) if total is not None else f"{len(self.rows)}+"

    def show_count(self) -> None:
        self.query_bar.show_count(self.row_count_text())

    def action_focus_filter(self) -> None:
        # set_focus at once (focus() waits a turn): the next key typed belongs to the filter.
        self.set_focus(self.query_bar.input)

    def action_quick_filter(self, name: str) -> None:
        text = self.session.my_unit_query() if name == "mine" else QUICK_FILTERS[name]
        self.query_bar.set_value(text)

    # ---------------------------------------------------------------- selection

    def current(self) -> tuple[Task | None, Requirement | None]:
        key = self.query_one(TaskTable).current_key
        row = self.rows.get(key or "")
        feed = self.feed
        if row is None or feed is None:
            return None, None
        task = feed.pages.task(row.task)
        req = next((r for r in task.requirements if r.id == row.key), None) if task else None
        return (task, req) if req else (None, None)

    @property
    def current_unit(self) -> str | None:
        return self.query_one(DetailPane).current_unit

    def show_detail(self, key: str | None) -> None:
        task, req = self.current()
        row = self.rows.get(key or "")
        prefer = (row.units if row else ()) + self.session.backend.units
        self.query_one(DetailPane).show(task, req, prefer=tuple(dict.fromkeys(prefer)))
        self.refresh_bindings()
        self.update_status()

    def on_task_table_requirement_highlighted(self, event: TaskTable.RequirementHighlighted) -> None:
        self.show_detail(event.key)

    def on_detail_pane_assignment_highlighted(self, event: DetailPane.AssignmentHighlighted) -> None:
        self.refresh_bindings()
        self.update_status()

    def on_section_tree_task_chosen(self, event: SectionTree.TaskChosen) -> None:
        table = self.query_one(TaskTable)
        self._seek_task = None
        for key in table.shown_keys:
            if self.rows[key].task >= event.task:
                table.go_to(key)
                table.focus()
                return
        if self.feed is not None and not self.feed.complete:  # not built yet: build up to it, then go
            self._seek_task = event.task
            self.more_rows(until_task=event.task)
            return
        self.notify(labels.get(self.lang)("no_selection"), severity="warning")

    # ---------------------------------------------------------------- permissions

    def edit_block_reason(self) -> str | None:
        """Why the highlighted assignment cannot be edited now, or None when it can."""
        _task, req = self.current()
        unit = self.current_unit
        if req is None or unit is None:
            return labels.get(self.lang)("no_selection")
        return self.session.edit_block_reason(unit)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in EDIT_ACTIONS:
            return None if self.edit_block_reason() else True
        if action in ("task_history", "unit_history"):
            return True if self.current()[1] is not None else None
        if action == "sync":
            state = self.session.remote_state
            if state is None or state.remote is None:
                return False  # a single-server store: the key would only be noise
            return None if self.session.sync_block_reason() else True
        return True

    def update_status(self) -> None:
        t = labels.get(self.lang)
        status = Text()
        reason = self.edit_block_reason()
        overdue = sum(1 for r in self.rows.values() if r.overdue)
        status.append(f" {t('filter')}: ", style="dim")
        status.append(self.query_text or t("filter_none"), style="bold")
        status.append(f"  {self.row_count_text()} {t('rows')}")
        if overdue:
            more = "" if self.feed is None or self.feed.complete else "+"
            status.append(f"  {t('overdue_mark')} {overdue}{more}", style="bold red")
        status.append_text(self.remote_status())
        if reason and self.current()[1] is not None:
            status.append(f"  ✎ {reason}", style="yellow")
        self.query_one("#status-line", Static).update(status)

    def remote_status(self) -> Text:
        """``远端: 领先2 落后1`` / ``已同步`` / ``未同步过``; empty when the store has no remote."""
        t = labels.get(self.lang)
        session = self.session
        state = session.remote_state
        text = Text()
        if state is None or state.remote is None:
            return text
        text.append(f"  {t('remote')}: ", style="dim")
        if session.syncing:
            text.append(t("remote_syncing"), style="bold")
        elif state.problem:
            text.append(state.problem, style="yellow")
        elif not state.known:
            text.append(t("remote_never"), style="yellow")
        elif state.ahead or state.behind:
            parts = [t("remote_ahead", n=state.ahead)] if state.ahead else []
            parts += [t("remote_behind", n=state.behind)] if state.behind else []
            text.append(" ".join(parts), style="bold yellow")
        else:
            text.append(t("remote_in_sync"), style="green")
        if not session.backend.may_sync:
            text.append(f" ({session.sync_block_reason()})", style="dim")
        return text

    # ---------------------------------------------------------------- actions

    def action_edit_assignment(self) -> None:
        task, req = self.current()
        unit = self.current_unit
        if task is None or req is None or unit is None:
            return
        self.post_message(self.EditRequested(task, req, unit))

    def action_task_history(self) -> None:
        task, _req = self.current()
        if task is not None:
            self.post_message(self.HistoryRequested(task=task.number))

    def action_unit_history(self) -> None:
        units = self.session.backend.units
        unit = self.current_unit or (units[0] if units else None)
        if unit is not None:
            self.post_message(self.HistoryRequested(unit=unit))

    def action_dashboard(self) -> None:
        self.post_message(self.DashboardRequested())

    def action_switch_plan(self) -> None:
        self.post_message(self.PlanSwitchRequested())

    def action_reload(self) -> None:
        self.post_message(self.ReloadRequested())

    def action_sync(self) -> None:
        self.post_message(self.SyncRequested())

    def set_tree_visible(self, visible: bool) -> None:
        self.query_one(SectionTree).display = visible

    def action_toggle_tree(self) -> None:
        self._tree_auto = False
        tree = self.query_one(SectionTree)
        self.set_tree_visible(not tree.display)
        if tree.display:
            tree.focus()
        else:
            self.query_one(TaskTable).focus()

    @property
    def focus_chain(self) -> list[Widget]:
        """Textual's order (top to bottom, then left to right), but the assignment list straight
        after the table: one Tab from the table reaches the list an operator edits from; the
        requirement text (left of the list) comes after it."""
        chain = super().focus_chain
        table = next((w for w in chain if isinstance(w, TaskTable)), None)
        assignments = next((w for w in chain if isinstance(w, AssignmentList)), None)
        if table is None or assignments is None:
            return chain
        chain.remove(assignments)
        chain.insert(chain.index(table) + 1, assignments)
        return chain

    # ---------------------------------------------------------------- typing outside the filter

    async def on_key(self, event: events.Key) -> None:
        """Typing in the table, the list or the tree goes to the filter; a lone letter is its key.

        A letter bound to a key (``u``, ``o``...) waits :data:`TYPING_GAP` seconds: another
        character in that time means the operator is typing words (``unit:营里镇``), and all
        of it goes into the filter, so ``u`` never opens a unit's history by surprise. A
        character no key is bound to (``i``, ``:``, 中文) starts a filter at once.
        """
        box = self.query_bar.input
        if self.focused is box:
            if event.key == "escape":  # back to the table; the filter stays
                self.set_focus(self.query_one(TaskTable))
                event.stop()
            elif event.is_printable and event.character:
                # The input takes every character typed into it, so this one was sent to the table
                # before the focus moved (a burst of typing arrives at once over SSH): it is filter text.
                box.insert_text_at_cursor(event.character)
                event.stop()
                event.prevent_default()
            return
        typed = event.character if event.is_printable and event.key not in ("slash", "space") else None
        held = self._held
        if held is not None:
            self._cancel_held()
            if typed:
                self._type_filter((held.character or "") + typed)
                event.stop()
                event.prevent_default()
                return
            await self._run_key(held.key)  # an arrow or enter after a lone key: the key first
        if not typed:
            return
        event.stop()
        event.prevent_default()
        if event.key in self.active_bindings:
            self._held = event
            self._held_timer = self.set_timer(TYPING_GAP, self._fire_held)
        else:
            self._type_filter(typed)

    def _cancel_held(self) -> None:
        self._held = None
        if self._held_timer is not None:
            self._held_timer.stop()
            self._held_timer = None

    async def _fire_held(self) -> None:
        held = self._held
        self._cancel_held()
        if held is not None and self.is_current:
            await self._run_key(held.key)

    async def _run_key(self, key: str) -> None:
        """Run what ``key`` is bound to, as Textual would have (only when it is enabled)."""
        active = self.active_bindings.get(key)
        if active is not None and active.enabled:
            await self.app.run_action(active.binding.action, active.node)

    def _type_filter(self, text: str) -> None:
        """Start a new filter with what was typed, in the filter input (which keeps the focus)."""
        box = self.query_bar.input
        self.set_focus(box)
        box.value = ""
        box.insert_text_at_cursor(text)
