"""ConflictModal: someone changed the same field meanwhile; show both and let the operator choose.

| key | action |
|---|---|
| t | keep theirs (nothing is committed) |
| m | apply mine on top of theirs |
| escape | keep theirs |

Dismisses with ``"theirs"`` or ``"mine"``.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.model import Status
from tracker.textsafe import clean_text
from tracker.ui import labels
from tracker.ui.backend import ConflictView
from tracker.ui.widgets.key_bar import KeyBar


def _value(field: str, value: str, lang: str) -> Text:
    if field == "status" and value:
        try:
            return Text(labels.status_label(Status.parse(value), lang))
        except ValueError:
            pass
    return Text(clean_text(value) or "—")


class ConflictModal(ModalScreen[str]):
    """Both values side by side: what was there when the form opened, theirs, mine."""

    BINDINGS = [
        Binding("t", "choose('theirs')", "b_keep_theirs", id="keep_theirs"),
        Binding("m", "choose('mine')", "b_apply_mine", id="apply_mine"),
        Binding("escape", "choose('theirs')", "b_cancel", id="cancel", show=False),
    ]

    def __init__(self, conflicts: Sequence[ConflictView], lang: str = "zh") -> None:
        super().__init__()
        self.conflicts = list(conflicts)
        self.lang = lang

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        table = Table(expand=True, show_lines=True)
        table.add_column("")
        table.add_column(t("seen"))
        table.add_column(t("theirs"))
        table.add_column(t("mine"))
        for c in self.conflicts:
            field_label = t(f"field_{c.field}") if labels.has(f"field_{c.field}") else c.field
            theirs = _value(c.field, c.theirs, self.lang)
            theirs.append(f"\n{c.by} {c.at}".rstrip(), style="dim")
            table.add_row(Text(field_label), _value(c.field, c.seen, self.lang), theirs, _value(c.field, c.mine, self.lang))
        with Vertical(id="conflict-dialog"):
            yield Static(Text(t("conflict_title"), style="bold red"))
            yield Static(Text(t("conflict_help")))
            with VerticalScroll():
                yield Static(table, id="conflict-table")
            yield KeyBar()

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
