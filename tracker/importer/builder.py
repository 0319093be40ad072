"""The plan builder shared by the notice parser and the table importer.

Both readers turn their input into the same few events: a section heading, a
sub-section heading, a task title, a requirement row (text, 责任单位 lines,
时限要求), a line that could not be placed. The builder turns the events into
:class:`~tracker.model.Task` objects, expanding unit names through the
registry, and records everything worth telling the user in an
:class:`ImportReport`.

Roles: ``…牵头落实`` makes leads, ``…分别落实`` / ``…按职责分工分别落实`` /
``…配合`` make implementers, and a bare ``X落实`` is a lead when the
requirement names no other lead, else an implementer.

A row without a 责任单位 of its own (tasks 32 and 37 of the 2019 notice) is
not lost and not glued to its neighbour: each such paragraph becomes its own
requirement that inherits the units and the deadline of the row above, marked
``inherited = true``. Such a paragraph with no row above it in its task is
kept on the task as ``unclassified`` and reported.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from tracker.deadlines import DeadlineKind, resolve_deadline
from tracker.model import Assignment, Plan, PlanInfo, Requirement, Role, Task
from tracker.units import Registry, normalise_name


class NoticeImportError(ValueError):
    """The input cannot become a plan; ``problems`` lists every reason with its line."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        self.message = message
        super().__init__("\n".join([message, *self.problems]))


@dataclass(frozen=True)
class UnknownUnit:
    """A unit name the registry does not know, where it was found."""

    name: str
    task: int
    line: int
    collective: bool = False  # 各科室, 各县市区: a group of the new office, not one unit

    def describe(self, source: str) -> str:
        what = "统称" if self.collective else "单位"
        return f"{source}:{self.line}: 任务{self.task} 的{what}“{self.name}”不在单位名录中"


@dataclass(frozen=True)
class Remark:
    """One thing the report tells the user about a line of the input."""

    kind: str  # "unplaced", "artefact", "fixed", "repeated", "preamble", "warning"
    line: int | None
    message: str
    text: str = ""
    task: int | None = None


REMARK_LABELS = {
    "unplaced": "无法归类",
    "artefact": "已忽略(文件名/页码等)",
    "fixed": "已更正",
    "repeated": "已忽略(分页重复)",
    "preamble": "通知正文(不属于任何任务)",
    "warning": "注意",
}


@dataclass
class ImportReport:
    """What happened during an import, for ``--dry-run`` and the summary."""

    source: str = ""
    remarks: list[Remark] = field(default_factory=list)
    unknown_units: list[UnknownUnit] = field(default_factory=list)
    # The reader chosen (``html``, ``docx``, ``pdf``, ``notice`` ...) and, for tables, the
    # columns read: (key, header text, 1-based column).
    reader: str = ""
    # Groups named per task (各镇(街区) expands to its members; the summary names the group).
    groups: dict[int, list[str]] = field(default_factory=dict)
    columns: list[tuple[str, str, int]] = field(default_factory=list)
    # How the numbers of remarks count: "line" (text lines) or "row" (table rows).
    counts: str = "line"

    def add(self, kind: str, line: int | None, message: str, text: str = "", task: int | None = None) -> None:
        self.remarks.append(Remark(kind, line, message, text, task))

    def of_kind(self, kind: str) -> list[Remark]:
        return [r for r in self.remarks if r.kind == kind]

    def lines(self, kinds: Collection[str] | None = None) -> list[str]:
        """The remarks (of ``kinds``, default all) as ``source:line: [类别] message``, in input order."""
        chosen = [r for r in self.remarks if kinds is None or r.kind in kinds]
        ordered = sorted(chosen, key=lambda r: r.line or 0)
        out = []
        for remark in ordered:
            where = f"{self.source}:{remark.line}" if remark.line else self.source
            text = f" “{remark.text}”" if remark.text and remark.text not in remark.message else ""
            out.append(f"{where}: [{REMARK_LABELS.get(remark.kind, remark.kind)}] {remark.message}{text}")
        return out


@dataclass(frozen=True)
class Clause:
    """One ``names + phrase`` part of a 责任单位 line: ``市发改局牵头落实``."""

    names: tuple[str, ...]
    role: Role | None  # None: a bare 落实, decided per requirement
    line: int


