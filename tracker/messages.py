"""Commit messages: the format every commit the tracker writes follows, and reading its trailers back.

A subject of one line built by code, user text only in the body (each line quoted
``> ``, so none can pass for a trailer), and trailers (``Task:``, ``Unit:``,
``Operator:`` ...) in a last paragraph of their own. Reading applies the same rule:
only a final paragraph made of trailer lines alone counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tracker.textsafe import clean_line, clean_text

TRAILER_KEYS = ("Task", "Unit", "Operator", "On-behalf-of", "Reminder", "Undo")
_TRAILER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):[ \t]?(.*)$")


def compose_message(subject: str, body: Iterable[str], trailers: Iterable[tuple[str, str]]) -> str:
    """A commit message built by code.

    The subject is one line. Every body line is prefixed with ``> `` (user text
    is quoted this way) or is code-built, and the body has no blank lines, so
    no body line can be read as a trailer; the trailers come last, in their
    own paragraph, with values reduced to one clean line.
    """
    lines = [clean_line(subject)[:200] or "更新"]
    body_lines = [line for chunk in body for line in clean_text(chunk).split("\n")]
    body_lines = [line.rstrip() for line in body_lines if line.strip()]
    if body_lines:
        lines += ["", *body_lines]
    trailer_lines = []
    for key, value in trailers:
        if not re.fullmatch(r"[A-Za-z][A-Za-z-]*", key):
            raise ValueError(f"bad trailer key {key!r}")
        trailer_lines.append(f"{key}: {clean_line(value)}")
    if trailer_lines:
        lines += ["", *trailer_lines]
    return "\n".join(lines) + "\n"


def quote_user_text(text: str) -> list[str]:
    """User text as body lines, each prefixed ``> `` (so none parses as a trailer)."""
    return ["> " + line if line.strip() else ">" for line in clean_text(text).split("\n")]


def parse_trailers(message: str) -> dict[str, list[str]]:
    """Trailers of a commit message: the last paragraph, only if every line is ``Key: value``.

    Only the final paragraph counts (as in ``git interpret-trailers``), and it must
    consist of trailer lines alone, so text a user typed into a note, which
    the service puts in the body above the trailers, can never pass for one.
    """
    text = message.replace("\r\n", "\n").rstrip("\n")
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    if len(paragraphs) < 2:  # the subject alone is never a trailer block
        return {}
    lines = paragraphs[-1].split("\n")
    found: dict[str, list[str]] = {}
    for line in lines:
        match = _TRAILER_LINE.match(line)
        if not match:
            return {}
        found.setdefault(match.group(1).lower(), []).append(match.group(2).strip())
    return found


def trailer(trailers: Mapping[str, list[str]], key: str) -> str:
    """The first value of a trailer (case-insensitive key), or ""."""
    values = trailers.get(key.lower(), [])
    return values[0] if values else ""


def login_from_email(email: str) -> str:
    """The login part of an author e-mail (``zhangsan@host`` -> ``zhangsan``)."""
    return email.split("@", 1)[0].strip()
