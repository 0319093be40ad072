"""TOML <-> model.

Reading uses the standard library's ``tomllib`` (fast); writing a whole file
and editing a file in place use ``tomlkit`` (keeps every untouched byte). Every
problem is reported as a :class:`CodecError` that names the file and line.

The task file format (one file per task, ``tasks/05.toml``)::

    number = 5
    title = "优化涉企服务"
    section = "一、扎实做好重点领域信息公开"
    subsection = "(二)做好优化营商环境信息公开"

    [requirements.1]
    text = \"\"\"围绕……\"\"\"
    responsible = "市政府办公室、……按职责分工分别牵头落实"   # as issued
    deadline = "全年"                                          # as issued
    due = [2019-12-31]
    leads = ["市政府办公室", ...]
    implementers = []

    [requirements.1.units."市政府办公室"]      # one table per unit
    role = "lead"
    status = "not_started"
    evidence = []
    notes = [
        {at = 2019-08-01T10:00:00+08:00, by = "zhangsan", text = "……"},
    ]
    updated = 2019-08-01T10:00:00+08:00
    updated_by = "zhangsan"

One unit's change touches only the lines of its own table, so ``git diff``
stays readable and two units' edits never collide in a merge.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tomlkit.items

# tomlkit (~30 ms to import) is loaded only by the functions that write TOML:
# reading a plan, the path of every listing, needs tomllib alone.

from tracker.model import (
    Assignment,
    FieldConflict,
    Note,
    PlanInfo,
    Requirement,
    Role,
    Status,
    Task,
    parse_task_number,
)
from tracker.textsafe import clean_line, clean_text

PLAN_FILE = "plan.toml"
UNITS_FILE = "units.toml"
OPERATORS_FILE = "operators.toml"
META_FILES = frozenset({PLAN_FILE, UNITS_FILE, OPERATORS_FILE})
TASK_FILE = re.compile(r"^(?:[0-9]{3}/)?([0-9]{2,6})\.toml$")
# Plans with more tasks than this spread their files over sub-folders of 100,
# so that one commit rewrites a small tree instead of one huge folder.
FLAT_LAYOUT_LIMIT = 999

ASSIGNMENT_KEYS = ("role", "status", "evidence", "notes", "updated", "updated_by", "unknown_unit")


class CodecError(ValueError):
    """A problem in one file, at one line when it is known."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


def task_relpath(number: int, nested: bool = False) -> str:
    """Path of a task file relative to ``tasks/``: ``05.toml`` or ``000/0005.toml``."""
    if nested:
        return f"{number // 100:03d}/{number:04d}.toml"
    return f"{number:02d}.toml"


def task_number_from_path(relpath: str) -> int | None:
    """The task number a ``tasks/``-relative path names, or None for other files."""
    match = TASK_FILE.match(relpath)
    if not match or not match.group(1).strip("0"):
        return None
    return parse_task_number(match.group(1).lstrip("0"))


# ---------------------------------------------------------------- locating lines


def find_line(text: str, path: Sequence[str]) -> int | None:
    """The 1-based line where the key ``path`` is defined in TOML ``text``.

    ``path`` is like ``("requirements", "1", "units", "市发改局", "status")``.
    Returns the line of the deepest part found (the table header when the key
    itself is missing), or None.
    """
    best: int | None = None
    current: tuple[str, ...] = ()
    target = tuple(path)
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            header = _header_path(line)
            if header is not None:
                current = header
                if target[: len(current)] == current:
                    best = lineno
            continue
        if "=" in line and not line.startswith("#"):
            key = line.split("=", 1)[0].strip().strip('"').strip("'")
            if current + (key,) == target[: len(current) + 1] and target[: len(current)] == current:
                return lineno
    return best


def _header_path(line: str) -> tuple[str, ...] | None:
    inner = line.strip("[]").strip()
    try:
        parsed = tomllib.loads(f"[{inner}]\n")
    except tomllib.TOMLDecodeError:
        return None
    keys: list[str] = []
    node: Any = parsed
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        keys.append(key)
        node = node[key]
    return tuple(keys)