_PHRASE = re.compile(
    r"(?P<phrase>(?:按职责分工|按照职责分工|按职责)?(?:分别|共同|各自|参照|具体)?(?:负责)?"
    r"(?:(?P<kind>牵头|配合|协助|参与)(?:落实|负责)?|落实|负责))$"
)
_NAME_SPLIT = re.compile(r"[、,;\s]+")
# 各科室, 各镇(街区), 市直各有关部门, 各县市区, 相关镇(街区): a collective name, kept as a group.
_COLLECTIVE = re.compile(
    r"^(各|相关|有关|其他|全市|全县|全区|市直|县直|区直)|各有关|各相关|各(县|区|镇|乡|科|处|股|部门|单位|直属|机构)"
    r"|(有关|相关)(部门|单位)$|^[县市区乡镇]\([市县区乡镇]、[市县区乡镇]\)"
)
_BAD_IN_NAME = re.compile(r"[。,:;!?“”《》\"'0-9]")
_UNIT_SHAPE = re.compile(
    r"(局|办|室|部|委|中心|集团|学院|院|镇|街道|街区|园区|开发区|管委会|政府|部门|单位|公司|所|站|队|会|社|行|处|科|馆|台|厅"
    r"|区|县|股|组|乡|团|司|署|协)$"
)


def split_names(text: str) -> list[str]:
    """``市发改局、市财政局`` -> the names, whitespace and separators gone.

    Separators inside brackets stay: ``各县(市、区)`` is one name.
    """
    names: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text.strip().strip(";"):
        if char in "(《":
            depth += 1
        elif char in ")》":
            depth = max(depth - 1, 0)
        if depth == 0 and _NAME_SPLIT.fullmatch(char):
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    names.append("".join(current))
    joined: list[str] = []
    for name in (part for n in names if n for part in _split_etc(n)):
        # ``市直有关部门、单位``: a bare 单位/部门 completes the collective name before it.
        if name in _BARE_CLASS and joined and is_collective(joined[-1]):
            joined[-1] += "、" + name
        else:
            joined.append(name)
    return joined


_BARE_CLASS = ("单位", "部门", "单位等", "部门等")
_ETC = re.compile(r"^(?P<named>.+?)等(?P<rest>(市|县|区|省)?(有关|相关|其他)?(部门|单位|科室|处室|部门单位)?)$")


def _split_etc(name: str) -> list[str]:
    """``市卫生健康委等`` -> the name; ``市民政局等有关部门`` -> the name and the vague group."""
    m = _ETC.match(name)
    if not m:
        return [name]
    return [m.group("named")] + ([m.group("rest")] if m.group("rest") else [])
_CLASS_NAME = re.compile(r"(管委|管委会|政府|部门|单位|街道|乡镇)$")
# A class of bodies, not one named body (丽水开发区管委会 names one).
_GENERIC_START = re.compile(r"^(开发区|园区|高新区|功能区|经济区|乡镇|街道|部门|单位|国家级|省级)")


def governed_by_each(previous: str, name: str) -> bool:
    """``各区市政府、开发区管委``: the 各 of the name before also governs a class name after it."""
    return previous.startswith("各") and bool(_GENERIC_START.match(name)) and bool(_CLASS_NAME.search(name))


def is_collective(name: str) -> bool:
    """A collective name such as ``各科室`` or ``市直各有关部门`` (a group, not one unit)."""
    return bool(_COLLECTIVE.search(normalise_name(name)))


def looks_like_unit(name: str, registry: Registry) -> bool:
    """A name the registry knows, or one shaped like a unit (ends in 局, 镇, 中心 ...)."""
    if registry.is_known(name):
        return True
    if _BAD_IN_NAME.search(name) or not 2 <= len(name) <= 30:
        return False
    return bool(_UNIT_SHAPE.search(re.sub(r"\([^()]*\)$", "", name))) or is_collective(name)


