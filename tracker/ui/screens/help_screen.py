"""HelpScreen: every key of every screen, read from the screens' own BINDINGS, and how to move around.

| key | action |
|---|---|
| escape / q / ? | close |
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.ui import labels

# Keys that are not bindings of ours (Textual's focus chain, the table's cursor, the filter
# input) but that a person needs to know: (key as shown, label key).
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("tab", "nav_tab"),
    ("shift+tab", "nav_shift_tab"),
    ("↑ ↓", "nav_move"),
    ("pgup pgdn", "nav_page"),
    ("home end", "nav_ends"),
    ("enter", "nav_enter"),
    ("esc", "nav_escape"),
    ("abc / 中文", "nav_typing"),
)


def navigation_rows(lang: str) -> list[tuple[str, str]]:
    """(keys, description) for moving around: focus, cursor, the filter."""
    t = labels.get(lang)
    return [(key, t(label)) for key, label in NAVIGATION]


def binding_rows(bindings: list[BindingType], lang: str) -> list[tuple[str, str]]:
    """(keys, description) for each binding, keys as the footer shows them."""
    rows: list[tuple[str, str]] = []
    for b in Binding.make_bindings(bindings):
        key = b.key_display or b.key
        key = {"slash": "/", "question_mark": "?", "escape": "esc"}.get(key, key)
        rows.append((key, labels.describe(b.description, lang) or b.action))
    return rows


class HelpScreen(ModalScreen[None]):
    """The key table for every screen, and the filter syntax."""

    BINDINGS = [
        Binding("escape", "close", "b_back", id="close"),
        Binding("q", "close", "b_back", show=False),
        Binding("question_mark", "close", "b_back", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]], lang: str = "zh") -> None:
        """``sections``: (title, [(keys, description), ...]) in the order shown."""
        super().__init__()
        self.sections = sections
        self.lang = lang
        self.rows = [(title, key, text) for title, rows in sections for key, text in rows]

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
        table.add_column(width=10, no_wrap=True)
        table.add_column(ratio=1)
        for title, rows in self.sections:
            table.add_row(Text(title, style="bold underline"), Text(""))
            for key, description in rows:
                table.add_row(Text(key, style="bold"), Text(description))
        with VerticalScroll(id="help-dialog"):
            yield Static(Text(t("help_title"), style="bold"))
            yield Static(Text(t("help_intro")), id="help-intro")
            yield Static(table, id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-dialog").focus()

    def action_close(self) -> None:
        self.dismiss(None)
