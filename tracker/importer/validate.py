"""Check a folder of plan files (as ``tasks/`` is laid out) and list every problem.

Unlike the loaders, which stop at the first error, :func:`validate_files` goes
on and collects all problems, each with the file and line: broken TOML, an
unknown status or role, a unit that is neither in ``units.toml`` nor a group,
a task number used twice or not matching its file name, a due date that is not
a date, and ``due`` not matching what the 时限要求 text resolves to.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tracker.codec import (
    META_FILES,
    OPERATORS_FILE,
    PLAN_FILE,
    UNITS_FILE,
    CodecError,
    find_line,
    load_plan_info,
    load_task,
    task_number_from_path,
)
from tracker.deadlines import DeadlineKind, resolve_deadline
from tracker.model import PlanInfo, Role, Status
from tracker.planio import read_folder
from tracker.units import Registry, load_registry

OPERATOR_ROLES = ("operator", "admin", "auditor")


@dataclass(frozen=True)
class Problem:
    """One problem in one file, printed as ``file:line: message``."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: {self.message}"


def validate_folder(folder: Path) -> tuple[list[Problem], int]:
    """Check every ``*.toml`` under ``folder``; returns (problems, number of task files)."""
    prefix = "" if folder == Path(".") else f"{folder.as_posix().rstrip('/')}/"
    return validate_files(read_folder(folder), prefix=prefix)


def validate_files(files: Mapping[str, bytes], prefix: str = "tasks/") -> tuple[list[Problem], int]:
    """Check plan files given as ``{tasks/-relative path: bytes}``; returns (problems, task files)."""
    problems: list[Problem] = []
    info = _check_plan_info(files, prefix, problems)
    registry = _check_registry(files, prefix, problems)
    _check_operators(files, prefix, registry, problems)
    seen: dict[int, str] = {}
    task_files = 0
    for relpath in sorted(files):
        if relpath in META_FILES:
            continue
        path = prefix + relpath
        try:
            number = task_number_from_path(relpath)
        except ValueError:
            number = None
        if number is None:
            problems.append(Problem(path, None, "文件名不是任务编号(应为 05.toml 这样)"))
            continue
        task_files += 1
        text = _decode(files[relpath], path, problems)
        if text is None:
            continue
        before = len(problems)
        data = _parse(text, path, problems)
        if data is None:
            continue
        _TaskChecker(text, path, info, registry, problems).check(data, number, seen)
        if len(problems) == before:
            # Anything the walk above does not cover (types of notes, updated ...).
            try:
                load_task(text, path)
            except CodecError as exc:
                problems.append(Problem(path, exc.line, exc.message))
    return problems, task_files


def _decode(data: bytes, path: str, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, None, f"不是 UTF-8 编码: {exc.reason}"))
        return None


