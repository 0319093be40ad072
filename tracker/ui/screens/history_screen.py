"""HistoryScreen: field-level events of one task or one unit (when, who, old -> new).

| key | action |
|---|---|
| up/down | move between events |
| d | show or hide the raw diff of the event's commit |
| g | open the plan as it was at that commit (read-only) |
| escape | back |
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from tracker.model import Status
from tracker.textsafe import clean_line, clean_text
from tracker.ui import labels
from tracker.ui.backend import Backend, HistoryEvent, HistoryView
from tracker.ui.widgets.key_bar import KeyBar
from tracker.ui.widgets.task_table import cell


def _shown(field: str, value: str, lang: str) -> str:
    if field == "status" and value:
        try:
            return labels.status_label(Status.parse(value), lang)
        except ValueError:
            return value
    return value


class HistoryScreen(Screen[None]):
    """Events newest first; the raw diff one key away."""

    BINDINGS = [
        Binding("d", "toggle_diff", "b_diff", id="diff"),
        Binding("g", "jump", "b_jump", id="jump"),
        Binding("escape", "back", "b_back", id="back"),
    ]

    class CommitChosen(Message):
        """Open the whole plan as it was at this commit (read-only)."""

        def __init__(self, commit: str) -> None:
            super().__init__()
            self.commit = commit

    class EventsLoaded(Message):
        """The history worker read the events (or why it could not)."""

        def __init__(self, view: HistoryView | None, error: str = "") -> None:
            super().__init__()
            self.view = view
            self.error = error

    def __init__(
        self,
        backend: Backend,
        title: str,
        commit: str,
        task: int | None = None,
        unit: str | None = None,
        task_path: str | None = None,
        lang: str = "zh",
    ) -> None:
        super().__init__()
        self.backend = backend
        self.title_text = title
        self.commit = commit
        self.for_task = task
        self.for_unit = unit
        self.task_path = task_path
        self.lang = lang
        self.events: list[HistoryEvent] = []
        self.patches: dict[str, str] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        yield Static(Text(self.title_text, style="bold"), id="history-title")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="history-table")
        yield table
        with VerticalScroll(id="diff-scroll"):
            yield Static(Text(""), id="diff")
        yield Static(Text(t("h_loading"), style="dim"), id="history-status")
        yield KeyBar(self.lang)

    def on_mount(self) -> None:
        t = labels.get(self.lang)
        table = self.query_one(DataTable)
        table.add_column(t("h_when"), key="when", width=16)
        table.add_column(t("h_who"), key="who", width=8)
        table.add_column(t("h_what"), key="what", width=14)
        table.add_column(t("h_field"), key="field", width=4)
        table.add_column(t("h_change"), key="change", width=max(20, self.app.size.width - 66))
        table.add_column(t("h_commit"), key="commit", width=7)
        self.query_one("#diff-scroll").display = False
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def _load(self) -> None:
        view = self.backend.history(self.commit, task=self.for_task, unit=self.for_unit, task_path=self.task_path)
        self.post_message(self.EventsLoaded(view))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A history that cannot be read (a damaged store, git failing) is said here, never a crash.
        if event.worker.group == "history" and event.state is WorkerState.ERROR:
            error = event.worker.error
            self.post_message(self.EventsLoaded(None, clean_line(str(error)) or type(error).__name__))

    def on_history_screen_events_loaded(self, event: EventsLoaded) -> None:
        t = labels.get(self.lang)
        status = self.query_one("#history-status", Static)
        self.loaded = True
        if event.view is None:
            status.update(Text(event.error, style="bold red"))
            return
        self.events = event.view.events
        self.patches = event.view.patches
        table = self.query_one(DataTable)
        for i, e in enumerate(self.events):
            label = t(f"field_{e.field}") if labels.has(f"field_{e.field}") else e.field
            old = _shown(e.field, e.old, self.lang)
            new = _shown(e.field, e.new, self.lang)
            change = f"{old} → {new}" if old else new
            table.add_row(
                cell(e.when[:16]), cell(e.who), cell(f"{e.requirement} {e.unit}".strip()), cell(label),
                cell(change), cell(e.commit[:7], "dim"), key=str(i),
            )
        status.update(Text(t("h_empty") if not self.events else f"{len(self.events)}", style="dim"))

    def selected(self) -> HistoryEvent | None:
        table = self.query_one(DataTable)
        if not self.events or not (0 <= table.cursor_row < len(self.events)):
            return None
        return self.events[table.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_diff", "jump"):
            return True if self.selected() is not None else None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()
        selected = self.selected()
        if selected is not None:
            # The table cuts long values; the line below shows the whole event.
            t = labels.get(self.lang)
            label = t(f"field_{selected.field}") if labels.has(f"field_{selected.field}") else selected.field
            line = Text(f"{selected.requirement} {selected.unit} {label}: ", style="bold")
            old = _shown(selected.field, selected.old, self.lang)
            line.append(f"{old} → " if old else "")
            line.append(_shown(selected.field, selected.new, self.lang))
            line.append(f"  {selected.who} {selected.commit[:7]}", style="dim")
            self.query_one("#history-status", Static).update(line)
        if self.query_one("#diff-scroll").display:
            self._show_diff()

    def action_toggle_diff(self) -> None:
        scroll = self.query_one("#diff-scroll")
        scroll.display = not scroll.display
        if scroll.display:
            self._show_diff()

    def _show_diff(self) -> None:
        event = self.selected()
        if event is None:
            return
        body = Text()
        body.append(f"{event.commit}  {event.subject}\n", style="bold")
        for line in clean_text(self.patches.get(event.commit, "")).splitlines():
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            if line.startswith(("@@", "diff ", "commit ")):
                style = "cyan"
            body.append(line + "\n", style=style)
        self.query_one("#diff", Static).update(body)

    def action_jump(self) -> None:
        event = self.selected()
        if event is not None:
            self.post_message(self.CommitChosen(event.commit))

    def action_back(self) -> None:
        self.app.pop_screen()
