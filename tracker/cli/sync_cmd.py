"""``tracker sync``: fetch, merge field by field, push; and ``tracker resolve`` for what it could not merge."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from tracker import gitstore, operators
from tracker.cli.plan_source import PlanOption, RepoOption, check_format, fail, write_json
from tracker.cli.store_common import open_store, user_errors
from tracker.i18n import t
from tracker.store import StoreError
from tracker.sync import (
    MAX_EVENTS_SHOWN,
    ConflictView,
    PlanSync,
    SyncError,
    SyncResult,
    prepare_clone,
    resolve_conflict,
    sync,
)
from tracker.textsafe import clean_line

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
    found = gitstore.find_repository(Path.cwd())
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
        except (StoreError, gitstore.RemoteError, gitstore.GitError):
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
        typer.echo(render_summary(result))
    if not result.ok:
        raise typer.Exit(1)


def render_summary(result: SyncResult) -> str:
    """The text summary ``tracker sync`` prints (also used by the TUI)."""
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
        try:
            commit = resolve_conflict(store, operator, int(task_text), req, unit, field, choice, year=plan)
        except SyncError as exc:
            fail(str(exc))
    typer.echo(t(f"已裁决,提交 {commit[:10]}", f"settled in commit {commit[:10]}"))


def show_conflicts(conflicts: list[ConflictView]) -> list[str]:
    """One line per conflict (for other front ends)."""
    return [c.describe() for c in conflicts]


__all__ = ["render_summary", "resolve_command", "sync_command"]