def _parse(text: str, path: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's error carries the position only in its message.
        match = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = int(match.group(1)) if match else None
        problems.append(Problem(path, line, f"TOML 格式错误: {exc}"))
        return None


def _check_plan_info(files: Mapping[str, bytes], prefix: str, problems: list[Problem]) -> PlanInfo | None:
    path = prefix + PLAN_FILE
    if PLAN_FILE not in files:
        problems.append(Problem(path, None, "缺少 plan.toml(计划年度、印发日期)"))
        return None
    text = _decode(files[PLAN_FILE], path, problems)
    if text is None:
        return None
    try:
        return load_plan_info(text, path)
    except CodecError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return None


def _check_registry(files: Mapping[str, bytes], prefix: str, problems: list[Problem]) -> Registry | None:
    path = prefix + UNITS_FILE
    if UNITS_FILE not in files:
        problems.append(Problem(path, None, "缺少 units.toml(单位名录),无法检查单位名称"))
        return None
    text = _decode(files[UNITS_FILE], path, problems)
    if text is None:
        return None
    try:
        return load_registry(text, path)
    except CodecError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return None


def _check_operators(
    files: Mapping[str, bytes], prefix: str, registry: Registry | None, problems: list[Problem]
) -> None:
    if OPERATORS_FILE not in files:
        return
    path = prefix + OPERATORS_FILE
    text = _decode(files[OPERATORS_FILE], path, problems)
    data = _parse(text, path, problems) if text is not None else None
    if data is None or text is None:
        return
    operators = data.get("operators", {})
    if not isinstance(operators, dict):
        problems.append(Problem(path, find_line(text, ("operators",)), "operators 必须是表"))
        return
    for login, entry in operators.items():
        keys = ("operators", login)
        if not isinstance(entry, dict):
            problems.append(Problem(path, find_line(text, keys), f"操作员 {login} 必须是表"))
            continue
        role = entry.get("role", "operator")
        if role not in OPERATOR_ROLES:
            problems.append(
                Problem(
                    path,
                    find_line(text, (*keys, "role")),
                    f"操作员 {login} 的角色 {role!r} 不对(可用: {'、'.join(OPERATOR_ROLES)})",
                )
            )
        units = entry.get("units", [])
        if not isinstance(units, list):
            problems.append(
                Problem(path, find_line(text, (*keys, "units")), f"操作员 {login} 的 units 必须是列表")
            )
            continue
        for unit in units:
            if registry is not None and (not isinstance(unit, str) or not registry.is_known(unit)):
                problems.append(
                    Problem(
                        path,
                        find_line(text, (*keys, "units")),
                        f"操作员 {login} 的单位 {unit!r} 不在 units.toml 中",
                    )
                )


class _TaskChecker:
    """Walks one parsed task file and records every problem with its line."""

    def __init__(
        self, text: str, path: str, info: PlanInfo | None, registry: Registry | None, problems: list[Problem]
    ) -> None:
        self.text = text
        self.path = path
        self.info = info
        self.registry = registry
        self.problems = problems

    def add(self, keys: Sequence[str], message: str) -> None:
        self.problems.append(Problem(self.path, find_line(self.text, keys), message))

    def check(self, data: dict[str, Any], number: int, seen: dict[int, str]) -> None:
        found = data.get("number")
        if found is None:
            self.add(("number",), "缺少 number(任务编号)")
        elif not isinstance(found, int) or isinstance(found, bool) or found < 1:
            self.add(("number",), f"任务编号必须是正整数: {found!r}")
        elif found != number:
            self.add(("number",), f"文件名表示任务{number},文件内 number = {found}")
        if number in seen:
            self.add(("number",), f"任务编号 {number} 重复(另见 {seen[number]})")
        else:
            seen[number] = self.path
        for key in ("title", "section", "subsection"):
            if not isinstance(data.get(key, ""), str):
                self.add((key,), f"{key} 必须是字符串")
        requirements = data.get("requirements", {})
        if not isinstance(requirements, dict):
            self.add(("requirements",), "requirements 必须是表")
            return
        for key, req in requirements.items():
            if not isinstance(req, dict):
                self.add(("requirements", key), f"requirements.{key} 必须是表")
                continue
            self.check_requirement(key, req)

    def check_requirement(self, key: str, req: dict[str, Any]) -> None:
        keys = ("requirements", key)
        if not key.isdigit() or key.startswith("0"):
            self.add(keys, f"要求编号必须是正整数: {key!r}")
        for field in ("text", "responsible", "deadline"):
            if not isinstance(req.get(field, ""), str):
                self.add((*keys, field), f"{field} 必须是字符串")
        due = req.get("due", [])
        due_ok = isinstance(due, list)
        if not due_ok:
            self.add((*keys, "due"), f"due 必须是日期列表: {due!r}")
        else:
            for value in due:
                if not isinstance(value, date) or isinstance(value, datetime):
                    self.add((*keys, "due"), f"due 里的 {value!r} 不是日期(应写作 2019-12-31)")
                    due_ok = False
        deadline = req.get("deadline", "")
        if due_ok and isinstance(deadline, str) and self.info is not None:
            self.check_due(keys, deadline, tuple(due))
        units = req.get("units", {})
        if not isinstance(units, dict):
            self.add((*keys, "units"), "units 必须是表")
            return
        for unit, entry in units.items():
            self.check_assignment((*keys, "units", unit), unit, entry)

    def check_due(self, keys: tuple[str, ...], deadline: str, due: tuple[date, ...]) -> None:
        assert self.info is not None
        meant = resolve_deadline(deadline, self.info.year, self.info.issued)
        shown = "、".join(d.isoformat() for d in due) or "空"
        if meant.kind is DeadlineKind.DATED and tuple(sorted(due)) != meant.dates:
            expected = "、".join(d.isoformat() for d in meant.dates)
            self.add((*keys, "due"), f"due({shown})与时限“{deadline}”不符,应为 {expected}")
        elif meant.kind in (DeadlineKind.ONGOING, DeadlineKind.UNSPECIFIED) and due:
            what = "未规定时限" if meant.kind is DeadlineKind.UNSPECIFIED else f"时限“{deadline}”没有日期"
            self.add((*keys, "due"), f"due({shown})不应有日期: {what}")

    def check_assignment(self, keys: tuple[str, ...], unit: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            self.add(keys, f"单位 {unit} 的条目必须是表")
            return
        for field, parse in (("status", Status.parse), ("role", Role.parse)):
            value = entry.get(field)
            if value is None:
                continue
            if not isinstance(value, str):
                self.add((*keys, field), f"单位 {unit}: {field} 必须是字符串")
                continue
            try:
                parse(value)
            except ValueError as exc:
                self.add((*keys, field), f"单位 {unit}: {exc}")
        if self.registry is not None and not self.registry.is_known(unit):
            flagged = "(导入时已标记 unknown_unit)" if entry.get("unknown_unit") else ""
            self.add(keys, f"单位“{unit}”既不在 units.toml 中,也不是分组{flagged}")
