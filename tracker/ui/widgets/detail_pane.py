"""DetailPane: the selected requirement's text and every unit's assignment.

| key | action |
|---|---|
| up/down (in the list) | choose the assignment that ``e`` edits |

All text comes from users or notices, so it is shown through ``Content`` /
rich ``Text`` only (never markup) after :func:`tracker.textsafe.clean_text`.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tracker.model import Assignment, Requirement, Task
from tracker.textsafe import clean_line, clean_text
from tracker.ui import labels
from tracker.ui.widgets.task_table import STATUS_STYLE

MAX_SHOWN = 2000  # characters of a note shown in the list; the form shows the rest


class AssignmentList(OptionList):
    """The assignments of one requirement; the highlighted one is the edit target."""


class DetailPane(Horizontal):
    """Requirement text on the left, assignments on the right."""

    class AssignmentHighlighted(Message):
        def __init__(self, unit: str | None) -> None:
            super().__init__()
            self.unit = unit

    def __init__(self, lang: str = "zh", today: date | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang = lang
        self.today = today or date.today()
        self.requirement: Requirement | None = None
        self._shown_task: Task | None = None
        self.units: list[str] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="req-text-scroll"):
            yield Static(Text(""), id="req-text")
        yield AssignmentList(id="assignments")

    def show(self, task: Task | None, req: Requirement | None, prefer: tuple[str, ...] = ()) -> None:
        """Show a requirement; highlight the first of ``prefer`` it has (the operator's unit)."""
        if req is not None and req is self.requirement and task is self._shown_task:
            # The same loaded objects (a reload makes new ones): the list would come out the same,
            # with the same unit highlighted. A filter asks up to three times per keystroke.
            return
        self._shown_task = task
        t = labels.get(self.lang)
        text = self.query_one("#req-text", Static)
        options = self.query_one(AssignmentList)
        previous = self.current_unit if req is not None and req is self.requirement else None
        self.requirement = req
        if task is None or req is None:
            text.update(Text(t("no_selection"), style="dim"))
            options.clear_options()
            self.units = []
            return
        body = Text()
        body.append(f"{req.id} {clean_line(task.title)}\n", style="bold")
        body.append(clean_text(req.text))
        body.append(f"\n{t('deadline')}: ", style="dim")
        body.append(clean_line(req.deadline) or t("unspecified"))
        if req.due:
            body.append(f"  {t('due_dates')}: " + ", ".join(d.isoformat() for d in req.due), style="dim")
        if req.responsible:
            body.append(f"\n{t('assignments')}: ", style="dim")
            body.append(clean_line(req.responsible))
        text.update(body)
        self.units = list(req.assignments)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(self._prompt(req, a), id=a.unit) for a in req.assignments.values()])
        target = previous if previous in self.units else next((u for u in prefer if u in self.units), None)
        if target is not None:
            options.highlighted = self.units.index(target)
        elif self.units:
            options.highlighted = min(highlighted or 0, len(self.units) - 1) if previous else 0
        # The list is laid out after this call; scroll once it is.
        self.call_after_refresh(options.scroll_to_highlight, top=True)

    def _prompt(self, req: Requirement, a: Assignment) -> Text:
        t = labels.get(self.lang)
        line = Text(no_wrap=False)
        line.append(clean_line(a.unit), style="bold")
        line.append(f" {t(a.role.value)} ", style="dim")
        line.append(labels.status_label(a.status, self.lang), style=STATUS_STYLE[a.status])
        if req.is_overdue(a, self.today):
            line.append(" " + t("overdue_mark"), style="bold red")
        if a.notes:
            note = clean_line(a.last_note)
            line.append(f"\n  {t('note')}: ", style="dim")
            line.append(note[:MAX_SHOWN] + ("…" if len(note) > MAX_SHOWN else ""))
        for item in a.evidence:
            line.append(f"\n  {t('evidence')}: ", style="dim")
            line.append(clean_line(item))
        if a.updated is not None:
            who = clean_line(a.updated_by)
            line.append(f"\n  {t('updated')}: {a.updated:%Y-%m-%d %H:%M} {who}", style="dim")
        return line

    @property
    def current_unit(self) -> str | None:
        options = self.query_one(AssignmentList)
        index = options.highlighted
        if index is None or not (0 <= index < len(self.units)):
            return None
        return self.units[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.AssignmentHighlighted(event.option.id))
