"""要点 / 实施方案 documents without a table -> events: numbered paragraphs with units in brackets.

Such documents number their paragraphs ``一、`` / ``(一)`` / ``1.`` / ``(1)`` and
end a paragraph with its units and deadline in brackets::

    (三)推进政务服务公开。……(牵头单位:市发改局;责任单位:各镇(街区);2019年6月底前完成)
    3.加强政策解读。……(责任单位:市政府各部门)(持续推进)

A numbered paragraph carrying a units bracket is a task with one requirement
(its text without the brackets); an unnumbered paragraph with a units bracket
that follows adds a requirement to it. A numbered paragraph without units is a
heading: ``一、`` ones give the section, ``(一)`` ones the sub-section of the
tasks under them. Tasks are numbered in document order. The title is the
paragraph's leading sentence when it is short (``推进政务服务公开``), else its
first clause. Numbered paragraphs without units and with no task under them
(总体要求, 保障措施) are reported, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.deadlines import looks_like_deadline
from tracker.importer.builder import (
    Clause,
    ImportReport,
    PlanBuilder,
    looks_like_unit,
    parse_unit_line,
    split_names,
)
from tracker.importer.notice import _first_structural, _read_preamble, normalise_lines
from tracker.model import Role
from tracker.units import Registry

_NUMERALS = "一二三四五六七八九十"
LEVELS = (
    re.compile(rf"^([{_NUMERALS}]+)\s*[、.]\s*(.+)$"),
    re.compile(rf"^\(([{_NUMERALS}]+)\)\s*(.+)$"),
    re.compile(r"^([0-9]{1,3})\s*[.、](?![0-9])\s*(.+)$"),
    re.compile(r"^\(([0-9]{1,3})\)\s*(.+)$|^([0-9]{1,3})\)\s*(.+)$"),
)
_LABEL = re.compile(
    r"^(?P<label>牵头单位|牵头部门|牵头科室|责任单位|责任部门|责任科室|责任主体|落实单位|责任处室"
    r"|配合单位|协办单位|配合部门|协助单位|参与单位|完成时限|完成时间|时限要求|时间节点|时限)\s*[::]\s*(?P<value>.*)$"
)
_LEAD_LABELS = ("牵头单位", "牵头部门", "牵头科室")
_PARTNER_LABELS = ("配合单位", "协办单位", "配合部门", "协助单位", "参与单位")
_DEADLINE_LABELS = ("完成时限", "完成时间", "时限要求", "时间节点", "时限")
_LEADING_SENTENCE = re.compile(r"^(.{2,30}?)[。:]")


@dataclass
class Brackets:
    """The units and deadline read from a paragraph's brackets, and the text without them."""

    text: str
    clauses: list[Clause] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    deadline: str = ""


