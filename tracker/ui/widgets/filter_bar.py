"""FilterBar: the query input, applied live as the operator types.

| key | action |
|---|---|
| enter | apply now and go back to the table |
| escape | go back to the table (the filter stays) |

Posts :class:`FilterBar.QueryChanged` on every keystroke while filtering is quick
(the screen reports each filter's cost in :attr:`FilterBar.last_cost`; under
``QUICK`` seconds the next keystroke filters at once), otherwise once typing
pauses for ``DEBOUNCE`` seconds, and at once on enter. The screen validates the
query and calls :meth:`FilterBar.show_error` / :meth:`FilterBar.show_count`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from tracker.ui import labels

DEBOUNCE = 0.25
# A filter (rows built and the table updated) quicker than this runs on every keystroke: a
# fixed debounce alone was 5x the 50 ms target at S. Slower ones wait for a pause in typing,
# so a large plan is not filtered once per character.
QUICK = 0.03


class FilterBar(Horizontal):
    """Label, input and a one-line result (row count or the query's error)."""

    class QueryChanged(Message):
        def __init__(self, text: str, submitted: bool = False) -> None:
            super().__init__()
            self.text = text
            self.submitted = submitted

    def __init__(self, lang: str = "zh", value: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self._initial = value
        self._timer: Timer | None = None
        self.last_cost = 0.0  # seconds the last typed filter took, set by the screen

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        yield Static(Text(t("filter") + ">", style="bold"), id="filter-label")
        yield Input(value=self._initial, placeholder=t("filter_placeholder"), id="filter-input", select_on_focus=False)
        yield Static(Text(""), id="filter-result")

    @property
    def input(self) -> Input:
        return self.query_one("#filter-input", Input)

    @property
    def value(self) -> str:
        return self.input.value

    def set_value(self, text: str) -> None:
        """Replace the query (one-key filters); applied at once."""
        with self.input.prevent(Input.Changed):
            self.input.value = text
        self.input.cursor_position = len(text)
        self._cancel()
        self.post_message(self.QueryChanged(text, submitted=True))

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._cancel()
        if self.last_cost < QUICK:
            self._fire()
        else:
            self._timer = self.set_timer(DEBOUNCE, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.post_message(self.QueryChanged(self.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._cancel()
        self.post_message(self.QueryChanged(self.value, submitted=True))

    def show_error(self, message: str, token: str = "") -> None:
        t = labels.get(self.lang)
        text = Text(f"✗ {t('filter_error')}: ", style="bold red")
        text.append(message)
        if token:
            text.append(f" «{token}»", style="red")
        result = self.query_one("#filter-result", Static)
        result.update(text)
        result.add_class("-error")
        self.input.add_class("-error")

    def show_count(self, count: int) -> None:
        t = labels.get(self.lang)
        result = self.query_one("#filter-result", Static)
        result.update(Text(f"{count} {t('rows')}", style="dim"))
        result.remove_class("-error")
        self.input.remove_class("-error")
