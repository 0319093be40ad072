"""时限要求 text -> due dates.

The rules (../shared/DESIGN.md, "Deadlines"):

- ``全年`` / ``年底前`` / ``年内`` -> 31 Dec of the plan year;
- ``6月底前`` -> the last day of June; ``8月15日前`` -> that day; ``上半年`` -> 30 Jun;
  ``一季度`` -> 31 Mar; an explicit year (``2019年年底前``) wins over the plan year;
- ``本任务分工印发1个月内`` -> the issue date plus one month (``N日内`` / ``N周内`` too);
  with no issue date it stays *unresolved*: the text says so instead of guessing;
- ``6月底前/全年`` -> two milestones, one per part;
- ``持续推进`` / ``长期坚持`` / ``常态化推进`` / ``及时`` -> ongoing (no date);
- ``每季度`` / ``每月`` / ``每半年`` (recurring) -> every period's last day in the plan year;
- ``下半年`` -> 31 Dec; ``10月中旬`` -> the 20th, ``上旬`` the 10th, ``下旬`` the month's end;
- a trailing ``完成`` / ``前完成`` / ``启动`` is read past (``2023年6月底前完成``);
- empty -> unspecified (shown as such, never invented).

Text that none of the rules reads is *unresolved* too, with the reason.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tracker.units import fold_width


class DeadlineKind(StrEnum):
    """What a 时限要求 text amounts to."""

    DATED = "dated"  # one or more due dates
    ONGOING = "ongoing"  # 持续推进: no date, never overdue
    UNSPECIFIED = "unspecified"  # nothing written
    UNRESOLVED = "unresolved"  # written, but no date can be derived (yet)


@dataclass(frozen=True)
class Deadline:
    """The meaning of one 时限要求 text: a kind, its due dates, and why when unresolved."""

    text: str
    kind: DeadlineKind
    dates: tuple[date, ...] = ()
    reason: str = ""

    @property
    def label(self) -> str:
        """A short Chinese description for listings."""
        if self.kind is DeadlineKind.DATED:
            return "、".join(d.isoformat() for d in self.dates)
        return {
            DeadlineKind.ONGOING: "持续推进",
            DeadlineKind.UNSPECIFIED: "未规定时限",
            DeadlineKind.UNRESOLVED: f"无法换算({self.reason})" if self.reason else "无法换算",
        }[self.kind]


_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"[0-9]{1,2}|[一二两三四五六七八九十]{1,3}"

_ONGOING = re.compile(
    r"^(持续推进|长期坚持|持续|长期|常态化|长期推进|持续开展|经常性|常年|常态化推进|常态化开展|持续实施|长期实施"
    r"|及时|实时|随时|即时|及时公开|及时发布|动态更新|动态调整|适时|长期有效)$"
)
_RECURRING = {
    "每月": tuple(range(1, 13)),
    "按月": tuple(range(1, 13)),
    "每季度": (3, 6, 9, 12),
    "按季度": (3, 6, 9, 12),
    "每季": (3, 6, 9, 12),
    "每半年": (6, 12),
    "每年": (12,),
}
_RECURRING_PART = re.compile(r"^(每月|按月|每季度|按季度|每季|每半年|每年)(?:末|底)?(?:前)?(?:更新|公开|发布|报送)?$")
_SECOND_HALF = re.compile(r"^(下半年|下半年前)$")
_TEN_DAYS = re.compile(rf"^({_NUMBER})月(?:份)?(上旬|中旬|下旬)(?:前|之前|末)?$")
_DONE = re.compile(r"(?<=.)(前完成|之前完成|完成|前启动|启动|前完成并持续推进)$")
_YEAR_END = re.compile(r"^(全年|底前|底|年底前|年底|年内|年底之前|本年度|全年度|年末前|年底前完成|全年推进)$")
_HALF = re.compile(r"^(上半年|年中|年中前|上半年前)$")
_QUARTER = re.compile(rf"^(?:第)?({_NUMBER})季度(?:末|底)?(?:前|之前)?$")
_MONTH_END = re.compile(rf"^({_NUMBER})月(?:份)?(?:底|末)(?:前|之前)?$")
_DAY = re.compile(rf"^({_NUMBER})月({_NUMBER})日(?:前|之前)?$")
_RELATIVE = re.compile(
    rf"^(?:本任务分工|本方案|本通知|本文件)?印发(?:后)?({_NUMBER})个?(月|日|天|周|个工作日)内$"
)
_YEAR_PREFIX = re.compile(r"^(20[0-9]{2})年")


def chinese_number(text: str) -> int:
    """``12`` / ``十二`` / ``二十一`` -> int (1..99)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    value = 0
    for char in text:
        value = value * 10 + _DIGITS[char]
    return value


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; the day is clamped to the month's end (1-31 + 1 -> 2-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def split_parts(text: str) -> list[str]:
    """``6月底前/全年`` -> ``["6月底前", "全年"]`` (also ``;`` and ``、`` as separators)."""
    return [p for p in re.split(r"[/;、,,]|\s+", fold_width(text).strip().rstrip("。")) if p]


