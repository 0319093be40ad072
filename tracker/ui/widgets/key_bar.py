"""KeyBar: every key of the current screen, wrapped over as many lines as it needs.

Textual's Footer keeps to one line, which at 80 columns hides half the keys. The
key bar packs ``key description`` pairs into lines of the terminal's width, shows
disabled actions dimmed, and follows the screen's bindings as they change.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from tracker.ui import labels


class KeyBar(Widget):
    """Shows the active bindings of its screen (``show=True`` ones), wrapped."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 3;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, lang: str = "zh") -> None:
        super().__init__()
        self.lang = lang

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def _items(self) -> list[tuple[str, str, bool]]:
        items: list[tuple[str, str, bool]] = []
        seen: set[str] = set()
        for _key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            description = labels.describe(binding.description, self.lang)
            items.append((self.app.get_key_display(binding), description, enabled))
        if self.app.ENABLE_COMMAND_PALETTE and self.screen.is_modal is False:
            items.append(("^p", labels.describe("b_palette", self.lang), True))
        return items

    def _lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        line = Text()
        for key, description, enabled in self._items():
            item = Text()
            item.append(f" {key} ", style="bold reverse" if enabled else "dim reverse")
            item.append(description, style="" if enabled else "dim strike")
            if line.cell_len and line.cell_len + 1 + item.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append(" ")
            line.append_text(item)
        if line.cell_len:
            lines.append(line)
        return lines

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render(self) -> Text:
        width = self.size.width or 80
        return Text("\n").join(self._lines(width))