def parse_toml(text: str, path: str) -> dict[str, Any]:
    """``tomllib.loads`` with the error turned into a CodecError naming the line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"line (\d+)", message)
        line = int(match.group(1)) if match else None
        raise CodecError(path, line, f"TOML 格式错误: {message}") from None


# ---------------------------------------------------------------- reading


class _Reader:
    """Typed access to a parsed TOML dict with errors that name the line."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path

    def fail(self, keys: Sequence[str], message: str) -> CodecError:
        return CodecError(self.path, find_line(self.text, keys), message)

    def get(self, data: dict[str, Any], keys: Sequence[str], kind: type | tuple[type, ...], default: Any) -> Any:
        value = data.get(keys[-1], default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(keys, f"{'.'.join(keys)} 的类型不对: {value!r}")
        return value

    def str_list(self, data: dict[str, Any], keys: Sequence[str]) -> list[str]:
        value = self.get(data, keys, list, [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(keys, f"{'.'.join(keys)} 必须是字符串列表")
        return list(value)


def load_task(text: str, path: str = "<task>") -> Task:
    """Parse a task file into a :class:`Task`.

    Raises:
        CodecError: broken TOML, a missing or mistyped field, an unknown status
            or role, or a due date that is not a date; naming file and line.
    """
    data = parse_toml(text, path)
    return task_from_dict(data, text, path)


def task_from_dict(data: dict[str, Any], text: str, path: str) -> Task:
    """Build a Task from already-parsed TOML (``text`` is used to find lines)."""
    rd = _Reader(text, path)
    if "number" not in data:
        raise CodecError(path, 1, "缺少 number(任务编号)")
    number = rd.get(data, ("number",), int, None)
    if number < 1:
        raise rd.fail(("number",), f"任务编号必须是正整数: {number}")
    task = Task(
        number=number,
        title=rd.get(data, ("title",), str, ""),
        section=rd.get(data, ("section",), str, ""),
        subsection=rd.get(data, ("subsection",), str, ""),
        unclassified=rd.str_list(data, ("unclassified",)),
        continues=rd.get(data, ("continues",), str, ""),
    )
    requirements = rd.get(data, ("requirements",), dict, {})
    for key, req_data in requirements.items():
        keys = ("requirements", key)
        if not isinstance(req_data, dict):
            raise rd.fail(keys, f"requirements.{key} 必须是表")
        if not re.fullmatch(r"[1-9][0-9]{0,3}", key):
            raise rd.fail(keys, f"要求编号必须是正整数: {key!r}")
        due_values = rd.get(req_data, (*keys, "due"), list, [])
        for value in due_values:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise rd.fail((*keys, "due"), f"due 里的 {value!r} 不是日期(应写作 2019-12-31)")
        req = Requirement(
            task=number,
            key=key,
            text=rd.get(req_data, (*keys, "text"), str, ""),
            responsible=rd.get(req_data, (*keys, "responsible"), str, ""),
            deadline=rd.get(req_data, (*keys, "deadline"), str, ""),
            due=tuple(due_values),
            leads=rd.str_list(req_data, (*keys, "leads")),
            implementers=rd.str_list(req_data, (*keys, "implementers")),
            inherited=rd.get(req_data, (*keys, "inherited"), bool, False),
        )
        units = rd.get(req_data, (*keys, "units"), dict, {})
        for unit, a_data in units.items():
            akeys = (*keys, "units", unit)
            if not isinstance(a_data, dict):
                raise rd.fail(akeys, f"单位 {unit} 的条目必须是表")
            req.assignments[unit] = _load_assignment(rd, unit, a_data, akeys)
        task.requirements.append(req)
    task.requirements.sort(key=lambda r: int(r.key))
    _load_conflicts(rd, data, task)
    return task


def _load_conflicts(rd: _Reader, data: dict[str, Any], task: Task) -> None:
    """``[[conflicts]]`` recorded by a sync merge (format: tracker/merge.py)."""
    entries = rd.get(data, ("conflicts",), list, [])
    for entry in entries:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, list) or not path or not all(isinstance(p, str) for p in path):
            raise rd.fail(("conflicts",), "conflicts 的每一条都要有 path(字符串列表)")
        conflict = conflict_from_entry(entry)
        task.conflicts.append(conflict)
        if len(path) >= 5 and path[0] == "requirements" and path[2] == "units":
            req = task.requirement(path[1])
            assignment = req.assignments.get(path[3]) if req else None
            if assignment is not None:
                assignment.conflicts.append(conflict)


def _load_assignment(rd: _Reader, unit: str, data: dict[str, Any], keys: tuple[str, ...]) -> Assignment:
    try:
        role = Role.parse(rd.get(data, (*keys, "role"), str, "implementer"))
    except ValueError as exc:
        raise rd.fail((*keys, "role"), str(exc)) from None
    try:
        status = Status.parse(rd.get(data, (*keys, "status"), str, "not_started"))
    except ValueError as exc:
        raise rd.fail((*keys, "status"), str(exc)) from None
    notes = []
    for item in rd.get(data, (*keys, "notes"), list, []):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise rd.fail((*keys, "notes"), "notes 的每一条都要有 text")
        at = item.get("at")
        if not isinstance(at, datetime):
            raise rd.fail((*keys, "notes"), f"notes 的 at 不是时间: {at!r}")
        notes.append(Note(at=at, by=str(item.get("by", "")), text=item["text"]))
    updated = data.get("updated")
    if updated is not None and not isinstance(updated, datetime):
        raise rd.fail((*keys, "updated"), f"updated 不是时间: {updated!r}")
    return Assignment(
        unit=unit,
        role=role,
        status=status,
        notes=notes,
        evidence=rd.str_list(data, (*keys, "evidence")),
        updated=updated,
        updated_by=rd.get(data, (*keys, "updated_by"), str, ""),
        unknown_unit=rd.get(data, (*keys, "unknown_unit"), bool, False),
    )


def load_plan_info(text: str, path: str = PLAN_FILE) -> PlanInfo:
    """Parse ``tasks/plan.toml``."""
    data = parse_toml(text, path)
    rd = _Reader(text, path)
    if "year" not in data:
        raise CodecError(path, 1, "缺少 year(计划年度)")
    issued = data.get("issued")
    if issued is not None and (not isinstance(issued, date) or isinstance(issued, datetime)):
        raise rd.fail(("issued",), f"issued 不是日期: {issued!r}")
    return PlanInfo(
        year=rd.get(data, ("year",), int, None),
        title=rd.get(data, ("title",), str, ""),
        issuer=rd.get(data, ("issuer",), str, ""),
        issued=issued,
        source=rd.get(data, ("source",), str, ""),
        notice_title=rd.get(data, ("notice_title",), str, ""),
    )


# ---------------------------------------------------------------- writing


def dump_plan_info(info: PlanInfo) -> str:
    """Render ``tasks/plan.toml``; an unknown issue date is left out and said so."""
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment("计划信息(年度、标题、发文单位、印发日期、来源)"))
    doc["year"] = info.year
    doc["title"] = info.title
    if info.notice_title:
        doc["notice_title"] = info.notice_title
    doc["issuer"] = info.issuer
    if info.issued is not None:
        doc["issued"] = info.issued
    else:
        doc.add(tomlkit.comment("印发日期不详:以印发日期计算的时限(如“本任务分工印发1个月内”)无法换算成日期"))
    doc["source"] = info.source
    return tomlkit.dumps(doc)


def dump_task(task: Task) -> str:
    """Render a whole task file (used by the importer and by ``plan new``)."""
    import tomlkit

    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"任务{task.number} {clean_line(task.title)}"))
    doc["number"] = task.number
    doc["title"] = task.title
    doc["section"] = task.section
    doc["subsection"] = task.subsection
    if task.continues:
        doc["continues"] = task.continues
    if task.unclassified:
        doc["unclassified"] = _multiline_array(task.unclassified)
    requirements = tomlkit.table(is_super_table=True)
    for req in task.requirements:
        requirements[req.key] = requirement_table(req)
    doc["requirements"] = requirements
    if task.conflicts:
        doc["conflicts"] = [conflict_entry(c) for c in task.conflicts]
    return tomlkit.dumps(doc)


