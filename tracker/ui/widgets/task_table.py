"""TaskTable: one row per requirement (status, due, lead unit, units done/total, overdue).

Keys (besides DataTable's cursor keys):

| key | action |
|---|---|
| up/down, pgup/pgdn, home/end | move between requirements |

The table holds the rows built so far (a page or a few, see :mod:`tracker.ui.paging`):
when the cursor or the view comes within a page of the last of them it posts
:class:`TaskTable.MoreWanted`, and ``ctrl+end`` asks for every row before going to the last.
Rows are replaced by :meth:`TaskTable.show_rows`, which leaves the table alone when
nothing changed, updates only the cells that changed when the same requirements
are shown, removes the rows that went when a filter narrows (cheaper than re-adding
the rest), and rebuilds otherwise; the cursor stays on the same requirement
whenever it is still shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from tracker.model import Status
from tracker.ui import labels
from tracker.ui.rows import Row

STATUS_STYLE: dict[Status, str] = {
    Status.NOT_STARTED: "",
    Status.IN_PROGRESS: "yellow",
    Status.DONE: "green",
    Status.BLOCKED: "bold red",
    Status.NOT_APPLICABLE: "dim",
}

COLUMNS = ("id", "task", "status", "due", "lead", "done", "overdue")
# Narrow by removal while (rows removed x rows shown before) <= this x rows left: each
# removal renumbers the rows after it, each added row is measured and styled afresh.
NARROW_BUDGET = 100
FIXED_WIDTHS = {"id": 5, "status": 6, "due": 5, "lead": 12, "done": 5, "overdue": 4}


def cell(text: str, style: str = "") -> Text:
    """A cell as rich Text: never parsed as markup, cut with an ellipsis."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", end="")