def bracket_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level ``(...)`` group, nested brackets allowed."""
    groups: list[tuple[int, int]] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append((start, index + 1))
    return groups


def _deadline_of(value: str) -> str | None:
    value = value.strip().rstrip("。")
    for candidate in (value, re.sub(r"(前)?完成$", r"\1", value), re.sub(r"完成$", "", value)):
        if candidate and looks_like_deadline(candidate):
            return value
    return None


def read_brackets(text: str, line: int, registry: Registry, rules: Rules | None = None) -> Brackets:
    """Take the units and deadline brackets out of a paragraph."""
    found = Brackets(text)
    kept: list[str] = []
    last = 0
    for start, end in bracket_groups(text):
        inner = text[start + 1 : end - 1].strip()
        if _read_bracket(inner, line, registry, found, rules):
            kept.append(text[last:start])
            last = end
    if last:
        kept.append(text[last:])
        found.text = "".join(kept).strip()
    return found


_REMARK_IN_NAMES = re.compile(r"\((?=[^()]*[,。;“”:])[^()]*\)")
_FIRST_LEADS = re.compile(r"(列|排在?)第一位的?(单位)?为牵头")


@dataclass
class Rules:
    """Rules a document states once for what follows (``列第一位为牵头单位,下同``)."""

    first_leads: bool = False


def _clean_units(value: str, rules: Rules) -> str:
    """A labelled units value without remarks: ``(…,下同)`` asides and sentences after ``。``."""
    if _FIRST_LEADS.search(value):
        rules.first_leads = True
    value = _REMARK_IN_NAMES.sub("", value)
    return value.split("。")[0].strip()


def _read_bracket(inner: str, line: int, registry: Registry, found: Brackets, rules: Rules | None = None) -> bool:
    """Read one bracket into ``found``; False when it is ordinary text."""
    rules = rules or Rules()
    if not inner:
        return False
    parts = [p.strip() for p in re.split(r"[;;]", inner) if p.strip()]
    clauses: list[Clause] = []
    deadline = ""
    labelled = [m for p in parts if (m := _LABEL.match(p))]
    has_lead = any(m.group("label") in _LEAD_LABELS for m in labelled)
    for part in parts:
        if m := _LABEL.match(part):
            label, value = m.group("label"), m.group("value").strip()
            if label in _DEADLINE_LABELS:
                deadline = value
                continue
            if label in _LEAD_LABELS:
                role: Role | None = Role.LEAD
            elif label in _PARTNER_LABELS or has_lead:
                role = Role.IMPLEMENTER
            else:
                role = None
            value = _clean_units(value, rules)
            parsed = parse_unit_line(value, line, registry)
            if parsed is not None:
                clauses.extend(parsed)
                continue
            names = split_names(value)
            if not names or not all(looks_like_unit(n, registry) for n in names):
                continue  # a cut or garbled line: the paragraph stays without these units
            if role is None and rules.first_leads and not has_lead:
                clauses.append(Clause((names[0],), Role.LEAD, line))
                if names[1:]:
                    clauses.append(Clause(tuple(names[1:]), Role.IMPLEMENTER, line))
            else:
                clauses.append(Clause(tuple(names), role, line))
            continue
        if (when := _deadline_of(part)) is not None:
            deadline = when
            continue
        parsed = parse_unit_line(part, line, registry)
        if parsed is None:
            names = split_names(part)
            if not names or not all(looks_like_unit(n, registry) for n in names):
                return False
            parsed = [Clause(tuple(names), None, line)]
        clauses.extend(parsed)
    if clauses:
        found.clauses.extend(clauses)
        found.responsible.append(inner if not deadline or labelled else inner)
    if deadline:
        found.deadline = deadline
    return bool(clauses or deadline)


def split_measures(text: str, line: int, registry: Registry, rules: Rules) -> tuple[list[Brackets], str]:
    """A paragraph whose measures ``(1)…(X牵头负责)。(2)…(Y负责)`` each close with units.

    Returns one :class:`Brackets` per measure and the text left after the last
    units bracket (a measure cut off before its units, or nothing).
    """
    ends: list[int] = []
    for start, end in bracket_groups(text):
        probe = Brackets("")
        if _read_bracket(text[start + 1 : end - 1].strip(), line, registry, probe, rules) and probe.clauses:
            ends.append(end)
    if len(ends) < 2:
        return [], text
    measures: list[Brackets] = []
    last = 0
    for end in ends:
        segment = re.sub(r"^[。;; ]+", "", text[last:end])
        measures.append(read_brackets(segment, line, registry, rules))
        last = end
    rest = re.sub(r"^[。;;]+", "", text[last:].strip()).strip()
    # The item's own title sentence before ``(1)`` is not part of the first measure.
    first = measures[0]
    if m := re.match(r"^[^()]{2,40}?[。:](?=\((1|一)\))", first.text):
        first.text = first.text[m.end() :]
    return measures, rest


def _level_of(line: str) -> tuple[int, str, str] | None:
    """(level 0-3, marker, body) of a numbered paragraph."""
    for level, pattern in enumerate(LEVELS):
        if m := pattern.match(line):
            groups = [g for g in m.groups() if g is not None]
            marker = line[: len(line) - len(groups[1])]
            return level, marker.strip(), groups[1].strip()
    return None


def _title(body: str) -> str:
    if m := _LEADING_SENTENCE.match(body):
        return m.group(1)
    if "。" in body.rstrip("。") or body.endswith("。"):
        return body.split("。")[0]
    from tracker.importer.table import short_title

    return short_title(body)


@dataclass
class _Item:
    level: int
    marker: str
    body: str
    line: int
    task: int | None = None


def parse_outline(
    text: str,
    year: int,
    registry: Registry,
    *,
    issued: date | None = None,
    source: str = "<notice>",
    allow_unknown_units: bool = False,
) -> tuple[PlanBuilder, ImportReport]:
    """Read a 要点-style document into a builder (see the module docstring)."""
    report = ImportReport(source=source)
    lines = normalise_lines(text)
    # The preamble ends at the first numbered paragraph, however long (要点 headings are sentences).
    start = min(_first_structural(lines), next((i for i, line in enumerate(lines) if _level_of(line)), len(lines)))
    info = _read_preamble(lines[:start], year, issued, report)
    builder = PlanBuilder(registry, info, report, allow_unknown_units=allow_unknown_units)
    headings: dict[int, _Item] = {}
    pending: list[_Item] = []  # numbered paragraphs without units, reported if no task follows
    current: _Item | None = None
    last_item: _Item | None = None
    rules = Rules()
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        if not line or (info.title and line == info.title):
            continue
        numbered = _level_of(line)
        if numbered is None and _LABEL.match(line) and len(line) <= 200:
            # ``牵头单位:区发改局`` on a line of its own, under the numbered item it belongs to.
            labelled = Brackets("")
            if _read_bracket(line, number, registry, labelled, rules) and last_item is not None:
                responsible = "\n".join(labelled.responsible)
                if last_item.task is None:
                    for deeper in [lv for lv in headings if lv >= last_item.level]:
                        del headings[deeper]
                    _set_headings(builder, headings, last_item.level)
                    builder.start_task(_task_number(builder, last_item), _title(last_item.body), last_item.line)
                    builder.row(last_item.body, labelled.clauses, responsible, labelled.deadline, number)
                    last_item.task = builder.last_number
                    current = last_item
                    pending = [p for p in pending if p is not last_item]
                else:
                    builder.row("", labelled.clauses, responsible, labelled.deadline, number)
                continue
        found = read_brackets(numbered[2] if numbered else line, number, registry, rules)
        if numbered is not None:
            level, marker, body = numbered
            item = _Item(level, marker, body, number)
            last_item = item
            for deeper in [lv for lv in headings if lv >= level]:
                del headings[deeper]
            if not found.clauses:
                headings[level] = item
                pending.append(item)
                current = None
                continue
            _set_headings(builder, headings, level)
            builder.start_task(_task_number(builder, item), _title(found.text), number)
            measures, rest = split_measures(body, number, registry, rules)
            for measure in measures or [found]:
                builder.row(measure.text, measure.clauses, "\n".join(measure.responsible), measure.deadline, number)
            if measures and len(rest) > 2:
                builder.unplaced(rest, number, "措施后面没有责任单位(文档可能在此截断)")
            item.task = builder.last_number
            current = item
            pending = [p for p in pending if p.level < level]
            continue
        if found.clauses and builder.current is not None and (current is not None or _under_task(headings)):
            builder.row(found.text, found.clauses, "\n".join(found.responsible), found.deadline, number)
            continue
        if found.clauses and headings:
            # Units under a heading with no task yet: the heading is the task.
            level = max(headings)
            heading = headings.pop(level)
            _set_headings(builder, headings, level)
            builder.start_task(builder.last_number + 1, _title(heading.body), heading.line)
            builder.row(found.text, found.clauses, "\n".join(found.responsible), found.deadline, number)
            headings[level] = heading
            heading.task = builder.last_number
            current = heading
            pending = [p for p in pending if p is not heading and p.level < level]
            continue
        if current is not None and builder.current is not None:
            builder.unplaced(line, number, "没有责任单位的段落")
        else:
            report.add("preamble", number, "没有责任单位,不作为任务", line)
    for item in pending:
        if item.task is None and not any(r.line == item.line for r in report.remarks):
            report.add("preamble", item.line, "编号段落没有责任单位,作为标题或说明", f"{item.marker}{item.body}")
    return builder, report


def _task_number(builder: PlanBuilder, item: _Item) -> int:
    """The item's own ``1.`` number when it runs on in order, else the next number."""
    digits = re.sub(r"[^0-9]", "", item.marker)
    if item.level >= 2 and digits and int(digits) > builder.last_number and int(digits) not in builder.drafts:
        return int(digits)
    return builder.last_number + 1


def _under_task(headings: dict[int, _Item]) -> bool:
    return any(h.task is not None for h in headings.values())


def _set_headings(builder: PlanBuilder, headings: dict[int, _Item], level: int) -> None:
    """Section from the nearest ``一、`` heading, sub-section from the nearest ``(一)`` one."""
    section = headings.get(0)
    subsection = headings.get(1) if level > 1 else None
    builder.set_section(f"{section.marker}{section.body}" if section else "")
    builder.set_subsection(f"{subsection.marker}{subsection.body}" if subsection else "")


def outline_score(builder: PlanBuilder) -> int:
    """How many requirement rows with units a reading found (to choose between readings)."""
    return sum(1 for draft in builder.drafts.values() for row in draft.rows if row.clauses)
