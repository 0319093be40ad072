"""``tracker history``: who changed what, when, field by field."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

import typer

from tracker.cli.csv_headers import csv_headers
from tracker.cli.plan_source import (
    FormatOption,
    PlanOption,
    RepoOption,
    check_format,
    echo,
    fail,
    terminal_width,
    write_json,
    write_text,
)
from tracker.cli.store_common import open_store, user_errors
from tracker.codec import task_relpath
from tracker.history import EVENT_JSON_KEYS, Event, HistoryFilter, walk
from tracker.i18n import t
from tracker.model import Status, parse_task_number
from tracker.tabular import Column, render_table, to_csv
from tracker.unit_names import UnitNameError, resolve_unit

FIELD_LABELS = {
    "status": ("状态", "status"),
    "note": ("进展", "note"),
    "evidence": ("佐证", "evidence"),
    "units": ("分工", "assignment"),
    "requirement": ("要求", "requirement"),
    "task": ("任务", "task"),
    "text": ("要求原文", "text"),
    "deadline": ("时限", "deadline"),
    "due": ("到期日", "due"),
    "title": ("标题", "title"),
    "reminder": ("催办", "reminder"),
    "role": ("角色", "role"),
}


def parse_moment(text: str | None, option: str, end_of_day: bool = False) -> datetime | None:
    """``2019-08-01`` (a whole day) or an ISO date-time; exit 2 when it is neither."""
    if not text:
        return None
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end_of_day else time.min).astimezone()
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.astimezone()
    except ValueError:
        fail(
            t(
                f"{option} 不是日期: {text!r}(应写作 2019-08-01)",
                f"{option} is not a date: {text!r} (use 2019-08-01)",
            ),
            2,
        )


def _show(event: Event, value: str) -> str:
    if event.field == "status" and value:
        try:
            status = Status.parse(value)
        except ValueError:
            return value
        return status.label_en if t("zh", "en") == "en" else status.label
    return value


def _row(event: Event) -> dict[str, Any]:
    where = (
        "" if event.task is None else f"{event.task}" + (f".{event.requirement}" if event.requirement else "")
    )
    zh, en = FIELD_LABELS.get(event.field, (event.field, event.field))
    who = f"{event.login}({event.name})" if event.name and event.name != event.login else event.login
    return {
        "at": event.at.strftime("%Y-%m-%d %H:%M"),
        "who": who,
        "behalf": event.on_behalf_of,
        "where": where,
        "unit": event.unit,
        "field": t(zh, en),
        "change": f"{_show(event, event.old) or '∅'} → {_show(event, event.new) or '∅'}",
        "commit": event.commit[:10],
    }


def history(
    task: Annotated[
        str | None,
        typer.Argument(
            metavar="[TASK]", show_default=False, help=t("任务编号(默认: 全部)", "task number (default: all)")
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", metavar="UNIT", show_default=False, help=t("只看这个单位", "only this unit")),
    ] = None,
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            metavar="LOGIN",
            show_default=False,
            help=t("只看这个账号做的修改", "only changes by this login"),
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            show_default=False,
            help=t("从这一天起(含)", "from this day (inclusive)"),
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="DATE",
            show_default=False,
            help=t("到这一天止(含)", "up to this day (inclusive)"),
        ),
    ] = None,
    patch: Annotated[
        bool, typer.Option("--patch", help=t("附上每个提交的原始差异", "add each commit's raw diff"))
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            min=1,
            show_default=False,
            help=t("最多显示 N 条", "show at most N events"),
        ),
    ] = None,
    fmt: FormatOption = "table",
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """修改历史:谁在何时改了什么(逐字段,由前后两版文件比较得出)。"""
    fmt = check_format(fmt)
    number = None
    if task is not None:
        try:
            number = parse_task_number(task)
        except ValueError as exc:
            fail(str(exc), 2)
    flt_since = parse_moment(since, "--since")
    flt_until = parse_moment(until, "--until", end_of_day=True)
    store = open_store(repo)
    with user_errors():
        year = plan if plan is not None else store.default_year()
        # Names, units and the task's path are all that is needed: read no other task file.
        snap = store.snapshot(year, tasks=[number] if number is not None else [])
        tip = snap.commit
        names = {login: op.name for login, op in snap.operators().items()}
        try:
            unit_name = resolve_unit(snap.loaded.registry, unit) if unit else None
        except UnitNameError as exc:
            fail(exc.message)
        # a display name (王芳) stands for its login; an unlisted login may still have old commits
        operator = next((login for login, name in names.items() if operator and name == operator), operator)
        rel = snap.loaded.paths.get(number) if number is not None else None
        task_path = "tasks/" + (rel or task_relpath(number)) if number is not None else None
        flt = HistoryFilter(
            task=number, unit=unit_name, operator=operator, since=flt_since, until=flt_until, limit=limit
        )
        result = walk(store.repo, tip, flt, names=names, patch=patch, task_path=task_path, parse=store.parsed_toml)
    if operator and operator not in names and not result.events:
        known = "、".join(sorted(names)) or t("无", "none")
        fail(t(f"没有账号 {operator!r}: 操作员名单中没有,历史中也没有他的修改(名单: {known})",
               f"no login {operator!r}: not in the operator list and no changes by it in the history "
               f"(listed: {known})"))
    if fmt == "json":
        rows = []
        for event in result.events:
            row = event.to_json()
            if patch:
                row["patch"] = result.patches.get(event.commit, "")
            rows.append(row)
        write_json(rows)
        return
    if fmt == "csv":
        keys = list(EVENT_JSON_KEYS)
        write_text(to_csv(keys, [e.to_json() for e in result.events], headers=csv_headers(keys)))
        return
    if not result.events:
        typer.echo(t("没有符合条件的修改记录", "no matching changes"))
        return
    columns = [
        Column("at", t("时间", "when"), 10),
        Column("who", t("操作员", "who"), 6),
        Column("behalf", t("代为", "for"), 4),
        Column("where", t("任务", "task"), 4),
        Column("unit", t("单位", "unit"), 4),
        Column("field", t("字段", "field"), 4),
        Column("change", t("原值 → 新值", "old → new"), 12),
        Column("commit", t("提交", "commit"), 7),
    ]
    if not patch:
        echo(render_table(columns, [_row(e) for e in result.events], terminal_width()))
        return
    shown: set[str] = set()
    for event in result.events:
        echo(render_table(columns, [_row(event)], terminal_width()).split("\n", 2)[-1])
        if event.commit not in shown and result.patches.get(event.commit):
            shown.add(event.commit)
            echo(result.patches[event.commit].rstrip("\n"))
            typer.echo("")


__all__ = ["history", "parse_moment"]