def dump_conflicts(conflicts: Iterable[FieldConflict]) -> str:
    """Conflicts as the ``[[conflicts]]`` TOML text ("" when none), e.g. for a cache."""
    entries = [conflict_entry(c) for c in conflicts]
    if not entries:
        return ""  # nearly always: no tomlkit import for it
    import tomlkit

    return tomlkit.dumps({"conflicts": entries})


def attach_conflicts(task: Task, text: str) -> None:
    """Read :func:`dump_conflicts` text back onto a task and its assignments."""
    if text:
        _load_conflicts(_Reader(text, "<conflicts>"), parse_toml(text, "<conflicts>"), task)


def conflict_entry(conflict: FieldConflict) -> dict[str, Any]:
    """A ``[[conflicts]]`` entry as plain data: a deleted side (None) and empty stamps left out."""
    entry: dict[str, Any] = {"path": list(conflict.path)}
    for key in ("ours", "theirs"):
        value = getattr(conflict, key)
        if value is not None:
            entry[key] = value
    for key in ("ours_by", "ours_at", "theirs_by", "theirs_at"):
        value = getattr(conflict, key)
        if value:
            entry[key] = value
    return entry


def conflict_from_entry(entry: Mapping[str, Any]) -> FieldConflict:
    """Read a ``[[conflicts]]`` entry back (an absent side is None: it deleted the value)."""
    times = {k: entry.get(k) for k in ("ours_at", "theirs_at")}
    return FieldConflict(
        path=tuple(str(p) for p in entry.get("path", ())),
        ours=entry.get("ours"),
        theirs=entry.get("theirs"),
        ours_by=str(entry.get("ours_by", "")),
        ours_at=times["ours_at"] if isinstance(times["ours_at"], datetime) else None,
        theirs_by=str(entry.get("theirs_by", "")),
        theirs_at=times["theirs_at"] if isinstance(times["theirs_at"], datetime) else None,
    )


