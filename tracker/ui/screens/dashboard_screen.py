"""DashboardScreen: progress per unit and per section as bars, overdue counts, what is due soon.

| key | action |
|---|---|
| up/down, pgup/pgdn | scroll |
| escape | back |

Units come in the registry's official order (tasks/units.toml, as the office lists
them), each with its overdue count in red. On a narrow terminal the sections and
what falls due come first, the units below.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tracker.planio import LoadedPlan
from tracker.ui import labels
from tracker.ui.figures import Figures, Progress, dashboard_figures
from tracker.ui.widgets.key_bar import KeyBar


def bar(done: int, total: int, width: int) -> Text:
    """A bar of ``width`` cells: filled for done, light for the rest."""
    filled = round(width * done / total) if total else 0
    text = Text("█" * filled, style="green")
    text.append("░" * (width - filled), style="dim")
    return text


def progress_lines(items: list[Progress], width: int, name_width: int, lang: str) -> Text:
    t = labels.get(lang)
    out = Text()
    bar_width = min(30, max(6, width - name_width - 24))
    for p in items:
        out.append(set_cell_size(p.name, name_width) + " ")
        out.append_text(bar(p.done, p.total, bar_width))
        pct = f"{100 * p.done // p.total:3d}%" if p.total else "  - "
        out.append(f" {pct} {p.done:>3}/{p.total:<3}")
        if p.overdue:
            out.append(f" {t('overdue_mark')}{p.overdue:>3}", style="bold red")
        out.append("\n")
    return out


class DashboardScreen(Screen[None]):
    """A picture the office can read in five seconds."""

    BINDINGS = [Binding("escape", "back", "b_back", id="back")]

    def __init__(self, loaded: LoadedPlan, today: date, lang: str = "zh", figures: Figures | None = None) -> None:
        """``figures``: counted already (a large plan, off the UI thread); else counted from ``loaded``."""
        super().__init__()
        self.loaded = loaded
        self.today = today
        self.lang = lang
        self.figures: Figures | None = figures

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="dashboard-head")
        with Horizontal(id="dashboard-body"):
            with VerticalScroll(id="dashboard-units"):
                yield Static(Text(""), id="dashboard-units-text")
            with VerticalScroll(id="dashboard-side"):
                yield Static(Text(""), id="dashboard-side-text")
        yield KeyBar(self.lang)

    def on_mount(self) -> None:
        self.query_one("#dashboard-units").focus()
        self.render_figures()

    def on_resize(self) -> None:
        self.render_figures()

    def render_figures(self) -> None:
        """Wide terminals: units on the left, sections and what is due on the right; else stacked."""
        loaded = self.loaded
        t = labels.get(self.lang)
        today = self.today
        if self.figures is None:  # once: a resize draws the same figures again
            self.figures = dashboard_figures(loaded, today)
        figures = self.figures
        wide = self.size.width >= 110
        self.query_one("#dashboard-body").set_class(wide, "-wide")
        width = max(40, (self.size.width // 2 if wide else self.size.width) - 4)
        head = Text()
        head.append(t("dash_title", year=loaded.plan.year, today=today.isoformat()) + "  ", style="bold")
        head.append(t("dash_overdue_total", n=figures.overdue), style="bold red" if figures.overdue else "green")
        self.query_one("#dashboard-head", Static).update(head)

        name_width = min(16, max((cell_len(p.name) for p in figures.units), default=8))
        side = Text()
        side.append(t("dash_sections") + "\n", style="bold underline")
        sec_width = min(20, max((cell_len(p.name) for p in figures.sections), default=8))
        side.append_text(progress_lines(figures.sections, width, sec_width, self.lang))
        side.append("\n" + t("dash_upcoming") + "\n", style="bold underline")
        if not figures.upcoming:
            side.append(t("dash_nothing_due") + "\n", style="dim")
        for u in figures.upcoming:
            side.append(f"{u.due:%m-%d} {u.requirement:<5} ")
            side.append(set_cell_size(u.unit, name_width) + " ", style="bold")
            side.append(set_cell_size(u.title, max(4, width - name_width - 14)) + "\n")
        units = Text()
        units.append(t("dash_units") + "\n", style="bold underline")
        units.append_text(progress_lines(figures.units, width, name_width, self.lang))
        if wide:
            self.query_one("#dashboard-units-text", Static).update(units)
            self.query_one("#dashboard-side-text", Static).update(side)
        else:
            self.query_one("#dashboard-units-text", Static).update(side + Text("\n") + units)
            self.query_one("#dashboard-side-text", Static).update(Text(""))

    def action_back(self) -> None:
        self.app.pop_screen()
