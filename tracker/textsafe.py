"""User text is data: strip terminal control characters before storing or showing it.

C0 controls (except newline and tab in multi-line text), DEL, and C1 controls
(U+0080..U+009F, which some terminals read as ESC sequences) are removed, as are
Unicode bidirectional overrides that could make a line display as something it is not,
and noncharacters and lone surrogates.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Also Unicode noncharacters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF) and lone surrogates:
# not meant for interchange, and git rewrites a commit message that holds one.
_NONCHARACTERS = "\ufdd0-\ufdef\ud800-\udfff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
# Every character these remove is one ``str.isprintable`` refuses (Cc, Cf, Cs, Cn), so text
# that is printable apart from the kept layout characters is returned as it is, and the
# expressions (1 ms each to compile: their classes reach past U+FFFF) are built on first need.


@cache
def _control() -> re.Pattern[str]:
    return re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069{_NONCHARACTERS}]")


@cache
def _line_breaks() -> re.Pattern[str]:
    return re.compile(r"[\r\n\t\u2028\u2029]+")


# For whole outputs (a table, a CSV file, a report): line ends and tabs are layout, kept as they are.
@cache
def _output_control() -> re.Pattern[str]:
    return re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069{_NONCHARACTERS}]")


def _printable_but(text: str, layout: str) -> bool:
    """True when every character of ``text`` is printable or one of ``layout``."""
    if text.isprintable():
        return True
    for char in layout:
        text = text.replace(char, "")
    return text.isprintable()


def clean_text(text: str) -> str:
    """Multi-line user text: CRLF -> LF, tabs kept, every other control character removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if _printable_but(text, "\n\t") else _control().sub("", text)


def clean_line(text: str) -> str:
    """One-line text (commit subjects, table cells): line breaks become spaces."""
    if text.isprintable():
        return text.strip()
    return _control().sub("", _line_breaks().sub(" ", text)).strip()


def clean_output(text: str) -> str:
    """A whole output on its way out (text, CSV, HTML): control characters gone, CR, LF and tab kept.

    Text read from a file someone committed by hand never passed the checks on the way
    in; this is the last gate before a terminal or a file.
    """
    return text if _printable_but(text, "\r\n\t") else _output_control().sub("", text)


def clean_data(value: Any) -> Any:
    """JSON-like data (dicts, lists, strings) with every string, keys too, through :func:`clean_output`."""
    if isinstance(value, str):
        return clean_output(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(v) for v in value]
    return value
