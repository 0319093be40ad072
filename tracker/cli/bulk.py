"""Bulk changes from the command line: ``tracker set --query Q`` and ``tracker set 5..9 --unit U``.

Kept apart from ``set_cmd.py`` (which handles one requirement or task) so that the
single form stays small. One commit for the lot, through ``Service.apply``; refused
whole when any assignment is not the operator's to change; over
:data:`CONFIRM_OVER` assignments asks first unless ``--yes``.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.plan_source import Source, echo, fail, parse_query
from tracker.cli.skipped import report_skipped
from tracker.i18n import t
from tracker.model import Assignment, Requirement, Status, Task
from tracker.query import QueryError, parse
from tracker.rules import validate_change
from tracker.service import Change, Service
from tracker.unit_names import UnitNameError, resolve_unit, resolve_unit_names

CONFIRM_OVER = 20


def _interactive() -> bool:
    """Whether a person can answer a question on stdin (tests replace this)."""
    return sys.stdin is not None and sys.stdin.isatty()


def confirm_many(count: int, yes: bool, what: str) -> None:
    """Ask before changing more than :data:`CONFIRM_OVER` items; exit 1 when refused or nobody can answer."""
    if count <= CONFIRM_OVER or yes:
        return
    if not _interactive():
        fail(t(f"将修改 {count} 条{what},超过 {CONFIRM_OVER} 条需要确认;非交互方式运行时请加 --yes",
               f"{count} {what} would change (over {CONFIRM_OVER} needs confirmation); pass --yes when not "
               "running interactively"))
    if not typer.confirm(t(f"确认修改这 {count} 条{what}?", f"Change these {count} {what}?"), default=False):
        fail(t("已取消,未提交", "cancelled, nothing committed"))


def _may(service: Service, unit: str, on_behalf_of: str | None) -> tuple[bool, str]:
    if on_behalf_of is not None:
        if unit != on_behalf_of:
            return False, t(f"代 {on_behalf_of} 录入时不能修改 {unit}", f"acting for {on_behalf_of}, not {unit}")
        return True, ""
    return service.may_edit(unit)


def refused_lines(service: Service, items: list[tuple[Task, Requirement, Assignment]],
                  on_behalf_of: str | None) -> list[str]:
    """``5.1 市发改局: reason`` for every assignment the operator may not change."""
    lines = []
    for _, req, a in items:
        ok, why = _may(service, a.unit, on_behalf_of)
        if not ok:
            lines.append(f"{req.id} {a.unit}: {why}")
    return lines


def _range_query(req: str) -> str:
    """The query a ``5..9`` / ``5,7`` / ``5.1`` argument stands for."""
    spec = req.strip()
    single_req = "." in spec and ".." not in spec and "," not in spec
    return f"req:{spec}" if single_req else f"task:{spec}"


def tasks_needed(query: str | None, req: str | None) -> frozenset[int] | None:
    """The task numbers a bulk ``set`` can touch when its arguments bound them; None: the whole plan.

    Matching looks at one task at a time, so reading only these task files
    gives the same selection as reading the plan. A bad argument gives None:
    :func:`select` reports it.
    """
    found: frozenset[int] | None = None
    for text in (query, None if req is None else _range_query(req)):
        if text is None:
            continue
        try:
            numbers = parse(text).task_numbers()
        except QueryError:
            return None
        if numbers is not None:
            found = numbers if found is None else found & numbers
    return found


def select(source: Source, query: str | None, req: str | None, unit: str | None,
           today: date) -> list[tuple[Task, Requirement, Assignment]]:
    """The assignments a bulk ``set`` means: the query, a task range (``5..9``) and ``--unit`` together."""
    parsed, ctx = parse_query(query, source, today)
    registry = source.loaded.registry
    wanted_tasks = None
    if req is not None:
        try:
            wanted_tasks = parse(_range_query(req))
        except QueryError as exc:
            fail(t(f"任务范围不合法: {req!r}({exc.message})", f"bad task range {req!r} ({exc.message})"), 2)
    units = None
    if unit is not None:
        try:
            units = resolve_unit_names(registry, unit)
        except UnitNameError as exc:
            fail(exc.message)  # the same line as without --dry-run
    out = []
    for task, r, a in parsed.assignments(source.loaded.plan, ctx):
        if wanted_tasks is not None and not wanted_tasks.match_assignment(task, r, a, ctx):
            continue
        if units is not None and a.unit not in units:
            continue
        out.append((task, r, a))
    return out


def bulk_set(
    *,
    repo: Path | None,
    plan: int | None,
    query: str | None,
    req: str | None,
    unit: str | None,
    status: str | None,
    note: str | None,
    evidence: str | None,
    on_behalf_of: str | None,
    dry_run: bool,
    yes: bool,
    as_of: date | None = None,
) -> None:
    """Run ``tracker set --query Q ...`` / ``tracker set 5..9 --unit U ...``: one commit or nothing."""
    from tracker.cli.store_common import commit_and_report, open_service, user_errors

    with user_errors():  # the rules refuse a bad value before the plan is read
        values = [(name, validate_change(name, value))
                  for name, value in (("status", status), ("note", note), ("evidence", evidence)) if value is not None]
    service = open_service(repo, plan)
    needed = tasks_needed(query, req)
    with user_errors():
        # a range (or a query naming tasks) reads only those task files, not the plan
        loaded = service.store.snapshot(service.year, tasks=needed).loaded
    source = Source(loaded, service.store, service.year)
    behalf = None
    if on_behalf_of is not None:
        try:
            behalf = resolve_unit(loaded.registry, on_behalf_of)
        except UnitNameError as exc:
            fail(exc.message)
    items = select(source, query, req, unit, as_of or date.today())
    report_skipped(loaded, needed, items, req, unit)
    if not items:
        fail(t("没有符合条件的单位条目,未提交", "no assignment matches, nothing committed"))
    refused = refused_lines(service, items, behalf)
    if refused:
        fail(t(f"无权修改其中 {len(refused)} 条,全部未提交:\n", f"{len(refused)} of them are not yours to change, "
               "nothing committed:\n") + "\n".join("  " + line for line in refused))
    changes = [Change(task.number, r.key, a.unit, name, value) for task, r, a in items for name, value in values]
    for _, r, a in items:
        echo(f"  {r.id} {a.unit}  {a.status.label}" + (f" → {Status.parse(status).label}" if status else ""))
    if dry_run:
        with user_errors():
            result = service.apply(changes, on_behalf_of=behalf, dry_run=True)
        typer.echo(t(f"试运行: 将修改 {len(items)} 条({len(result.changes)} 处变化),未提交",
                     f"dry run: {len(items)} assignments ({len(result.changes)} changes), nothing committed"))
        return
    confirm_many(len(items), yes, t("单位条目", "assignments"))
    commit_and_report(service, changes, behalf)


QueryOption = Annotated[
    str | None,
    typer.Option("--query", "-q", metavar="QUERY", show_default=False,
                 help=t("批量修改符合查询的所有单位条目(如 \"unit:营里镇 task:5..9\")",
                        "change every assignment the query matches (e.g. \"unit:营里镇 task:5..9\")")),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help=t("只显示将要修改的内容,不提交", "show what would change, commit nothing"))]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help=t(f"超过 {CONFIRM_OVER} 条时不再确认", f"do not ask before changing more than {CONFIRM_OVER}"))]


def is_bulk(req: str | None, query: str | None, dry_run: bool = False) -> bool:
    """A bulk change: ``--query``, a range or list of tasks (``5..9``, ``5,7``), or a dry run."""
    if query is not None or dry_run:
        return True
    return req is not None and any(mark in req for mark in ("..", ",", "~", "-"))
