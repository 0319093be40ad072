"""``tracker report [QUERY] --format table|markdown|json|html|docx|xlsx [-o FILE]``: how the plan is going."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer

from tracker.cli.plan_source import (
    AsOfOption,
    PlanOption,
    QueryArgument,
    RepoOption,
    Source,
    check_format,
    fail,
    load_source,
    parse_as_of,
    parse_query,
)
from tracker.codec import CodecError
from tracker.i18n import t
from tracker.reminders import REMINDERS_FILE, ReminderRecord, load_reminder_log
from tracker.reports import BINARY_FORMATS, FORMATS, Report, build_report, render
from tracker.reports.model import query_matcher
from tracker.textsafe import clean_output

HELP = t(
    "生成执行情况报告:总体、分单位、分章节、分任务统计,逾期清单(逾期天数、牵头单位、最近进展),"
    "即将到期事项,期间变化(--since),催办次数,以及每项任务的要求、各单位状态、进展和佐证。\n\n"
    "同一数据仓库、同一 --as-of 日期,输出完全相同。docx 为公文版式,xlsx 为督查台账,html 为可打印的单文件。",
    "Progress report: totals by unit, section and task; overdue items (days late, lead unit, last note); "
    "items due soon; changes since a date (--since); reminder counts; and per task each unit's status, note "
    "and evidence.\n\nThe same store and --as-of give the same output. docx is laid out as an official "
    "document, xlsx is the supervision ledger, html is one printable file.",
)

ReportFormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="|".join(FORMATS),
        help=t("输出格式: table、markdown、json、html、docx、xlsx", "output format"),
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        show_default=False,
        help=t(
            "写入文件(docx、xlsx 在终端上必须指定)", "write to FILE (required for docx/xlsx on a terminal)"
        ),
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        show_default=False,
        help=t(
            "列出从这一天到 --as-of 的变化(来自历史记录)",
            "list the changes from DATE to --as-of (from the history)",
        ),
    ),
]
DueWithinOption = Annotated[
    int,
    typer.Option(
        "--due-within",
        metavar="N",
        min=0,
        max=3660,
        help=t("“即将到期”指 N 天内到期", "'due soon' means due within N days"),
    ),
]


def parse_date_option(name: str, text: str | None) -> date | None:
    """A ``--since``-style date, or exit 2 naming the option."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(
            t(
                f"{name} 不是日期: {text!r}(应写作 2019-09-01)",
                f"{name} is not a date: {text!r} (use 2019-09-01)",
            ),
            2,
        )


def reminder_log(source: Source) -> list[ReminderRecord]:
    """The reminders recorded in the store (none for a plain folder of task files)."""
    if source.store is None:
        return []
    try:
        files = source.store.read_files(source.store.tip(source.year), [REMINDERS_FILE])
        return load_reminder_log(files[REMINDERS_FILE].decode("utf-8")) if REMINDERS_FILE in files else []
    except (CodecError, UnicodeDecodeError) as exc:
        fail(t(f"催办记录无法读取: {exc}", f"cannot read the reminder log: {exc}"))


def history_events(source: Source, since: date, as_of: date) -> list[Any]:
    """Field-level events on the plan's branch between ``since`` and the end of ``as_of``."""
    if source.store is None:
        fail(
            t(
                "--since 需要数据仓库(git 历史),任务文件夹没有历史记录",
                "--since needs a store (git history); a folder of task files has none",
            )
        )
    from tracker.history import HistoryFilter, walk
    from tracker.store import branch_ref

    flt = HistoryFilter(since=datetime.combine(since, time.min), until=datetime.combine(as_of, time.max))
    try:
        return list(walk(source.store.repo, branch_ref(source.year), flt).events)
    except Exception as exc:  # a history failure must not read as "nothing changed"
        fail(t(f"无法读取历史记录: {exc}", f"cannot read the history: {exc}"))


def make_report(
    query: str | None,
    *,
    as_of: date,
    plan: int | None,
    repo: Path | None,
    since: date | None = None,
    due_within: int = 30,
) -> tuple[Report, Source]:
    """Load the plan, filter it and build the report (exit 1 with a message on any problem).

    From a store the tasks come from its query index, only those the query can match
    (a report leaves out every task without a matching assignment, so it is the same).
    """
    source = load_source(repo, plan, tasks=())  # plan, units, operators: the index has the tasks
    parsed, _ctx = parse_query(query, source, as_of)
    if since is not None and since > as_of:
        fail(t(f"--since {since} 晚于 --as-of {as_of}", f"--since {since} is after --as-of {as_of}"), 2)
    loaded = None
    if source.store is not None and source.commit is not None:
        from tracker.indexed_listing import plan_for_query

        parsed.bind(source.loaded.registry)
        narrowed = plan_for_query(source.store, source.year, source.commit, source.loaded.plan.info, parsed)
        loaded = None if narrowed is None else replace(source.loaded, plan=narrowed)
    if loaded is None:
        source = load_source(repo, plan)
        loaded = source.loaded
    events = history_events(source, since, as_of) if since is not None else []
    report = build_report(
        loaded,
        as_of=as_of,
        matcher=query_matcher(parsed, loaded, as_of),
        query=query or "",
        due_within=due_within,
        since=since,
        events=events,
        reminders=reminder_log(source),
    )
    return report, source


def write_output(data: bytes, output: Path | None, *, binary: bool) -> None:
    """Write to ``output`` atomically (a half-written report never replaces a good one), else to stdout.

    Text formats lose any control character on the way out (the report model cleans
    what it knows; this is the last gate for the rest).
    """
    if not binary:
        data = clean_output(data.decode("utf-8")).encode("utf-8")
    if output is None:
        if binary and sys.stdout.isatty():
            fail(
                t("docx、xlsx 是二进制文件,请用 -o 指定输出文件", "docx and xlsx are binary: give -o FILE"), 2
            )
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = output.expanduser()
    if target.is_dir():
        fail(t(f"{target} 是目录,请给出文件名", f"{target} is a directory; give a file name"))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".report-", dir=target.parent if str(target.parent) else ".")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:  # a full disk leaves no partial file behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        fail(t(f"无法写入 {target}: {exc.strerror or exc}", f"cannot write {target}: {exc.strerror or exc}"))


def report_command(
    query: QueryArgument = None,
    fmt: ReportFormatOption = "table",
    output: OutputOption = None,
    as_of: AsOfOption = None,
    since: SinceOption = None,
    due_within: DueWithinOption = 30,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    fmt_value = check_format(fmt, FORMATS)
    today = parse_as_of(as_of)
    since_day = parse_date_option("--since", since)
    report, _source = make_report(
        query, as_of=today, plan=plan, repo=repo, since=since_day, due_within=due_within
    )
    write_output(render(report, fmt_value), output, binary=fmt_value in BINARY_FORMATS)
    if output is not None:
        typer.echo(t(f"已生成 {output}", f"wrote {output}"), err=True)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the app."""
    app.command("report", help=HELP, short_help=t("生成执行情况报告", "progress report"))(report_command)