def resolve_deadline(text: str, year: int, issued: date | None) -> Deadline:
    """What a 时限要求 text means for a plan of ``year`` issued on ``issued``.

    Args:
        text: the deadline exactly as written (full- or half-width).
        year: the plan year, for texts without one (``全年``, ``6月底前``).
        issued: the notice's issue date, for ``印发1个月内``; None when unknown.

    Returns:
        A :class:`Deadline`. Several parts give several dates, sorted. A part
        that cannot be read makes the whole deadline unresolved, with the reason.
    """
    parts = split_parts(text)
    if not parts:
        return Deadline(text, DeadlineKind.UNSPECIFIED)
    dates: set[date] = set()
    ongoing = False
    for part in parts:
        if m := _RECURRING_PART.match(part):
            dates.update(_month_end(year, month) for month in _RECURRING[m.group(1)])
            continue
        try:
            result = _resolve_part(part, year, issued)
        except _Unresolved as exc:
            return Deadline(text, DeadlineKind.UNRESOLVED, reason=str(exc))
        if result is None:
            ongoing = True
        else:
            dates.add(result)
    if dates:
        return Deadline(text, DeadlineKind.DATED, tuple(sorted(dates)))
    return Deadline(text, DeadlineKind.ONGOING if ongoing else DeadlineKind.UNSPECIFIED)


def looks_like_deadline(text: str) -> bool:
    """True when ``text`` reads as a 时限要求 cell (used to tell it from a paragraph)."""
    if len(text) > 40 or not split_parts(text):
        return False
    kind = resolve_deadline(text, 2000, date(2000, 1, 1)).kind
    return kind in (DeadlineKind.DATED, DeadlineKind.ONGOING)


class _Unresolved(ValueError):
    pass


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _resolve_part(part: str, year: int, issued: date | None) -> date | None:
    """One part -> a date, or None for ongoing; raises _Unresolved otherwise."""
    if _ONGOING.match(part):
        return None
    if _DONE.search(part) and not _RELATIVE.match(part):
        stripped = _DONE.sub("", part)
        try:
            return _resolve_part(stripped if stripped.endswith(("前", "内")) else stripped, year, issued)
        except _Unresolved:
            pass
    match = _YEAR_PREFIX.match(part)
    if match:
        year = int(match.group(1))
        part = part[match.end() :] or "年底前"
    try:
        if _YEAR_END.match(part):
            return date(year, 12, 31)
        if _HALF.match(part):
            return date(year, 6, 30)
        if _SECOND_HALF.match(part):
            return date(year, 12, 31)
        if m := _TEN_DAYS.match(part):
            month = chinese_number(m.group(1))
            day = {"上旬": 10, "中旬": 20}.get(m.group(2))
            return date(year, month, day) if day else _month_end(year, month)
        if m := _QUARTER.match(part):
            quarter = chinese_number(m.group(1))
            if not 1 <= quarter <= 4:
                raise _Unresolved(f"没有第{quarter}季度")
            month = quarter * 3
            return date(year, month, calendar.monthrange(year, month)[1])
        if m := _MONTH_END.match(part):
            month = chinese_number(m.group(1))
            return date(year, month, calendar.monthrange(year, month)[1])
        if m := _DAY.match(part):
            return date(year, chinese_number(m.group(1)), chinese_number(m.group(2)))
        if m := _RELATIVE.match(part):
            if issued is None:
                raise _Unresolved("印发日期不详")
            count, unit = chinese_number(m.group(1)), m.group(2)
            if unit == "月":
                return add_months(issued, count)
            if unit == "周":
                return issued + timedelta(weeks=count)
            return issued + timedelta(days=count)
    except (ValueError, KeyError, OverflowError) as exc:
        if isinstance(exc, _Unresolved):
            raise
        raise _Unresolved(f"不是有效日期: {part}") from None
    raise _Unresolved(f"读不懂的时限: {part}")


_DATE_LINE = re.compile(r"^[0-9〇零一二三四五六七八九十\s年月日.\-/]+$")


def parse_issue_date(line: str) -> date | None:
    """Read a notice's date line, however garbled; None when it cannot be read.

    ``2019年7月9日`` and ``2019-07-09`` read as expected. PDF copies lose the
    年月日 characters: ``20197 9`` is the year (four digits), then the month,
    then the day. Digits run together (``2019710``) are accepted only when one
    split gives a valid date.
    """
    text = fold_width(line).strip()
    if not text or not _DATE_LINE.match(text):
        return None
    groups = re.findall(r"[0-9]+", text)
    if not groups or len(groups[0]) < 4:
        return None
    year = int(groups[0][:4])
    rest = ([groups[0][4:]] if len(groups[0]) > 4 else []) + groups[1:]
    candidates: list[tuple[int, int]] = []
    if len(rest) == 2:
        candidates = [(int(rest[0]), int(rest[1]))]
    elif len(rest) == 1 and 2 <= len(rest[0]) <= 4:
        digits = rest[0]
        candidates = [
            (int(digits[:i]), int(digits[i:])) for i in (1, 2) if i < len(digits) and len(digits) - i <= 2
        ]
    valid: list[date] = []
    for month, day in candidates:
        try:
            valid.append(date(year, month, day))
        except ValueError:
            continue
    return valid[0] if len(valid) == 1 else None
