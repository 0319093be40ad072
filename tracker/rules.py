"""The rules a field value must meet before it is committed, in one place for every interface.

Pure (no I/O): the service checks every change with :func:`validate_change`, and the CLI,
spreadsheet apply and the TUI form ask the same function, so a value one interface refuses is
refused by all of them with the same message.

- status: a key (``done``), a Chinese label (``已完成``) or an English label; the key is returned.
- note: multi-line text, control characters removed, at most :data:`NOTE_MAX_CHARS` characters.
  5,000 characters is about three printed pages of Chinese: far more than a progress note a clerk
  writes (a few sentences to a paragraph), small enough that the commit message carrying it and the
  TUI detail pane stay readable. Anything longer is a document, and belongs in evidence as its
  URL or 文号.
- evidence: one ``http``/``https`` URL with a host, or a document number (文号) such as
  ``寿政办发〔2019〕12号`` (optionally after the document's title in 《》). Nothing else: a
  ``javascript:``/``file:``/``data:`` link shown in a report or clicked in a browser is an attack.
- removing a note or an evidence item (``note_remove``/``evidence_remove``) names what is there, so
  only control characters are taken out: an item committed before these rules can still be removed.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from tracker.errors import ServiceError
from tracker.model import Status
from tracker.textsafe import clean_line, clean_text

NOTE_MAX_CHARS = 5_000
EVIDENCE_MAX_CHARS = 2_000
FIELDS = ("status", "note", "evidence", "note_remove", "evidence_remove")
FIELD_LABELS = {"status": "状态", "note": "进展", "evidence": "佐证", "note_remove": "进展", "evidence_remove": "佐证"}
URL_SCHEMES = ("http", "https")



@cache
def _document_number() -> re.Pattern[str]:
    """文号: issuing agency's code (寿政办发), the year in 〔〕 (or [] 【】 () ［］ （）), the serial, 号.

    Compiled on first need: the re compiler walks the CJK class one code point at a
    time (5 ms), which every ``tracker set`` without evidence would pay at start.
    """
    return re.compile(
        r"[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9]{0,29}\s*[〔［\[【（(]\s*(?:19|20)\d\d\s*[〕］\]】）)]\s*第?\s*\d{1,6}\s*号"
    )


_TITLED = re.compile(r"《[^《》\n]{1,200}》\s*[（(]?\s*(?P<number>.+?)\s*[）)]?")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class InvalidChange(ServiceError):
    """A change the rules refuse, or that names a task, requirement, unit or field the plan lacks.

    ``field`` and ``value`` say what was refused (empty when the change as a whole is wrong);
    the message names the field and is for the user (Chinese).
    """

    def __init__(self, message: str, *, field: str = "", value: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.value = value


def _refuse(field: str, value: str, why: str) -> InvalidChange:
    label = FIELD_LABELS.get(field, field)
    return InvalidChange(f"{label}不合规: {why}", field=field, value=value)


def is_document_number(text: str) -> bool:
    """Whether ``text`` is a 文号 such as ``寿政办发〔2019〕12号`` (optionally ``《title》(文号)``)."""
    if _document_number().fullmatch(text):
        return True
    titled = _TITLED.fullmatch(text)
    return bool(titled and _document_number().fullmatch(titled["number"]))


def _check_evidence(value: str, given: str) -> None:
    """Raise :class:`InvalidChange` (about ``given``) unless ``value``, its clean line, is an http(s) URL or a 文号."""
    if "://" in value or _SCHEME.match(value):
        parts = urlsplit(value)
        if parts.scheme.lower() not in URL_SCHEMES:
            raise _refuse("evidence", given, f"网址只接受 http 或 https,不接受 {parts.scheme or '?'}:")
        if not parts.hostname:
            raise _refuse("evidence", given, "网址缺少主机名")
        if any(ch.isspace() for ch in value):
            raise _refuse("evidence", given, "网址中不能有空格")
        return
    if not is_document_number(value):
        raise _refuse("evidence", given, "只能是 http/https 网址或文号(如 寿政办发〔2019〕12号)")


def validate_change(field: str, value: str) -> str:
    """The cleaned value of one field change, or :class:`InvalidChange` naming the field.

    Control characters are taken out (line breaks too, except in notes); a status becomes its
    key; a note must be non-empty and at most :data:`NOTE_MAX_CHARS` characters; evidence must be
    an http/https URL or a 文号 (see the module docstring).

    Raises:
        InvalidChange: an unknown field, or a value the rules refuse (``field``/``value`` set).
    """
    if field not in FIELDS:
        raise InvalidChange(f"未知字段 {clean_line(field)!r}(可用: {', '.join(FIELDS)})", field=field, value=value)
    if not isinstance(value, str):
        raise _refuse(field, str(value), "应为文本")
    if field == "status":
        try:
            return Status.parse(clean_line(value)).value
        except ValueError:
            labels = "、".join(s.label for s in Status)
            keys = "/".join(s.value for s in Status)
            raise _refuse(field, value, f'未知状态 "{clean_line(value)}"(可用: {labels};或 {keys})') from None
    if field in ("note", "note_remove"):
        cleaned = clean_text(value).strip()
        if not cleaned:
            raise _refuse(field, value, "进展内容不能为空")
        if field == "note" and len(cleaned) > NOTE_MAX_CHARS:
            raise _refuse(field, value, f"进展内容过长({len(cleaned)} 字,最多 {NOTE_MAX_CHARS} 字)")
        return cleaned
    cleaned = clean_line(value)
    if not cleaned:
        raise _refuse(field, value, "佐证不能为空")
    if field == "evidence":
        if len(cleaned) > EVIDENCE_MAX_CHARS:
            raise _refuse(field, value, f"佐证过长({len(cleaned)} 字,最多 {EVIDENCE_MAX_CHARS} 字)")
        _check_evidence(cleaned, value)
    return cleaned


__all__ = [
    "EVIDENCE_MAX_CHARS",
    "FIELDS",
    "FIELD_LABELS",
    "NOTE_MAX_CHARS",
    "InvalidChange",
    "is_document_number",
    "validate_change",
]
