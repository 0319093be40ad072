"""What a sync did, and its text for people: the summary ``tracker sync`` prints and the TUI shows.

The result types (:class:`SyncResult`, :class:`PlanSync`, :class:`ConflictView`,
:class:`PlanStatus`) and their rendering: conflict lines with both values, who and when,
in plain text (no markup) and JSON. :mod:`tracker.sync` does the syncing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.i18n import t
from tracker.merge import MISSING
from tracker.model import Status
from tracker.textsafe import clean_line

MAX_EVENTS_SHOWN = 40
FIELD_LABELS = {
    "status": "状态",
    "role": "角色",
    "notes": "进展",
    "evidence": "佐证",
    "title": "标题",
    "text": "要求原文",
    "deadline": "时限要求",
    "due": "到期日",
}


@dataclass(frozen=True)
class ConflictView:
    """One recorded conflict, located for people (task, requirement, unit, field)."""

    year: int
    task: int | None
    requirement: str
    unit: str
    field: str
    path: tuple[str, ...]
    file: str
    ours: Any
    theirs: Any
    ours_by: str
    ours_at: datetime | None
    theirs_by: str
    theirs_at: datetime | None

    def describe(self) -> str:
        """One line, both values with who and when (Chinese)."""
        where = f"任务{self.task}.{self.requirement}" if self.requirement else (
            f"任务{self.task}" if self.task is not None else self.file
        )
        who = f" {self.unit}" if self.unit else ""
        label = FIELD_LABELS.get(self.field, self.field)
        return (
            f"{where}{who} {label}: 本站 {show_value(self.field, self.ours)}({_who(self.ours_by, self.ours_at)})"
            f" ↔ 远端 {show_value(self.field, self.theirs)}({_who(self.theirs_by, self.theirs_at)})"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year, "task": self.task, "requirement": self.requirement, "unit": self.unit,
            "field": self.field, "path": list(self.path), "file": self.file,
            "ours": _jsonable(self.ours), "theirs": _jsonable(self.theirs),
            "ours_by": self.ours_by, "ours_at": self.ours_at.isoformat() if self.ours_at else None,
            "theirs_by": self.theirs_by, "theirs_at": self.theirs_at.isoformat() if self.theirs_at else None,
        }


@dataclass
class PlanSync:
    """What one sync did to one plan branch."""

    year: int
    came_in: int = 0  # commits the local branch gained from the remote
    went_out: int = 0  # commits the remote gained from this site
    events_in: list[str] = field(default_factory=list)
    events_out: list[str] = field(default_factory=list)
    merged: bool = False  # a merge commit was written
    created: bool = False  # the local branch was created from the remote's
    new_conflicts: list[ConflictView] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    refused: str = ""  # why the remote refused the push (Chinese), "" when it did not
    not_taken: str = ""  # why the remote's new plan branch was not created here, "" when it was (or none came)
    rounds: int = 1


@dataclass
class SyncResult:
    """The whole sync: per plan, plus the conflicts now recorded anywhere."""

    remote: str
    url: str
    setup: list[str] = field(default_factory=list)
    plans: list[PlanSync] = field(default_factory=list)
    conflicts: list[ConflictView] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.refused or p.not_taken for p in self.plans)


@dataclass(frozen=True)
class PlanStatus:
    """Ahead/behind of one plan against the remote-tracking ref (as of the last fetch)."""

    year: int
    ahead: int
    behind: int
    remote_known: bool  # False: the remote had no such branch at the last fetch


def render_summary(result: SyncResult) -> str:
    """The text summary ``tracker sync`` prints; the TUI can show the same (plain text, no markup)."""
    lines = [t(f"远端 {result.remote}({clean_line(result.url)})", f"remote {result.remote} ({clean_line(result.url)})")]
    lines += [f"  {s}" for s in result.setup]
    for p in result.plans:
        lines.append(_plan_line(p))
        for title, events in ((t("收到", "came in"), p.events_in), (t("发出", "went out"), p.events_out)):
            if events:
                lines.append(f"  {title}:")
                lines += [f"    {e}" for e in events[:MAX_EVENTS_SHOWN]]
                if len(events) > MAX_EVENTS_SHOWN:
                    lines.append(t(f"    …… 另有 {len(events) - MAX_EVENTS_SHOWN} 项", f"    … {len(events) - MAX_EVENTS_SHOWN} more"))
        lines += [f"  {t('未能合并', 'not merged')}: {x}" for x in p.file_problems]
        if p.refused:
            lines.append(f"  {p.refused}")
        if p.not_taken:
            lines.append(f"  {p.not_taken}")
    if result.conflicts:
        lines.append(t(f"待裁决的冲突 {len(result.conflicts)} 处(两个站点把同一字段改成了不同的值):",
                       f"{len(result.conflicts)} conflicts to settle (two sites changed one field differently):"))
        for c in result.conflicts:
            lines.append(f"  [plan/{c.year}] {c.describe()}")
        lines.append(t("  裁决: tracker resolve 任务.要求 单位 字段 ours|theirs(ours = 本站的值,theirs = 远端的值)",
                       "  settle with: tracker resolve TASK.REQ UNIT FIELD ours|theirs"))
    else:
        lines.append(t("没有冲突", "no conflicts"))
    return "\n".join(lines)


def _plan_line(p: PlanSync) -> str:
    parts = [t(f"收到 {p.came_in} 个提交", f"{p.came_in} commits in"), t(f"发出 {p.went_out} 个提交", f"{p.went_out} commits out")]
    if p.merged:
        parts.append(t("已逐字段合并", "merged field by field"))
    if p.created:
        parts.append(t("新建本地分支", "local branch created"))
    if p.new_conflicts:
        parts.append(t(f"新冲突 {len(p.new_conflicts)} 处", f"{len(p.new_conflicts)} new conflicts"))
    if p.rounds > 1:
        parts.append(t(f"因其他站点抢先推送重试 {p.rounds - 1} 次", f"retried {p.rounds - 1} times after a racing push"))
    return f"plan/{p.year}: " + ",".join(parts)


def show_value(field_name: str, value: Any) -> str:
    """A conflict value for people: status labels, lists joined, absent said so."""
    if value is None or value is MISSING:
        return "(已删除)"
    if field_name == "status" and isinstance(value, str):
        try:
            return Status.parse(value).label
        except ValueError:
            return clean_line(value)
    if isinstance(value, list):
        return "、".join(clean_line(str(v)) for v in value) or "(空)"
    return clean_line(str(value))[:200]


def _who(by: str, at: datetime | None) -> str:
    when = at.strftime("%Y-%m-%d %H:%M") if at else "时间不详"
    return f"{clean_line(by) or '?'},{when}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
