"""FilterBar: the query input, applied live as the operator types (debounced).

| key | action |
|---|---|
| enter | apply now and go back to the table |
| escape | go back to the table (the filter stays) |

Posts :class:`FilterBar.QueryChanged` once typing pauses for ``DEBOUNCE`` seconds
(or at once on enter); the screen validates the query and calls
:meth:`FilterBar.show_error` / :meth:`FilterBar.show_count`.
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


class FilterBar(Horizontal):
    """Label, input and a one-line result (row count or the query's error)."""

    class QueryChanged(Message):
        def __init__(self, text: str, submitted: bool = False) -> None:
            super().__init__()
            self.text = text
            self.submitted = submitted

    def __init__(self, lang: str = "zh", value: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self._initial = value
        self._timer: Timer | None = None

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
