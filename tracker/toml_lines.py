"""Line edits of one unit's table in a task file: the few edits a change makes, every other line kept.

A bulk update touches hundreds of unit tables; parsing each with tomlkit cost 3-4 ms
(457-566 ms of CPU for 124 assignments at size M). The tables the tracker writes are
plain: ``key = value`` lines, multi-line arrays closed by a ``]`` line. This editor
handles exactly that shape and raises :class:`Unsupported` for anything else (a
multi-line string, a comment after a value, an inline array it would have to
reflow, a removal), so the caller edits with tomlkit instead. The caller still
parses the whole result with ``tomllib`` and compares it with what was meant.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

__all__ = ["UnitLines", "Unsupported", "toml_value"]

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_INDENT = "    "


class Unsupported(Exception):
    """The table or the edit is not one the line editor makes: edit with tomlkit."""


def toml_value(value: Any) -> str:
    """A string, date-time or date as a TOML value (strings as basic strings, escaped)."""
    if isinstance(value, str):
        return '"' + "".join(_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
                             for ch in value) + '"'
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    raise Unsupported(f"value {value!r}")


class UnitLines:
    """One unit's table (its header line to the next header) as lines, with the keys located.

    Raises:
        Unsupported: a line that is not ``key = value``, a multi-line array, blank or a comment.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        if not self.lines or not self.lines[0].startswith("["):
            raise Unsupported("no header")
        if not self.lines[-1].endswith("\n"):
            self.lines[-1] += "\n"
        self.keys: dict[str, tuple[int, int]] = {}  # key -> (first line, last line) of its value
        i = 1
        while i < len(self.lines):
            line = self.lines[i]
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            key, sep, value = line.partition("=")
            key = key.strip()
            value = value.strip()
            if not sep or not key or not set(key) <= _BARE_KEY or key in self.keys:
                raise Unsupported(f"line {line!r}")
            if '"""' in value or "'''" in value:
                raise Unsupported("multi-line string")
            end = i
            if value == "[":
                end = i + 1
                while end < len(self.lines) and self.lines[end].strip() != "]":
                    if not self.lines[end].startswith((" ", "\t")):
                        raise Unsupported("unindented array item")
                    end += 1
                if end == len(self.lines):
                    raise Unsupported("unclosed array")
            self.keys[key] = (i, end)
            i = end + 1

    def text(self) -> str:
        """The table's text now."""
        return "".join(self.lines)

    def _end_of_body(self) -> int:
        """Where a new key goes: after the last key line (blank lines and comments stay below it)."""
        last = max((end for _start, end in self.keys.values()), default=0)
        return last + 1

    def set_scalar(self, key: str, value: Any) -> None:
        """``key = value`` replacing the key's one line, or added after the last key."""
        line = f"{key} = {toml_value(value)}\n"
        if key in self.keys:
            start, end = self.keys[key]
            if start != end or "#" in self.lines[start]:  # a comment would be lost
                raise Unsupported(f"{key} is not one plain line")
            self.lines[start] = line
        else:
            self._insert_key(key, [line])

    def append_item(self, key: str, item: str, *, multiline_from: int = 1) -> None:
        """Add ``item`` (TOML text) at the end of the array ``key`` (created when missing).

        Multi-line arrays get one more ``    item,`` line; an empty ``[]`` becomes an
        array on one line, or on several when ``multiline_from`` is 1 (as tomlkit
        writes notes). Any other array (items on its first line) is Unsupported.
        """
        if key not in self.keys:
            self._insert_key(key, self._array_lines(key, item, multiline_from))
            return
        start, end = self.keys[key]
        if start == end:
            value = self.lines[start].partition("=")[2].strip()
            if value.replace(" ", "") != "[]":
                raise Unsupported(f"{key} is an array on one line")
            self.lines[start : start + 1] = self._array_lines(key, item, multiline_from)
            self._relocate()
            return
        if end - 1 > start and not self.lines[end - 1].rstrip().endswith((",", "[")):
            raise Unsupported(f"{key}'s last item has no comma")
        self.lines.insert(end, f"{_INDENT}{item},\n")
        self._relocate()

    @staticmethod
    def _array_lines(key: str, item: str, multiline_from: int) -> list[str]:
        if multiline_from <= 1:
            return [f"{key} = [\n", f"{_INDENT}{item},\n", "]\n"]
        return [f"{key} = [{item}]\n"]

    def _insert_key(self, key: str, lines: list[str]) -> None:
        at = self._end_of_body()
        self.lines[at:at] = lines
        self._relocate()

    def _relocate(self) -> None:
        """Find the keys again after lines moved (tables are a few dozen lines)."""
        self.keys = UnitLines(self.text()).keys
