"""PlanSwitchModal: choose another plan year (branch); nothing is checked out.

| key | action |
|---|---|
| up/down, enter | choose a year |
| escape | cancel |

Dismisses with the chosen year, or None.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tracker.ui import labels
from tracker.ui.widgets.key_bar import KeyBar


class PlanSwitchModal(ModalScreen[int | None]):
    """A list of plan years, newest first."""

    BINDINGS = [Binding("escape", "cancel", "b_cancel", id="cancel")]

    def __init__(self, years: list[int], current: int, newest: int, lang: str = "zh") -> None:
        super().__init__()
        self.years = sorted(years, reverse=True)
        self.current = current
        self.newest = newest
        self.lang = lang

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        options = []
        for year in self.years:
            prompt = Text(str(year), style="bold")
            if year == self.current:
                prompt.append(" " + t("switch_current"))
            if year != self.newest:
                prompt.append(" " + t("switch_past"), style="dim")
            options.append(Option(prompt, id=str(year)))
        with Vertical(id="switch-dialog"):
            yield Static(Text(t("switch_title"), style="bold"))
            yield OptionList(*options, id="years")
            yield KeyBar(self.lang)

    def on_mount(self) -> None:
        years = self.query_one(OptionList)
        years.highlighted = self.years.index(self.current) if self.current in self.years else 0
        years.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