def parse_unit_line(text: str, line: int, registry: Registry) -> list[Clause] | None:
    """A 责任单位 line as clauses, or None when the line is not one.

    ``市发改局牵头落实;市工信局、市教体局按职责分工分别落实`` -> two clauses.
    Every name must look like a unit, so a sentence ending in 落实 stays text.
    """
    clauses: list[Clause] = []
    parts = [p for p in re.split(r"[;;]", text.strip()) if p.strip()]
    if not parts:
        return None
    # ``办公室牵头,各科室配合``: commas between clauses, each ending in its phrase.
    split: list[str] = []
    for part in parts:
        pieces = [p for p in re.split(r"[,,]", part) if p.strip()]
        if len(pieces) > 1 and all(_PHRASE.search(p.strip()) for p in pieces):
            split.extend(pieces)
        else:
            split.append(part)
    for part in split:
        match = _PHRASE.search(part.strip())
        if not match:
            return None
        names = split_names(part.strip()[: match.start()])
        if not names or not all(looks_like_unit(n, registry) for n in names):
            return None
        phrase, kind = match.group("phrase"), match.group("kind")
        if kind == "牵头":
            role: Role | None = Role.LEAD
        elif kind in ("配合", "协助", "参与") or "分别" in phrase:
            role = Role.IMPLEMENTER
        else:
            role = None
        clauses.append(Clause(tuple(names), role, line))
    return clauses


_PHRASE_INSIDE = re.compile(_PHRASE.pattern.removesuffix("$") + r"(?=[^、,,;;\s落负])")  # not inside 牵头落实


def split_glued_clauses(text: str, registry: Registry) -> list[str]:
    """``…分别牵头落实市直各有关部门分别落实`` -> its two lines, when a line break was lost.

    A 责任单位 line never runs one clause's phrase straight into the next clause's names
    without a mark; where it does (lines joined by a PDF's layout), the text is cut after
    each such phrase, and kept whole unless every piece is a clause. (A collective name
    would otherwise swallow the rest: ``市直各有关部门按职责分工分别落实各镇(街区)``.)
    """
    cuts = [m.end() for m in _PHRASE_INSIDE.finditer(text.strip())]
    if not cuts:
        return [text]
    stripped = text.strip()
    pieces = [stripped[a:b] for a, b in zip([0, *cuts], [*cuts, len(stripped)], strict=True)]
    if all(parse_unit_line(piece, 0, registry) is not None for piece in pieces):
        return pieces
    return [text]


def looks_cut(text: str, registry: Registry) -> bool:
    """``市发改委、市财政局、人民银``: a unit list whose last name is cut off (no phrase, no sentence)."""
    if _BAD_IN_NAME.search(text) or _PHRASE.search(text):
        return False
    names = split_names(text)
    return len(names) >= 3 and all(looks_like_unit(n, registry) for n in names[:-1]) and not looks_like_unit(names[-1], registry)


def names_clause(text: str, line: int, role: Role | None) -> Clause | None:
    """A plain list of names (a 牵头单位 / 责任单位 column) as one clause."""
    names = split_names(text)
    return Clause(tuple(names), role, line) if names else None


@dataclass
class _Row:
    """One requirement row as read: paragraphs, 责任单位 lines, 时限要求."""

    texts: list[tuple[str, int]] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    deadline: str | None = None
    deadline_line: int = 0


@dataclass
class _TaskDraft:
    task: Task
    line: int
    rows: list[_Row] = field(default_factory=list)


