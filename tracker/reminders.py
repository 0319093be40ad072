"""The reminder log (催办记录): who chased which unit about what, kept in ``tasks/reminders.toml``.

The office chases late units all year (督查, 电话调度). ``tracker remind`` sends each unit
a message (:mod:`tracker.reports.reminders`) and records it here as a
:class:`ReminderRecord`, through the service, in a commit of its own, so that reports can
count reminders.

Log format (``tasks/reminders.toml``; appended to, never rewritten)::

    [[reminders]]
    at = 2019-09-02          # the as-of day of the reminder
    by = "admin"             # login of the office admin who sent it
    unit = "市发改局"          # who was reminded
    items = ["5.1", "7.2"]   # what about (requirement ids)
    late = ["5.1"]           # which of those were already late

Only the office admin may record reminders: chasing other units is the office's job
(督查), and a unit operator reminding another unit would put words in the office's mouth.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.codec import CodecError, find_line
from tracker.textsafe import clean_line

REMINDERS_FILE = "reminders.toml"
REMINDER_ROLE = "admin"


@dataclass(frozen=True)
class ReminderRecord:
    """One reminder sent to one unit."""

    at: date
    by: str
    unit: str
    items: tuple[str, ...]
    late: tuple[str, ...] = ()


def load_reminder_log(text: str, path: str = "tasks/" + REMINDERS_FILE) -> list[ReminderRecord]:
    """Parse the reminder log.

    Raises:
        CodecError: broken TOML or an entry missing ``at``, ``unit`` or ``items``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CodecError(path, getattr(exc, "lineno", None), f"TOML 语法错误: {exc}") from None
    entries = data.get("reminders", [])
    if not isinstance(entries, list):
        raise CodecError(path, find_line(text, ("reminders",)), "reminders 必须是 [[reminders]] 表数组")
    records: list[ReminderRecord] = []
    for index, entry in enumerate(entries, start=1):
        where = f"第{index}条催办记录"
        if not isinstance(entry, dict):
            raise CodecError(path, None, f"{where}不是表")
        at = entry.get("at")
        if isinstance(at, datetime):
            at = at.date()
        if not isinstance(at, date):
            raise CodecError(path, None, f"{where}: at 不是日期: {at!r}")
        unit = entry.get("unit")
        if not isinstance(unit, str) or not unit.strip():
            raise CodecError(path, None, f"{where}: 缺少 unit")
        items = entry.get("items", [])
        late = entry.get("late", [])
        if not _str_list(items) or not _str_list(late):
            raise CodecError(path, None, f"{where}: items / late 必须是字符串数组")
        records.append(
            ReminderRecord(
                at=at,
                by=clean_line(str(entry.get("by", ""))),
                unit=clean_line(unit),
                items=tuple(clean_line(i) for i in items),
                late=tuple(clean_line(i) for i in late),
            )
        )
    return records


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def append_reminders(text: str, records: Sequence[ReminderRecord]) -> str:
    """The log ``text`` with ``records`` appended; existing bytes stay as they are.

    Raises:
        CodecError: the existing text is broken, or the result does not read back as intended.
    """
    before = load_reminder_log(text) if text.strip() else []
    import tomlkit  # only a reminder writes this file: the other writes do not load tomlkit

    doc = tomlkit.parse(text) if text.strip() else tomlkit.document()
    if not text.strip():
        doc.add(tomlkit.comment("催办记录:每次催办追加一条,由 tracker remind 写入,请勿手改"))
    entries = doc.get("reminders")
    if entries is None:
        entries = tomlkit.aot()
        doc["reminders"] = entries
    for record in records:
        table = tomlkit.table()
        table["at"] = record.at
        table["by"] = clean_line(record.by)
        table["unit"] = clean_line(record.unit)
        table["items"] = [clean_line(i) for i in record.items]
        table["late"] = [clean_line(i) for i in record.late]
        entries.append(table)
    result = tomlkit.dumps(doc)
    expected = before + [
        ReminderRecord(
            r.at,
            clean_line(r.by),
            clean_line(r.unit),
            tuple(map(clean_line, r.items)),
            tuple(map(clean_line, r.late)),
        )
        for r in records
    ]
    if load_reminder_log(result) != expected:
        raise CodecError("tasks/" + REMINDERS_FILE, None, "写入后读回的催办记录与预期不符,未保存")
    return result


def reminder_subject(records: Sequence[ReminderRecord], limit: int = 3) -> str:
    """One-line commit subject: ``催办 3 个单位: 市发改局、营里镇…``."""
    units = list(dict.fromkeys(clean_line(r.unit) for r in records))
    shown = "、".join(units[:limit]) + ("…" if len(units) > limit else "")
    return f"催办 {len(units)} 个单位: {shown}"
