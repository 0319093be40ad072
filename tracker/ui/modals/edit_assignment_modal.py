"""EditAssignmentModal: one unit's status, a new progress note, evidence.

| key | action |
|---|---|
| ctrl+s | validate and save |
| escape | cancel |
| tab / shift+tab | next / previous field |

Dismisses with the list of :class:`~tracker.ui.backend.FieldEdit` to commit
(the status carries ``expected`` = the status the operator saw, so a change made
meanwhile comes back as a conflict), or None when cancelled. Nothing is saved here.
Each value is checked with the core's :func:`tracker.rules.validate_change` before the
form closes (for comfort: the service checks again), so the form refuses exactly what
the service, the CLI and spreadsheets refuse, with the same words.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Select, Static, TextArea

from tracker.model import Assignment, Requirement, Status
from tracker.rules import InvalidChange, validate_change
from tracker.textsafe import clean_line, clean_text
from tracker.ui import labels
from tracker.ui.backend import FieldEdit
from tracker.ui.widgets.key_bar import KeyBar


class EditAssignmentModal(ModalScreen[list[FieldEdit] | None]):
    """The edit form for one assignment."""

    BINDINGS = [
        Binding("ctrl+s", "save", "b_save", id="save", priority=True),
        Binding("escape", "cancel", "b_cancel", id="cancel"),
    ]
    # The status list has focus from the first paint (a focus() in on_mount lands later).
    AUTO_FOCUS = "#edit-status"

    def __init__(self, req: Requirement, assignment: Assignment, title: str, lang: str = "zh") -> None:
        super().__init__()
        self.req = req
        self.assignment = assignment
        self.task_title = title
        self.lang = lang

    def compose(self) -> ComposeResult:
        t = labels.get(self.lang)
        a = self.assignment
        with Vertical(id="edit-dialog"):
            yield Static(Text(t("edit_title", req=self.req.id, unit=clean_line(a.unit)), style="bold"), id="edit-title")
            with VerticalScroll(id="edit-fields"):
                yield Static(Text(clean_line(self.task_title), style="dim"), id="edit-task")
                yield Static(Text(t("status")), classes="field-label")
                yield Select(
                    [(labels.status_label(s, self.lang), s.value) for s in Status],
                    value=a.status.value,
                    allow_blank=False,
                    compact=True,
                    id="edit-status",
                )
                if a.notes:
                    last = Text(f"{t('last_note')}: ", style="dim")
                    last.append(clean_text(a.last_note))
                    yield Static(last, id="edit-last-note")
                yield Static(Text(t("new_note")), classes="field-label")
                yield TextArea("", id="edit-note", soft_wrap=True, compact=True)
                yield Static(Text(t("evidence_help")), classes="field-label")
                yield TextArea("\n".join(a.evidence), id="edit-evidence", soft_wrap=True, compact=True)
            yield Static(Text(""), id="edit-error")
            yield KeyBar(self.lang)

    def show_error(self, message: str) -> None:
        self.query_one("#edit-error", Static).update(Text(message, style="bold red"))

    def edits(self) -> tuple[list[FieldEdit], str | None]:
        """What the form asks to change, or the first value the rules refuse (their message)."""
        t = labels.get(self.lang)
        edits: list[FieldEdit] = []
        try:
            status = self.query_one("#edit-status", Select).value
            if isinstance(status, str) and status != self.assignment.status.value:
                edits.append(FieldEdit("status", validate_change("status", status), self.assignment.status.value))
            note = self.query_one("#edit-note", TextArea).text
            if clean_text(note).strip():
                edits.append(FieldEdit("note", validate_change("note", note)))
        except InvalidChange as exc:
            return [], str(exc)
        lines = self.query_one("#edit-evidence", TextArea).text.split("\n")
        for number, line in enumerate(lines, start=1):
            if not clean_line(line).strip() or clean_line(line).strip() in self.assignment.evidence:
                continue  # blank, or already there (committed before today's rules, perhaps): not a change
            try:
                item = validate_change("evidence", line.strip())
            except InvalidChange as exc:
                return [], f"{t('evidence_line', line=number)} {exc}"
            if item not in self.assignment.evidence and all(e.value != item for e in edits):
                edits.append(FieldEdit("evidence", item))
        return edits, None

    def action_save(self) -> None:
        edits, problem = self.edits()
        if problem:
            self.show_error(problem)
            return
        if not edits:
            self.show_error(labels.get(self.lang)("nothing_changed"))
            return
        self.dismiss(edits)

    def action_cancel(self) -> None:
        self.dismiss(None)