class PlanBuilder:
    """Collects events from a reader and builds the plan (see the module docstring)."""

    def __init__(
        self,
        registry: Registry,
        info: PlanInfo,
        report: ImportReport,
        *,
        allow_unknown_units: bool = False,
    ) -> None:
        self.registry = registry
        self.info = info
        self.report = report
        self.allow_unknown_units = allow_unknown_units
        self.section = ""
        self.subsection = ""
        self.drafts: dict[int, _TaskDraft] = {}
        self.current: _TaskDraft | None = None
        self.problems: list[str] = []

    # ------------------------------------------------------------ headings and tasks

    def set_section(self, text: str) -> None:
        self.section = text
        self.subsection = ""

    def set_subsection(self, text: str) -> None:
        self.subsection = text

    def start_task(self, number: int, title: str, line: int) -> None:
        """A task title line; a number seen before is a problem, reported at the end."""
        if number in self.drafts:
            first = self.drafts[number].line
            self.problems.append(f"{self.report.source}:{line}: 任务编号 {number} 重复(第 {first} 行已有)")
            self.current = None
            self.report.add("unplaced", line, f"重复的任务编号 {number},其后内容无法归入任务", title)
            return
        last = max(self.drafts, default=0)
        if number != last + 1:
            self.report.add("warning", line, f"任务编号不连续: {last} 之后是 {number}", task=number)
        task = Task(number=number, title=title, section=self.section, subsection=self.subsection)
        self.current = _TaskDraft(task, line)
        self.drafts[number] = self.current

    @property
    def last_number(self) -> int:
        return max(self.drafts, default=0)

    # ------------------------------------------------------------ text events

    def paragraph(self, text: str, line: int) -> None:
        """A 具体要求 paragraph: opens a new row unless the open row still wants text."""
        draft = self._draft_for(text, line)
        if draft is None:
            return
        row = draft.rows[-1] if draft.rows else None
        if row is None or row.clauses or row.deadline is not None:
            draft.rows.append(_Row(texts=[(text, line)]))
        else:
            row.texts.append((text, line))

    def units(self, text: str, clauses: list[Clause], line: int) -> None:
        """A 责任单位 line for the open row."""
        draft = self._draft_for(text, line)
        if draft is None:
            return
        if not draft.rows:
            self.unplaced(text, line, "责任单位前面没有具体要求")
            return
        row = draft.rows[-1]
        row.clauses.extend(clauses)
        row.responsible.append(text)

    def deadline(self, text: str, line: int) -> None:
        """A 时限要求 line for the open row."""
        draft = self._draft_for(text, line)
        if draft is None:
            return
        if not draft.rows:
            self.unplaced(text, line, "时限要求前面没有具体要求")
            return
        row = draft.rows[-1]
        if row.deadline is not None:
            self.unplaced(text, line, f"同一要求的第二个时限(已有“{row.deadline}”)")
            return
        row.deadline, row.deadline_line = text, line

    def row(self, text: str, clauses: list[Clause], responsible: str, deadline: str, line: int) -> None:
        """One table row. An empty text cell continues the requirement above (merged cell)."""
        draft = self._draft_for(text or responsible or deadline, line)
        if draft is None:
            return
        if not text:
            if not draft.rows:
                self.unplaced(responsible or deadline, line, "这一行没有具体要求,上面也没有可并入的要求")
                return
            target = draft.rows[-1]
            if deadline and target.deadline:
                self.unplaced(deadline, line, f"同一要求的第二个时限(已有“{target.deadline}”)")
                deadline = ""
        else:
            target = _Row(texts=[(text, line)])
            draft.rows.append(target)
        target.clauses.extend(clauses)
        if responsible:
            target.responsible.append(responsible)
        if deadline:
            target.deadline, target.deadline_line = deadline, line

    def cut_row(self, text: str, line: int, why: str) -> None:
        """A units line cut off mid-name: the open row's paragraphs and the line are kept as unplaced."""
        if self.current is not None and self.current.rows and not self.current.rows[-1].clauses:
            for paragraph, paragraph_line in self.current.rows.pop().texts:
                self.unplaced(paragraph, paragraph_line, "要求后面的责任单位不完整")
        self.unplaced(text, line, why)

    def unplaced(self, text: str, line: int, why: str) -> None:
        """Text that fits nowhere: kept on the current task (if any) and reported."""
        if self.current is not None:
            self.current.task.unclassified.append(text)
            self.report.add(
                "unplaced",
                line,
                f"{why};已作为任务{self.current.task.number}的未归类内容保留",
                text,
                self.current.task.number,
            )
        else:
            self.report.add("unplaced", line, f"{why};不在任何任务内,未保存", text)

    def _draft_for(self, text: str, line: int) -> _TaskDraft | None:
        if self.current is None:
            self.report.add("unplaced", line, "出现在第一个任务之前,未保存", text)
            return None
        return self.current

    # ------------------------------------------------------------ building

    def build(self) -> Plan:
        """Turn the drafts into a plan.

        Raises:
            NoticeImportError: no task found, a task number used twice, or unknown
                unit names (listed each with task and line) without
                ``allow_unknown_units``.
        """
        if not self.drafts:
            raise NoticeImportError(
                f"{self.report.source}: 没有找到任何任务(应有“1.任务名称”这样的行)", self.problems
            )
        plan = Plan(self.info)
        for number in sorted(self.drafts):
            plan.tasks[number] = self._build_task(self.drafts[number])
        if self.problems:
            raise NoticeImportError(f"{self.report.source}: 无法导入", self.problems)
        if self.report.unknown_units and not self.allow_unknown_units:
            raise NoticeImportError(
                f"{self.report.source}: 有 {len(self.report.unknown_units)} 处单位名称不在单位名录中"
                "(在 units.toml 里添加规范名称或别名,或加 --allow-unknown-units 保留并标记)",
                [u.describe(self.report.source) for u in self.report.unknown_units],
            )
        return plan

    def _build_task(self, draft: _TaskDraft) -> Task:
        task = draft.task
        previous: Requirement | None = None
        for row in draft.rows:
            if row.clauses:
                previous = self._requirement(task, row, "\n".join(t for t, _ in row.texts))
                task.requirements.append(previous)
                continue
            # No units of its own: each paragraph inherits the row above's.
            for text, line in row.texts:
                if previous is None:
                    task.unclassified.append(text)
                    self.report.add(
                        "unplaced",
                        line,
                        f"没有责任单位,上面也没有可继承的要求;已作为任务{task.number}的未归类内容保留",
                        text,
                        task.number,
                    )
                    continue
                previous = self._inherit(task, previous, text, row.deadline)
                task.requirements.append(previous)
                self.report.add(
                    "warning",
                    line,
                    f"任务{previous.id} 没有自己的责任单位,沿用上一条要求的单位和时限",
                    task=task.number,
                )
            if row.deadline is not None and not row.texts:
                self.unplaced(row.deadline, row.deadline_line, "时限要求没有对应的要求")
        return task

    def _key(self, task: Task) -> str:
        return str(len(task.requirements) + 1)

    def _requirement(self, task: Task, row: _Row, text: str) -> Requirement:
        deadline = row.deadline or ""
        req = Requirement(
            task=task.number,
            key=self._key(task),
            text=text,
            responsible="\n".join(row.responsible),
            deadline=deadline,
        )
        req.due = self._due(req, row.deadline_line or (row.texts[0][1] if row.texts else 0))
        has_lead = any(c.role is Role.LEAD for c in row.clauses)
        ordered: list[tuple[str, Role, bool]] = []
        for clause in row.clauses:
            role = clause.role or (Role.IMPLEMENTER if has_lead else Role.LEAD)
            for position, name in enumerate(clause.names):
                each = position > 0 and governed_by_each(clause.names[position - 1], name)
                for unit, unknown in self._expand(name, task.number, clause.line, each):
                    ordered.append((unit, role, unknown))
        # Leads first, each in notice order; a unit named twice keeps its first (strongest) role.
        for role in (Role.LEAD, Role.IMPLEMENTER):
            for unit, unit_role, unknown in ordered:
                if unit_role is role and unit not in req.assignments:
                    req.assignments[unit] = Assignment(unit=unit, role=role, unknown_unit=unknown)
                    (req.leads if role is Role.LEAD else req.implementers).append(unit)
        return req

    def _inherit(self, task: Task, above: Requirement, text: str, deadline: str | None) -> Requirement:
        req = Requirement(
            task=task.number,
            key=self._key(task),
            text=text,
            responsible=above.responsible,
            deadline=above.deadline if deadline is None else deadline,
            leads=list(above.leads),
            implementers=list(above.implementers),
            inherited=True,
        )
        req.due = above.due if deadline is None else self._due(req, 0)
        for unit, a in above.assignments.items():
            req.assignments[unit] = Assignment(unit=unit, role=a.role, unknown_unit=a.unknown_unit)
        return req

    def _due(self, req: Requirement, line: int) -> tuple[date, ...]:
        result = resolve_deadline(req.deadline, self.info.year, self.info.issued)
        if result.kind is DeadlineKind.UNRESOLVED:
            self.report.add(
                "warning",
                line or None,
                f"任务{req.id} 的时限“{req.deadline}”无法换算成日期: {result.reason}",
                task=req.task,
            )
        return result.dates

    def _expand(self, name: str, task: int, line: int, each: bool = False) -> list[tuple[str, bool]]:
        resolved = self.registry.resolve(name)
        if resolved.kind == "unknown":
            self.report.unknown_units.append(UnknownUnit(name, task, line, each or is_collective(name)))
            return [(normalise_name(name), True)]
        if resolved.kind == "group":
            used = self.report.groups.setdefault(task, [])
            if resolved.name not in used:
                used.append(resolved.name)
        return [(unit, False) for unit in self.registry.expand(name)]


def assignments_per_unit(plan: Plan) -> Counter[str]:
    """How many assignments each unit received (for the import summary)."""
    return Counter(a.unit for _, _, a in plan.assignments())
