"""``tracker sync``: fetch, merge field by field, push; and ``tracker resolve`` for what it could not merge."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from tracker import operators
from tracker.cli.plan_source import PlanOption, RepoOption, check_format, echo, fail, write_json
from tracker.cli.store_common import open_store, user_errors
from tracker.git.remote import RemoteError
from tracker.git.runner import GitError, find_repository
from tracker.i18n import t
from tracker.store import StoreError
from tracker.sync import (
    ConflictView,
    SyncError,
    SyncResult,
    prepare_clone,
    render_summary,
    resolve_conflict,
    sync,
)
from tracker.unit_names import UnitNameError, resolve_unit

SyncFormat = Annotated[
    str,
    typer.Option("--format", "-f", metavar="table|json", help=t("输出格式: table(文字摘要)、json", "output format: table (summary) or json")),
]


def _clone_path(repo: Path | None) -> Path | None:
    if repo is not None:
        return repo
    env = os.environ.get("TRACKER_REPO", "").strip()
    if env:
        return Path(env)
    found = find_repository(Path.cwd())
    return (found[1] or found[0]) if found else None


def sync_command(
    remote: Annotated[str | None, typer.Option("--remote", metavar="NAME", show_default=False,
                                               help=t("远端名称(默认: 唯一的远端或 origin)", "remote name (default: the only one, or origin)"))] = None,
    plan: PlanOption = None,
    all_plans: Annotated[bool, typer.Option("--all", help=t("同步所有年度(默认)", "sync every plan (the default)"))] = False,
    fmt: SyncFormat = "table",
    repo: RepoOption = None,
) -> None:
    """与共享远端同步:获取、逐字段合并、推送,并列出收到、发出的改动和冲突。"""
    if all_plans and plan is not None:
        fail(t("--all 与 --plan 只能选一个", "give either --all or --plan"), 2)
    fmt_value = check_format(fmt, ("table", "json"))
    path = _clone_path(repo)
    prepared: list[str] = []
    if path is not None:
        try:
            prepared = prepare_clone(path, remote)
        except (StoreError, RemoteError, GitError):
            prepared = []  # not a clone: open_store below says what is wrong
    store = open_store(repo)
    with user_errors():
        operator = store.operator(operators.current_login())
        try:
            result = sync(store, operator, remote=remote, years=None if plan is None else [plan])
        except SyncError as exc:
            fail(str(exc))
    result.setup[:0] = prepared
    if fmt_value == "json":
        write_json(_to_json(result))
    else:
        echo(render_summary(result))
    if not result.ok:
        raise typer.Exit(1)


def _to_json(result: SyncResult) -> dict[str, object]:
    return {
        "remote": result.remote,
        "url": result.url,
        "setup": result.setup,
        "ok": result.ok,
        "plans": [
            {
                "year": p.year, "came_in": p.came_in, "went_out": p.went_out, "merged": p.merged,
                "created": p.created, "events_in": p.events_in, "events_out": p.events_out,
                "new_conflicts": [c.to_json() for c in p.new_conflicts], "file_problems": p.file_problems,
                "refused": p.refused, "rounds": p.rounds,
            }
            for p in result.plans
        ],
        "conflicts": [c.to_json() for c in result.conflicts],
    }


def resolve_command(
    requirement: Annotated[str, typer.Argument(metavar="TASK.REQ", help=t("要求编号,如 5.1", "requirement id, e.g. 5.1"))],
    unit: Annotated[str, typer.Argument(metavar="UNIT", help=t("单位名称", "unit name"))],
    field: Annotated[str, typer.Argument(metavar="FIELD", help=t("字段,如 status", "field, e.g. status"))],
    choice: Annotated[str, typer.Argument(metavar="ours|theirs|VALUE", help=t(
        "ours = 保留本站的值,theirs = 采用远端的值;状态也可直接写值", "ours keeps this site's value, theirs takes the other's; a status may be given directly"))],
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """裁决一处同步冲突;裁决本身是一个提交。"""
    task_text, _, req = requirement.partition(".")
    if not task_text.isdigit() or not req.isdigit():
        fail(t(f"要求编号应写作 任务.要求(如 5.1): {requirement!r}", f"requirement id must be TASK.REQ (e.g. 5.1): {requirement!r}"), 2)
    store = open_store(repo)
    with user_errors():
        operator = store.operator(operators.current_login())
        registry = store.snapshot(plan, tasks=[int(task_text)]).loaded.registry
        try:
            canonical = resolve_unit(registry, unit)
        except UnitNameError as exc:
            fail(exc.message)
        try:
            commit = resolve_conflict(store, operator, int(task_text), req, canonical, field, choice, year=plan)
        except SyncError as exc:
            fail(str(exc))
    typer.echo(t(f"已裁决,提交 {commit[:10]}", f"settled in commit {commit[:10]}"))


def show_conflicts(conflicts: list[ConflictView]) -> list[str]:
    """One line per conflict (for other front ends)."""
    return [c.describe() for c in conflicts]


__all__ = ["resolve_command", "sync_command"]
