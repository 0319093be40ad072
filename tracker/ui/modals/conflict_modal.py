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
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.model import Status
from tracker.textsafe import clean_line, clean_text
from tracker.ui import labels
from tracker.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from tracker.changes import Conflict


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

    def __init__(self, conflicts: Sequence[Conflict], lang: str = "zh") -> None:
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
            field = c.change.field
            field_label = t(f"field_{field}") if labels.has(f"field_{field}") else field
            theirs = _value(field, c.current, self.lang)
            when = f"{c.at:%Y-%m-%d %H:%M}" if c.at else ""
            theirs.append(f"\n{clean_line(c.by)} {when}".rstrip(), style="dim")
            table.add_row(
                Text(field_label), _value(field, c.base, self.lang), theirs, _value(field, c.change.value, self.lang)
            )
        with Vertical(id="conflict-dialog"):
            yield Static(Text(t("conflict_title"), style="bold red"))
            yield Static(Text(t("conflict_help")))
            with VerticalScroll():
                yield Static(table, id="conflict-table")
            yield KeyBar(self.lang)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