class TaskTable(DataTable[Text]):
    """The requirements matching the current filter."""

    class RequirementHighlighted(Message):
        """The cursor moved to another requirement (``key`` = "5.1", or None when empty)."""

        def __init__(self, key: str | None) -> None:
            super().__init__()
            self.key = key

    class MoreWanted(Message):
        """The view is near the last row built: the next page is wanted (``to_end``: every row)."""

        def __init__(self, to_end: bool = False) -> None:
            super().__init__()
            self.to_end = to_end

    def __init__(self, lang: str = "zh", today: date | None = None, *, id: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id)
        self.lang = lang
        self.today = today or date.today()
        self.plan_year: int | None = None
        self._rows: dict[str, tuple[Text, ...]] = {}
        self._order: list[str] = []
        self._widths = dict(FIXED_WIDTHS)
        self.complete = True  # every row of the filter is in the table
        self._to_end = False  # end was pressed before every row was built

    def on_mount(self) -> None:
        t = labels.get(self.lang)
        for key in COLUMNS:
            self.add_column(t(f"col_{key}"), key=key, width=self._widths.get(key, self._title_width()))

    def fit_keys(self, last_task: int) -> None:
        """Widen the id column for a plan whose keys are longer than "99.99" (task 9999: "9999.1")."""
        width = max(FIXED_WIDTHS["id"], len(str(last_task)) + 3)
        if width == self._widths["id"]:
            return
        self._widths["id"] = width
        if "id" in self.columns:
            self.columns[ColumnKey("id")].width = width
            self.on_resize()

    def _title_width(self) -> int:
        fixed = sum(self._widths.values()) + 2 * len(COLUMNS) + 2
        return max(8, (self.size.width or 80) - fixed)

    def on_resize(self) -> None:
        if "task" in self.columns:
            self.columns[ColumnKey("task")].width = self._title_width()
            self._require_update_dimensions = True
            self.refresh()

    def _cells(self, row: Row) -> tuple[Text, ...]:
        t = labels.get(self.lang)
        if row.due is None:
            due = t("ongoing") if row.ongoing else t("unspecified")
        elif row.due.year == self.plan_year:
            due = row.due.strftime("%m-%d")
        else:
            due = row.due.strftime("%y%m%d")
        return (
            cell(row.key),
            cell(row.title),
            cell(labels.status_label(row.status, self.lang), STATUS_STYLE[row.status]),
            cell(due, "bold red" if row.overdue else ""),
            cell(row.lead),
            cell(f"{row.done}/{row.total}", "green" if row.total and row.done == row.total else ""),
            cell(t("overdue_mark") if row.overdue else "", "bold red"),
        )

    @property
    def current_key(self) -> str | None:
        """The requirement under the cursor."""
        if not self._order or not (0 <= self.cursor_row < len(self._order)):
            return None
        return self._order[self.cursor_row]

    @property
    def shown_keys(self) -> list[str]:
        return list(self._order)

    def show_rows(self, rows: Sequence[Row], keep: str | None = None, *, complete: bool = True) -> None:
        """Show these rows (``complete``: all of the filter's), touching as little of the table as possible."""
        self.complete = complete
        self._to_end = False
        keep = keep or self.current_key
        new_order = [r.key for r in rows]
        new_cells = {r.key: self._cells(r) for r in rows}
        if new_order != self._order and not self._can_narrow(new_order):
            self._rebuild(new_order, new_cells, keep)
            return
        if new_order != self._order:
            # A narrower filter (each keystroke of a word): drop the rows that went, keep the rest.
            for key in [k for k in self._order if k not in new_cells]:
                self.remove_row(key)
            self._order = new_order
        for key in new_order:
            old = self._rows[key]
            for column, (before, after) in zip(COLUMNS, zip(old, new_cells[key], strict=True), strict=True):
                if before.plain != after.plain or before.style != after.style:
                    self.update_cell(key, column, after)
        self._rows = new_cells
        if keep in new_cells and self.current_key != keep:
            self.move_cursor(row=new_order.index(keep), animate=False)
        self.post_message(self.RequirementHighlighted(self.current_key))

    def append_rows(self, rows: Sequence[Row], *, complete: bool) -> None:
        """Add the filter's next rows at the bottom (the cursor stays where it is)."""
        self.complete = complete
        for row in rows:
            if row.key in self._rows:
                continue
            cells = self._cells(row)
            self.add_row(*cells, key=row.key)
            self._rows[row.key] = cells
            self._order.append(row.key)
        if self._to_end and complete:
            self._to_end = False
            self.move_cursor(row=len(self._order) - 1, animate=False)
        self._want_more()

    def _want_more(self) -> None:
        """Ask for the next page when the cursor or the view is within a page of the last row built."""
        if self.complete or not self._order:
            return
        page = max(10, self.size.height)
        last_seen = max(self.cursor_row, int(self.scroll_y) + self.size.height)
        if last_seen + page >= len(self._order):
            self.post_message(self.MoreWanted())

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._want_more()

    def action_scroll_bottom(self) -> None:
        if not self.complete:  # end: every row first, then the last
            self._to_end = True
            self.post_message(self.MoreWanted(to_end=True))
        super().action_scroll_bottom()

    def _can_narrow(self, new_order: list[str]) -> bool:
        """Whether removing rows is cheaper than adding the new ones afresh.

        ``remove_row`` renumbers every row after it, so many removals from a long table
        cost more than re-adding a short result; only a subsequence can be narrowed.
        """
        removed = len(self._order) - len(new_order)
        if removed <= 0 or removed * len(self._order) > NARROW_BUDGET * max(1, len(new_order)):
            return False
        shown = iter(self._order)
        return all(key in shown for key in new_order)  # order kept: a subsequence

    def _rebuild(self, new_order: list[str], new_cells: dict[str, tuple[Text, ...]], keep: str | None) -> None:
        self.clear()
        for key in new_order:
            self.add_row(*new_cells[key], key=key)
        self._order = new_order
        self._rows = new_cells
        if keep in new_cells:
            self.move_cursor(row=new_order.index(keep), animate=False)
        self.post_message(self.RequirementHighlighted(self.current_key))

    def go_to(self, key: str) -> bool:
        """Put the cursor on a requirement; False when it is not shown."""
        if key not in self._rows:
            return False
        self.move_cursor(row=self._order.index(key), animate=False)
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._want_more()
        self.post_message(self.RequirementHighlighted(event.row_key.value if event.row_key else None))
