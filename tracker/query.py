"""The filter language shared by the CLI (``tracker list QUERY``) and the TUI.

A query is a list of terms; terms next to each other must all hold (and), ``or``
between terms gives alternatives (and binds tighter than or), ``-`` before a term
negates it, and double quotes keep a value with spaces together::

    unit:市发改局 status:in_progress role:lead due<2019-09-01 overdue
    due-within:30 section:一 group:各镇(街区) task:5..9 text:征地 "free words"
    单位:营里镇 状态:已完成 角色:牵头 任务:5..9 逾期 文本:征地 分组:各镇(街区) 板块:一
    -status:done or unit:fgj

Terms about a unit's assignment (unit, status, role, group, overdue, due-within)
are checked against one assignment; a requirement matches when one of its
assignments matches the whole query (a requirement without assignments is checked
with no assignment, so those terms are false), and a task matches when one of its
requirements does. Free words match the task title or the requirement text.

Unit names match canonical names, aliases, pinyin initials (``fgj`` -> 市发改局,
of the name with or without its leading 市) and, failing those, a unique part of
a name: :mod:`tracker.unit_names` decides, as for every command. Ambiguous names
are an error listing the candidates.

Pure core: no typer, no textual. :func:`parse` raises only :class:`QueryError`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from tracker.model import Assignment, Plan, Requirement, Role, Status, Task, is_overdue
from tracker.unit_names import UnitNameError, pinyin_initials, resolve_group, resolve_unit_names
from tracker.units import Registry, normalise_name

__all__ = [
    "FIELD_NAMES",
    "MatchContext",
    "Query",
    "QueryError",
    "parse",
    "pinyin_initials",
    "resolve_units",
]


class QueryError(ValueError):
    """A query that cannot be understood, pointing at the bad token.

    Attributes:
        message: what is wrong, in Chinese.
        position: index of the bad token in the query text.
        token: the bad token as typed.
    """

    def __init__(self, message: str, position: int = 0, token: str = "") -> None:
        self.message = message
        self.position = position
        self.token = token
        super().__init__(message)

    def caret(self, query: str) -> str:
        """Two lines: the query, and carets under the bad token (wide characters counted twice)."""
        shown = query.replace("\t", " ").replace("\n", " ")
        pad = _width(shown[: self.position])
        width = max(1, _width(self.token))
        return f"{shown}\n{' ' * pad}{'^' * width}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# ---------------------------------------------------------------- fields

# canonical field -> accepted spellings (English, Chinese)
_FIELD_SPELLINGS: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "u", "单位", "责任单位"),
    "status": ("status", "s", "状态"),
    "role": ("role", "角色"),
    "due": ("due", "截止", "到期日"),
    "due-within": ("due-within", "within", "临期", "即将到期"),
    "section": ("section", "板块", "部分"),
    "group": ("group", "分组"),
    "task": ("task", "t", "任务"),
    "req": ("req", "requirement", "要求"),
    "text": ("text", "文本", "内容"),
    "title": ("title", "标题"),
    "deadline": ("deadline", "时限", "时限要求"),
}
FIELD_NAMES: dict[str, str] = {
    spelling: name for name, spellings in _FIELD_SPELLINGS.items() for spelling in spellings
}
_KEYWORDS = {"overdue": "overdue", "逾期": "overdue"}
_OR_WORDS = {"or", "OR", "或", "||", "|"}
_AND_WORDS = {"and", "AND", "且", "&&"}
# fields that look at one unit's assignment rather than the requirement
_ASSIGNMENT_FIELDS = {"unit", "status", "role", "group", "overdue", "due-within"}
_QUOTES = {'"': '"', "“": "”", "”": "”"}
# A term is FIELD OP REST: FIELD is a Latin or CJK letter, then letters, "_" or "-".
# Scanned by hand (:func:`split_term`): compiling the same regular expression walks the
# 27,000 CJK code points of its character class one by one, 8 ms of every command's start.
_OPS = ("<=", ">=", "<", ">", "=", ":", ":")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_CN_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class _Token:
    """One word of the query as typed."""

    text: str  # as typed, quotes included
    value: str  # quotes removed
    position: int
    quoted: bool  # the whole token was one quoted string


@dataclass
class _Term:
    """FIELD OP VALUE, a free word, or ``overdue``."""

    field: str  # canonical field, "word" or "overdue"
    op: str
    value: object
    token: _Token
    raw_value: str = ""
    # unit/group terms: the canonical names that satisfy them, filled by bind()
    units: frozenset[str] | None = None


@dataclass
class _Not:
    """``-term``."""

    child: _Node


@dataclass
class _And:
    """Terms side by side."""

    children: list[_Node]


@dataclass
class _Or:
    """Alternatives joined by ``or``."""

    children: list[_Node]


_Node = _Term | _Not | _And | _Or


@dataclass(frozen=True)
class MatchContext:
    """What matching needs besides the plan: "today" (``--as-of``) and the unit registry."""

    today: date
    registry: Registry | None = None


@dataclass
class Query:
    """A parsed query. Build with :func:`parse`; an empty query matches everything."""

    text: str
    root: _Node | None
    _bound_to: int | None = field(default=None, repr=False)
    # the last task matched and what the query says about all of it (see match_assignment)
    _verdict_task: Task | None = field(default=None, repr=False, compare=False)
    _verdict_ctx: MatchContext | None = field(default=None, repr=False, compare=False)
    _verdict_bound: int | None = field(default=None, repr=False, compare=False)
    _verdict: bool | None = field(default=None, repr=False, compare=False)
    _compiled: _Matcher | None = field(default=None, repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        """True when the query has no terms (matches everything)."""
        return self.root is None

    def bind(self, registry: Registry) -> Query:
        """Resolve unit and group names against ``registry``.

        Raises:
            QueryError: an unknown or ambiguous unit or group, pointing at its token.
        """
        if self._bound_to != id(registry):
            for term in _terms(self.root):
                if term.field == "unit":
                    term.units = _resolve_unit(registry, term)
                elif term.field == "group":
                    term.units = _resolve_group(registry, term)
            self._bound_to = id(registry)
        return self

    def match_assignment(self, task: Task, req: Requirement, assignment: Assignment | None, ctx: MatchContext) -> bool:
        """Does one unit's assignment (or a requirement without one, ``None``) match?

        Callers go task by task (the TUI's rows, listings), so the task-level
        verdict (:meth:`task_verdict`) is kept for the last task seen: a task
        the query rules out (another task number, section, unit ...) costs one
        identity check per assignment. Tasks of a loaded plan are not changed
        in place (the store hands out shared objects), which this relies on.
        """
        if task is self._verdict_task and ctx is self._verdict_ctx and self._bound_to == self._verdict_bound:
            verdict = self._verdict
            return self._compiled(task, req, assignment, ctx) if verdict is None else verdict  # type: ignore[misc]
        return self._match_new_task(task, req, assignment, ctx)

    def _match_new_task(self, task: Task, req: Requirement, assignment: Assignment | None, ctx: MatchContext) -> bool:
        root = self.root
        if ctx.registry is not None and root is not None:
            self.bind(ctx.registry)
        if self._compiled is None or self._verdict_bound != self._bound_to:  # unit names resolve at bind time
            self._compiled = _compile(root) if root is not None else (lambda t, r, a, c: True)
        self._verdict = True if root is None else _task_eval(root, task, {})
        self._verdict_task, self._verdict_ctx, self._verdict_bound = task, ctx, self._bound_to
        verdict = self._verdict
        return self._compiled(task, req, assignment, ctx) if verdict is None else verdict

    def match_requirement(self, task: Task, req: Requirement, ctx: MatchContext) -> bool:
        """A requirement matches when one of its assignments matches the whole query."""
        if not req.assignments:
            return self.match_assignment(task, req, None, ctx)
        return any(self.match_assignment(task, req, a, ctx) for a in req.assignments.values())

    def match_task(self, task: Task, ctx: MatchContext) -> bool:
        """A task matches when one of its requirements matches."""
        if self.root is None:
            return True
        return any(self.match_requirement(task, req, ctx) for req in task.requirements)

    def task_verdict(self, task: Task, ctx: MatchContext) -> bool | None:
        """What the query says about every assignment of ``task`` at once, from task-level facts.

        False: no assignment (nor requirement without one) of the task can match;
        True: every one matches; None: they must be checked one by one. Only
        ``task``/``section``/``title`` terms, text in the title or requirements
        and the units the task names are looked at, so this costs far less than
        matching the task's assignments.
        """
        if self.root is None:
            return True
        if ctx.registry is not None:
            self.bind(ctx.registry)
        return _task_eval(self.root, task, {})

    def task_numbers(self, limit: int = 100_000) -> frozenset[int] | None:
        """The task numbers the query can match at all (``task:``/``req:`` terms), or None for any.

        A range wider than ``limit`` counts as any, so the answer stays small.
        """
        return _task_numbers(self.root, limit)

    def unit_alternatives(self) -> frozenset[str] | None:
        """The units of a query that is only ``unit:``/``group:`` terms joined by ``or``, else None.

        Such a query matches exactly the assignments of those units (bind it first).
        """
        node = self.root
        terms = node.children if isinstance(node, _Or) else [node]
        names: set[str] = set()
        for term in terms:
            if not isinstance(term, _Term) or term.field not in ("unit", "group"):
                return None
            names |= term.units if term.units is not None else {normalise_name(str(term.value))}
        return frozenset(names)

    def candidate_tasks(
        self, tasks_naming: Callable[[frozenset[str]], set[int]], limit: int = 100_000
    ) -> frozenset[int] | None:
        """The task numbers the query can match at all, or None for any.

        Like :meth:`task_numbers`, and a ``unit:``/``group:`` term narrows to the tasks
        ``tasks_naming`` says have an assignment of one of its units (the query index
        answers that without building a task). Bind the query first.
        """
        return _candidates(self.root, tasks_naming, limit)

    def assignments(self, plan: Plan, ctx: MatchContext) -> Iterator[tuple[Task, Requirement, Assignment]]:
        """Every matching assignment of ``plan``, in plan order (whole tasks skipped by :meth:`task_verdict`)."""
        if ctx.registry is not None and self.root is not None:
            self.bind(ctx.registry)
        for task in plan.sorted_tasks():
            verdict = self.task_verdict(task, ctx)
            if verdict is False:
                continue
            for req in task.requirements:
                for assignment in req.assignments.values():
                    if verdict or self.match_assignment(task, req, assignment, ctx):
                        yield task, req, assignment

    def requirements(self, plan: Plan, ctx: MatchContext) -> Iterator[tuple[Task, Requirement]]:
        """Every matching requirement of ``plan``, in plan order."""
        for task in plan.sorted_tasks():
            verdict = self.task_verdict(task, ctx)
            if verdict is False:
                continue
            for req in task.requirements:
                if verdict or self.match_requirement(task, req, ctx):
                    yield task, req

    def tasks(self, plan: Plan, ctx: MatchContext) -> Iterator[Task]:
        """Every matching task of ``plan``, in plan order."""
        for task in plan.sorted_tasks():
            verdict = self.task_verdict(task, ctx)
            if verdict or (verdict is None and self.match_task(task, ctx)):
                yield task

    @property
    def uses_assignment_terms(self) -> bool:
        """True when some term looks at a unit's assignment (unit, status, overdue ...)."""
        return any(t.field in _ASSIGNMENT_FIELDS for t in _terms(self.root))


def parse(text: str, registry: Registry | None = None) -> Query:
    """Parse a query; with a registry, unit and group names are resolved too.

    Raises:
        QueryError: the first problem, with the position and text of its token.
    """
    if not isinstance(text, str):
        raise QueryError("查询必须是文本", 0, "")
    tokens = _tokenize(text)
    root = _Parser(tokens, text).parse()
    query = Query(text, root)
    if registry is not None:
        query.bind(registry)
    return query


# ---------------------------------------------------------------- tokens and grammar


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        value: list[str] = []
        quoted_parts = 0
        plain_parts = 0
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch in _QUOTES:
                close = _QUOTES[ch]
                end = text.find(close, i + 1)
                if end < 0:
                    raise QueryError("引号没有闭合", i, text[i:])
                value.append(text[i + 1 : end])
                quoted_parts += 1
                i = end + 1
            else:
                value.append(ch)
                plain_parts += 1
                i += 1
        raw = text[start:i]
        tokens.append(_Token(raw, "".join(value), start, quoted_parts == 1 and plain_parts == 0))
    return tokens


class _Parser:
    """or_expr := and_expr ('or' and_expr)* ; and_expr := term+ ; term := '-'* atom."""

    def __init__(self, tokens: list[_Token], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.i = 0

    def parse(self) -> _Node | None:
        if not self.tokens:
            return None
        alternatives = [self._and_expr()]
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]  # always an "or" here
            self.i += 1
            if self.i >= len(self.tokens):
                raise QueryError("“or”后面缺少条件", tok.position, tok.text)
            alternatives.append(self._and_expr())
        return alternatives[0] if len(alternatives) == 1 else _Or(alternatives)

    def _is_or(self, tok: _Token) -> bool:
        return not tok.quoted and tok.text in _OR_WORDS

    def _and_expr(self) -> _Node:
        terms: list[_Node] = []
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if self._is_or(tok):
                if not terms:
                    raise QueryError("“or”前面缺少条件", tok.position, tok.text)
                break
            self.i += 1
            if not tok.quoted and tok.text in _AND_WORDS:
                continue
            terms.append(_atom(tok))
        if not terms:
            tok = self.tokens[self.i - 1]
            raise QueryError("“and”两边都要有条件", tok.position, tok.text)
        return terms[0] if len(terms) == 1 else _And(terms)


def _atom(tok: _Token) -> _Node:
    if tok.quoted:
        return _word(tok, tok.value)
    raw = tok.text
    negations = len(raw) - len(raw.lstrip("-"))
    if negations:
        inner_text = raw[negations:]
        if not inner_text:
            raise QueryError("“-”后面缺少要排除的条件", tok.position, raw)
        inner_tok = _Token(inner_text, tok.value[negations:], tok.position + negations, False)
        if inner_text[0] in _QUOTES and _tokenize(inner_text)[0].quoted:
            inner_tok = _Token(inner_text, tok.value[negations:], tok.position + negations, True)
        node: _Node = _atom(inner_tok)
        for _ in range(negations):
            node = _Not(node)
        return node
    if raw in _KEYWORDS:
        return _Term("overdue", ":", True, tok)
    match = split_term(tok.value) if tok.value == raw or not raw.startswith(tuple(_QUOTES)) else None
    if match:
        name, op, rest = match
        canonical = FIELD_NAMES.get(name) or FIELD_NAMES.get(name.lower())
        if canonical is None:
            known = "、".join(sorted({s for s in FIELD_NAMES if s.isascii() and len(s) > 1}))
            raise QueryError(f"未知字段 {name!r}(可用: {known};中文: 单位 状态 角色 任务 文本 分组 板块 时限 逾期)",
                             tok.position, raw)
        return _field_term(canonical, op, rest, tok)
    return _word(tok, tok.value)


def _is_field_letter(char: str) -> bool:
    return "A" <= char <= "Z" or "a" <= char <= "z" or "\u3400" <= char <= "\u9fff"


def split_term(text: str) -> tuple[str, str, str] | None:
    """``unit:营里镇`` -> (``unit``, ``:``, ``营里镇``); None when ``text`` is not FIELD OP REST.

    FIELD is a Latin or CJK letter followed by letters, ``_`` or ``-``; OP is one of
    ``<= >= < > = : :``; REST is everything after it.
    """
    if not text or not _is_field_letter(text[0]):
        return None
    end = 1
    while end < len(text) and (_is_field_letter(text[end]) or text[end] in "_-"):
        end += 1
    for op in _OPS:
        if text.startswith(op, end):
            return text[:end], op, text[end + len(op):]
    return None


def _word(tok: _Token, value: str) -> _Term:
    folded = value.strip().casefold()
    if not folded:
        raise QueryError("空的查询词", tok.position, tok.text)
    return _Term("word", ":", folded, tok, value)


def _field_term(name: str, op: str, value: str, tok: _Token) -> _Term:
    op = ":" if op == ":" else op
    value = value.strip()
    if not value:
        raise QueryError(f"{name} 后面缺少值", tok.position, tok.text)
    if op not in (":", "=") and name not in ("due", "task"):
        raise QueryError(f"{name} 只能用“:”,不能用“{op}”", tok.position, tok.text)
    if name == "status":
        statuses = set()
        for part in _split_values(value):
            try:
                statuses.add(Status.parse(part))
            except ValueError:
                accepted = "、".join(f"{s.value}/{s.label}" for s in Status)
                raise QueryError(f"未知状态 {part!r}(可用: {accepted})", tok.position, tok.text) from None
        return _Term(name, op, frozenset(statuses), tok, value)
    if name == "role":
        try:
            role = Role.parse(value)
        except ValueError:
            raise QueryError(f"未知角色 {value!r}(可用: lead/牵头、implementer/落实)", tok.position, tok.text) from None
        return _Term(name, op, role, tok, value)
    if name == "due":
        return _Term(name, "=" if op == ":" else op, _parse_date(value, tok), tok, value)
    if name == "due-within":
        if not value.isdigit() or not value.isascii() or int(value) > 36500:
            raise QueryError(f"due-within 要写天数(如 due-within:30),不是 {value!r}", tok.position, tok.text)
        return _Term(name, op, int(value), tok, value)
    if name == "task":
        return _Term(name, op, _parse_task_values(value, op, tok), tok, value)
    if name == "req":
        if not re.fullmatch(r"[0-9]{1,6}\.[0-9]{1,4}", value):
            raise QueryError(f"要求编号要写成 任务.序号(如 5.1),不是 {value!r}", tok.position, tok.text)
        task_part, key = value.split(".")
        return _Term(name, op, (int(task_part), str(int(key))), tok, value)
    if name == "section":
        return _Term(name, op, normalise_name(value), tok, value)
    if name in ("unit", "group"):
        return _Term(name, op, value, tok, value)
    return _Term(name, op, value.casefold(), tok, value)


def _split_values(value: str) -> list[str]:
    return [p for p in re.split(r"[,,、]", value) if p.strip()] or [value]


def _parse_date(value: str, tok: _Token) -> date:
    match = _DATE.match(value)
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise QueryError(f"不是日期: {value!r}(应写作 2019-09-01)", tok.position, tok.text)


def _parse_task_values(value: str, op: str, tok: _Token) -> tuple[tuple[int, int], ...]:
    """Inclusive ranges of task numbers; comparisons become open-ended ranges."""
    big = 10**9
    ranges: list[tuple[int, int]] = []
    for part in _split_values(value):
        match = re.fullmatch(r"\s*([0-9]{1,6})\s*(?:(?:\.\.|~|-|—|到|至)\s*([0-9]{1,6}))?\s*", part)
        if not match:
            raise QueryError(f"任务编号要写成 5、5..9 或 5,7,9,不是 {part!r}", tok.position, tok.text)
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if low > high:
            raise QueryError(f"任务范围 {part} 的起点大于终点", tok.position, tok.text)
        if op in ("<", "<=", ">", ">=") and match.group(2):
            raise QueryError("比较运算只能跟一个任务编号", tok.position, tok.text)
        if op == "<":
            low, high = 0, low - 1
        elif op == "<=":
            low, high = 0, low
        elif op == ">":
            low, high = low + 1, big
        elif op == ">=":
            low, high = low, big
        ranges.append((low, high))
    return tuple(ranges)


def _terms(node: _Node | None) -> Iterator[_Term]:
    if node is None:
        return
    if isinstance(node, _Term):
        yield node
    elif isinstance(node, _Not):
        yield from _terms(node.child)
    else:
        for child in node.children:
            yield from _terms(child)


# ---------------------------------------------------------------- units


def _resolve_unit(registry: Registry, term: _Term) -> frozenset[str]:
    try:
        return resolve_unit_names(registry, str(term.value))
    except UnitNameError as exc:
        raise QueryError(exc.message, term.token.position, term.token.text) from None


def _resolve_group(registry: Registry, term: _Term) -> frozenset[str]:
    try:
        return resolve_group(registry, str(term.value))
    except UnitNameError as exc:
        raise QueryError(exc.message, term.token.position, term.token.text) from None


def resolve_units(registry: Registry, name: str) -> frozenset[str]:
    """The canonical unit names ``name`` stands for (a unit, an alias, pinyin initials, a group's members).

    Raises:
        QueryError: an unknown or ambiguous name (position 0, the name as token).
    """
    term = _Term("unit", ":", name.strip(), _Token(name, name, 0, False), name)
    return _resolve_unit(registry, term)


# ---------------------------------------------------------------- matching


def _eval(node: _Node, task: Task, req: Requirement, a: Assignment | None, ctx: MatchContext) -> bool:
    if isinstance(node, _Term):
        return _match_term(node, task, req, a, ctx)
    if isinstance(node, _Not):
        return not _eval(node.child, task, req, a, ctx)
    if isinstance(node, _And):
        return all(_eval(c, task, req, a, ctx) for c in node.children)
    return any(_eval(c, task, req, a, ctx) for c in node.children)


_Matcher = Callable[[Task, Requirement, "Assignment | None", MatchContext], bool]


def _compile(node: _Node) -> _Matcher:
    """The node as one closure per term (what :func:`_eval` does, without dispatching on names per call)."""
    if isinstance(node, _Not):
        inner = _compile(node.child)
        return lambda t, r, a, c: not inner(t, r, a, c)
    if isinstance(node, (_And, _Or)):
        parts = [_compile(child) for child in node.children]
        if isinstance(node, _And):
            return lambda t, r, a, c: all(p(t, r, a, c) for p in parts)
        return lambda t, r, a, c: any(p(t, r, a, c) for p in parts)
    term = node
    if term.field == "status":
        statuses = term.value
        return lambda t, r, a, c: a is not None and a.status in statuses  # type: ignore[operator]
    if term.field in ("unit", "group"):
        names = term.units if term.units is not None else frozenset({normalise_name(str(term.value))})
        return lambda t, r, a, c: a is not None and a.unit in names
    if term.field == "role":
        role = term.value
        return lambda t, r, a, c: a is not None and a.role is role
    if term.field == "task":
        ranges = term.value
        return lambda t, r, a, c: any(low <= t.number <= high for low, high in ranges)  # type: ignore[attr-defined]
    return lambda t, r, a, c: _match_term(term, t, r, a, c)


def _task_eval(node: _Node, task: Task, memo: dict[str, object]) -> bool | None:
    """Three-valued: the node's value for every (requirement, assignment) of ``task``, or None when it varies."""
    if isinstance(node, _Term):
        return _task_term(node, task, memo)
    if isinstance(node, _Not):
        inner = _task_eval(node.child, task, memo)
        return None if inner is None else not inner
    values = [_task_eval(c, task, memo) for c in node.children]
    if isinstance(node, _And):
        if False in values:
            return False
        return True if all(v is True for v in values) else None
    if True in values:
        return True
    return False if all(v is False for v in values) else None


def _in_texts(word: str, texts: list[str]) -> bool | None:
    hits = sum(1 for text in texts if word in text)
    if hits == 0:
        return False
    return True if hits == len(texts) else None


def _task_term(term: _Term, task: Task, memo: dict[str, object]) -> bool | None:
    name = term.field
    if name == "task":
        return any(low <= task.number <= high for low, high in term.value)  # type: ignore[attr-defined]
    if name == "section":
        return _match_section(str(term.value), task)
    if name == "title":
        return str(term.value) in task.title.casefold()
    if name in ("word", "text"):
        if not task.requirements:
            return None
        texts = memo.get("texts")
        if texts is None:
            texts = memo["texts"] = [req.text.casefold() for req in task.requirements]
        if name == "word" and str(term.value) in task.title.casefold():
            return True
        return _in_texts(str(term.value), texts)  # type: ignore[arg-type]
    if name in ("unit", "group"):
        units = memo.get("units")
        if units is None:
            units = memo["units"] = {u for req in task.requirements for u in req.assignments}
        names = term.units if term.units is not None else frozenset({normalise_name(str(term.value))})
        return None if not names.isdisjoint(cast("set[str]", units)) else False
    return None


def _task_numbers(node: _Node | None, limit: int) -> frozenset[int] | None:
    return _candidates(node, None, limit)


def _term_task_numbers(node: _Term, limit: int) -> frozenset[int] | None:
    if node.field == "req":
        return frozenset({node.value[0]})  # type: ignore[index]
    if node.field != "task":
        return None
    ranges = node.value
    if sum(high - low + 1 for low, high in ranges) > limit:  # type: ignore[attr-defined]
        return None
    return frozenset(n for low, high in ranges for n in range(low, high + 1))  # type: ignore[attr-defined]


def _candidates(
    node: _Node | None, tasks_naming: Callable[[frozenset[str]], set[int]] | None, limit: int
) -> frozenset[int] | None:
    if node is None or isinstance(node, _Not):
        return None
    if isinstance(node, _Term):
        if node.field in ("unit", "group") and tasks_naming is not None:
            names = node.units if node.units is not None else frozenset({normalise_name(str(node.value))})
            return frozenset(tasks_naming(names))
        return _term_task_numbers(node, limit)
    found = [_candidates(c, tasks_naming, limit) for c in node.children]
    if isinstance(node, _And):
        known = [f for f in found if f is not None]
        return frozenset.intersection(*known) if known else None
    if any(f is None for f in found):
        return None
    return frozenset().union(*found)  # type: ignore[arg-type]


def _compare(left: int | date, op: str, right: int | date) -> bool:
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    if op == ">=":
        return left >= right  # type: ignore[operator]
    return left == right


def _match_term(term: _Term, task: Task, req: Requirement, a: Assignment | None, ctx: MatchContext) -> bool:
    name = term.field
    if name == "word":
        word = str(term.value)
        return word in task.title.casefold() or word in req.text.casefold()
    if name == "task":
        return any(low <= task.number <= high for low, high in term.value)  # type: ignore[attr-defined]
    if name == "req":
        return (task.number, req.key) == term.value
    if name == "due":
        return any(_compare(d, term.op, term.value) for d in req.due)  # type: ignore[arg-type]
    if name == "text":
        return str(term.value) in req.text.casefold()
    if name == "title":
        return str(term.value) in task.title.casefold()
    if name == "deadline":
        return str(term.value) in req.deadline.casefold()
    if name == "section":
        return _match_section(str(term.value), task)
    if a is None:
        return False
    if name in ("unit", "group"):
        names = term.units if term.units is not None else frozenset({normalise_name(str(term.value))})
        return a.unit in names
    if name == "status":
        return a.status in term.value  # type: ignore[operator]
    if name == "role":
        return a.role is term.value
    if name == "overdue":
        return is_overdue(req.due, a.status, ctx.today)
    if name == "due-within":
        if a.status.is_closed:
            return False
        last = ctx.today + timedelta(days=int(term.value))  # type: ignore[call-overload]
        return any(ctx.today <= d <= last for d in req.due)
    raise AssertionError(name)  # pragma: no cover - every field is handled above


def _match_section(value: str, task: Task) -> bool:
    """``一`` -> section 一、…; ``(一)`` -> sub-section (一)…; anything else: part of either heading."""
    section = normalise_name(task.section)
    subsection = normalise_name(task.subsection)
    if value and all(c in _CN_NUMERALS for c in value):
        return section.startswith(value + "、") or section == value
    if value.startswith("(") and value.endswith(")"):
        return subsection.startswith(value)
    return value in section or value in subsection
