"""Reminders (催办): a short message per unit, and the log of who chased whom about what.

The office chases late units all year (督查, 电话调度). ``tracker remind`` builds one
:class:`ReminderMessage` per unit from a report (what the unit owes soon, what is late),
and records each reminder as a :class:`ReminderRecord` in ``tasks/reminders.toml``
through the service, in a commit of its own, so that reports can count reminders.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import tomlkit

from tracker.codec import CodecError, find_line
from tracker.textsafe import clean_line

if TYPE_CHECKING:
    from tracker.reports.model import DueItem, OverdueItem, Report

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


@dataclass
class ReminderMessage:
    """What one unit is told: late items first, then items due soon."""

    unit: str
    as_of: date
    late: list[OverdueItem] = field(default_factory=list)
    due_soon: list[DueItem] = field(default_factory=list)
    open_total: int = 0  # every open assignment of the unit in the query, listed or not

    @property
    def items(self) -> list[str]:
        """Requirement ids the message is about, in message order, each once."""
        seen: dict[str, None] = {}
        for late in self.late:
            seen.setdefault(late.requirement)
        for due in self.due_soon:
            seen.setdefault(due.requirement)
        return list(seen)

    def record(self, by: str) -> ReminderRecord:
        """The log entry for sending this message."""
        late = {o.requirement for o in self.late}
        return ReminderRecord(
            at=self.as_of,
            by=by,
            unit=self.unit,
            items=tuple(self.items),
            late=tuple(i for i in self.items if i in late),
        )


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


def build_messages(report: Report) -> list[ReminderMessage]:
    """One message per unit of the report that has something late or due soon, in report order."""
    messages: dict[str, ReminderMessage] = {
        row.unit: ReminderMessage(
            row.unit,
            report.as_of,
            open_total=row.counts.total - row.counts.done - row.counts.not_applicable,
        )
        for row in report.by_unit
    }
    for late in report.overdue:
        messages[late.unit].late.append(late)
    late_keys = {(o.unit, o.requirement) for o in report.overdue}
    for due in report.due_soon:
        if (due.unit, due.requirement) not in late_keys:
            messages[due.unit].due_soon.append(due)
    return [m for m in messages.values() if m.late or m.due_soon]


def cn_date(day: date) -> str:
    """2019-09-02 -> 2019年9月2日."""
    return f"{day.year}年{day.month}月{day.day}日"


def render_message(message: ReminderMessage, report: Report, *, fmt: str = "text", sender: str = "") -> str:
    """The reminder a unit receives, as plain text or markdown (Chinese, official tone)."""
    md = fmt == "markdown"
    lines: list[str] = []
    title = f"关于抓紧落实{report.year}年政务公开工作任务的催办通知"
    lines += [f"# {title}" if md else title, ""]
    lines.append(f"{message.unit}:")
    lines.append("")
    lines.append(
        f"截至{cn_date(message.as_of)},贵单位在《{report.title}》中有"
        f"{len(message.late)}项已逾期、{len(message.due_soon)}项将在{report.due_within}日内到期,"
        f"在办事项共{message.open_total}项。请抓紧落实,并及时在系统中更新进展、上传佐证材料。"
    )
    if message.late:
        lines += ["", "## 一、已逾期事项" if md else "一、已逾期事项", ""]
        for n, item in enumerate(message.late, start=1):
            head = (
                f"{n}. 任务{item.requirement} {item.title}(时限:{item.deadline or '未明确'};"
                f"应于{cn_date(item.missed)}前完成,已逾期{item.days_late}天;当前状态:{item.status.label}"
            )
            if item.reminders:
                head += f";此前已催办{item.reminders}次"
            lines.append(head + ")")
            note = item.last_note.replace("\n", " ").strip()
            indent = "   "
            lines.append(f"{indent}最近进展:{note if note else '(尚无进展记录)'}")
    if message.due_soon:
        number = "二" if message.late else "一"
        heading = f"{number}、{report.due_within}日内到期事项"
        lines += ["", f"## {heading}" if md else heading, ""]
        for n, soon in enumerate(message.due_soon, start=1):
            lines.append(
                f"{n}. 任务{soon.requirement} {soon.title}(时限:{soon.deadline or '未明确'};"
                f"到期日{cn_date(soon.due)},剩余{soon.days_left}天;当前状态:{soon.status.label})"
            )
    lines += ["", sender or "政务公开工作领导小组办公室", cn_date(message.as_of), ""]
    return "\n".join(lines)


def records_for(messages: Iterable[ReminderMessage], by: str) -> list[ReminderRecord]:
    """The log entries for sending ``messages``."""
    return [m.record(by) for m in messages]


def safe_file_name(unit: str) -> str:
    """A file name for one unit's message: the unit name with path characters replaced."""
    cleaned = clean_line(unit)
    for bad in '/\\:*?"<>|\x00':
        cleaned = cleaned.replace(bad, "_")
    cleaned = cleaned.strip(". ") or "unit"
    return cleaned