def requirement_table(req: Requirement) -> tomlkit.items.Table:
    """A requirement as a tomlkit table, its units as one sub-table each."""
    import tomlkit

    table = tomlkit.table()
    table["text"] = text_item(req.text)
    # Several 责任单位 lines read best as lines, not "\n" escapes.
    table["responsible"] = text_item(req.responsible) if "\n" in req.responsible else req.responsible
    table["deadline"] = req.deadline
    table["due"] = list(req.due)
    table["leads"] = _name_list(req.leads)
    table["implementers"] = _name_list(req.implementers)
    if req.inherited:
        table["inherited"] = True
    units = tomlkit.table(is_super_table=True)
    for unit, assignment in req.assignments.items():
        units[unit] = assignment_table(assignment)
    table["units"] = units
    return table


def assignment_table(assignment: Assignment) -> tomlkit.items.Table:
    """One unit's assignment as a tomlkit table, keys in a fixed order."""
    import tomlkit

    table = tomlkit.table()
    table["role"] = assignment.role.value
    table["status"] = assignment.status.value
    table["evidence"] = _evidence_item(assignment.evidence)
    if assignment.notes:
        table["notes"] = notes_item(assignment.notes)
    if assignment.updated is not None:
        table["updated"] = assignment.updated
    if assignment.updated_by:
        table["updated_by"] = assignment.updated_by
    if assignment.unknown_unit:
        table["unknown_unit"] = True
    return table


def notes_item(notes: Iterable[Note]) -> tomlkit.items.Array:
    """Notes as an array of inline tables, one per line."""
    import tomlkit

    array = tomlkit.array()
    for note in notes:
        item = tomlkit.inline_table()
        item["at"] = note.at
        item["by"] = note.by
        item["text"] = note.text
        array.append(item)
    array.multiline(True)
    return array


def _evidence_item(evidence: Sequence[str]) -> tomlkit.items.Array:
    return _string_array(evidence, one_line_max=1)


def _name_list(names: Sequence[str]) -> tomlkit.items.Array:
    """Unit names; a long list one name per line, so a clerk can scan it."""
    return _string_array(names, one_line_max=4)


def _string_array(values: Sequence[str], one_line_max: int) -> tomlkit.items.Array:
    import tomlkit

    array = tomlkit.array()
    array.extend(values)
    if len(values) > one_line_max:
        array.multiline(True)
    return array


def _multiline_array(values: Sequence[str]) -> tomlkit.items.Array:
    import tomlkit

    array = tomlkit.array()
    array.extend(values)
    array.multiline(True)
    return array


def text_item(text: str) -> tomlkit.items.Item:
    """A paragraph as a multi-line string starting on its own line.

    Three quotes then a newline is how a clerk expects a paragraph to look;
    TOML drops that first newline, so the value is unchanged.
    """
    import tomlkit

    raw = tomlkit.string(text, multiline=True).as_string()
    return tomlkit.value('"""\n' + raw[3:])


# ---------------------------------------------------------------- round-trip check


def normalise_for_compare(value: Any) -> Any:
    """tomlkit items -> plain Python values, for comparing with tomllib output."""
    if isinstance(value, dict):
        return {str(k): normalise_for_compare(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_for_compare(v) for v in value]
    items = sys.modules.get("tomlkit.items")  # no tomlkit item can exist before tomlkit is loaded
    if items is not None and isinstance(value, items.Item):
        return normalise_for_compare(value.unwrap())
    return value


def check_roundtrip(text: str, intended: dict[str, Any], path: str) -> None:
    """Fail loudly when ``text`` does not parse to ``intended`` (tomlkit bugs).

    Raises:
        CodecError: when the written text differs from what was meant.
    """
    parsed = parse_toml(text, path)
    if parsed != normalise_for_compare(intended):
        raise CodecError(path, None, "写出的 TOML 与预期不符(tomlkit 错误),已放弃写入")


def clean_user_text(text: str) -> str:
    """User text as it may be stored: control characters gone, newlines kept."""
    return clean_text(text)
