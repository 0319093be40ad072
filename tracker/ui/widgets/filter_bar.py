"""FilterBar: the query input, applied live as the operator types.

| key | action |
|---|---|
| enter | apply now and go back to the table |
| escape | go back to the table (the filter stays) |

It looks like a place to type only while it has focus (``过滤>`` prompt, highlighted
field, the example as placeholder); otherwise it is a plain line saying what is
filtered and that ``/`` types a filter. A query's error shows on a line of its own
below, wrapped, never cut.

Posts :class:`FilterBar.QueryChanged` on every keystroke while filtering is quick
(the screen reports each filter's cost in :attr:`FilterBar.last_cost`; under
``QUICK`` seconds the next keystroke filters at once), otherwise once typing
pauses for ``DEBOUNCE`` seconds, and at once on enter. The screen validates the
query and calls :meth:`FilterBar.show_error` / :meth:`FilterBar.show_count`.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from tracker.ui import labels

DEBOUNCE = 0.25
# A filter (rows built and the table updated) quicker than this runs on every keystroke: a
# fixed debounce alone was 5x the 50 ms target at S. Slower ones wait for a pause in typing,
# so a large plan is not filtered once per character.
QUICK = 0.03


class FilterBar(Vertical):
    """Label, input and the row count on one line; the query's error, when there is one, below."""

    class QueryChanged(Message):
        """The query to apply (``submitted``: enter, or a one-key filter)."""

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
        with Horizontal(id="filter-row"):
            yield Static(Text(t("filter")), id="filter-label")
            yield Input(
                value=self._initial, placeholder=t("filter_hint"), id="filter-input", select_on_focus=False
            )
            yield Static(Text(""), id="filter-result")
        yield Static(Text(""), id="filter-error")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._show_focus(True)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._show_focus(False)

    def _show_focus(self, focused: bool) -> None:
        """A prompt and the example only while keys go here; a plain line with the / hint otherwise."""
        t = labels.get(self.lang)
        self.set_class(focused, "-focused")
        label = Text(t("filter") + ">", style="bold") if focused else Text(t("filter"))
        self.query_one("#filter-label", Static).update(label)
        self.input.placeholder = t("filter_placeholder") if focused else t("filter_hint")

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
        error = self.query_one("#filter-error", Static)
        error.update(text)
        error.display = True
        result = self.query_one("#filter-result", Static)
        result.update(Text("✗", style="bold red"))
        self.input.add_class("-error")

    def show_count(self, count: int | str) -> None:
        t = labels.get(self.lang)
        self.query_one("#filter-result", Static).update(Text(f"{count} {t('rows')}", style="dim"))
        self.query_one("#filter-error", Static).display = False
        self.input.remove_class("-error")
