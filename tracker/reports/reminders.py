"""Reminder messages (催办通知): what one unit is told, built from a report.

One :class:`ReminderMessage` per unit that has something late or due soon, rendered as
plain text or markdown in the office's official tone; sending one is recorded in the
reminder log (:mod:`tracker.reminders`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tracker.reminders import ReminderRecord
from tracker.reports.labels import cn_date
from tracker.reports.model import DueItem, OverdueItem, Report
from tracker.textsafe import clean_line


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
