"""``tracker remind [QUERY]``: a reminder (催办) per unit that owes something, recorded in the history.

Only the office admin may remind (督查 is the office's job; see :mod:`tracker.reminders`).
Every unit the query selects that has late items or items due within ``--due-within``
days gets a short message; all of them are recorded in one commit of their own
(``催办 N 个单位: …`` with one ``Reminder: UNIT`` trailer per unit), so reports count them.
``--dry-run`` shows the messages without recording anything, and anyone may use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.plan_source import (
    AsOfOption,
    PlanOption,
    QueryArgument,
    RepoOption,
    check_format,
    fail,
    parse_as_of,
)
from tracker.cli.report_cmd import DueWithinOption, make_report, write_output
from tracker.cli.store_common import user_errors
from tracker.i18n import t
from tracker.operators import current_login
from tracker.reports.reminders import build_messages, records_for, render_message, safe_file_name
from tracker.service import Service

REMIND_FORMATS = ("text", "markdown")

HELP = t(
    "给有逾期或即将到期事项的单位逐一生成催办通知,并把催办记入历史(单独一次提交),报告中会统计催办次数。"
    "只有管理员(政务公开办)可以催办;--dry-run 只预览、不记录,任何人可用。-o 目录: 每个单位一个文件。",
    "Write a reminder to every unit with late items or items due soon, and record the reminders in the "
    "history (a commit of their own) so that reports count them. Office admins only; --dry-run previews "
    "without recording and is open to anyone. -o DIR writes one file per unit.",
)


def remind_command(
    query: QueryArgument = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="text|markdown", help=t("通知格式: text 或 markdown", "message format")
        ),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            show_default=False,
            help=t("写入目录,每个单位一个文件", "write one file per unit into DIR"),
        ),
    ] = None,
    as_of: AsOfOption = None,
    due_within: DueWithinOption = 30,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=t("只预览,不记录催办", "preview only, record nothing"))
    ] = False,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    fmt_value = check_format(fmt, REMIND_FORMATS)
    today = parse_as_of(as_of)
    report, source = make_report(query, as_of=today, plan=plan, repo=repo, due_within=due_within)
    messages = build_messages(report)
    if not messages:
        typer.echo(
            t("没有需要催办的单位(无逾期、无即将到期事项)。", "Nobody to remind: nothing late or due soon."),
            err=True,
        )
        return
    service: Service | None = None
    if not dry_run:
        if source.store is None:
            fail(
                t(
                    "催办要记入数据仓库的历史;任务文件夹只能 --dry-run 预览",
                    "reminders are recorded in a store; "
                    "a folder of task files can only be previewed with --dry-run",
                )
            )
        with user_errors():
            operator = source.store.operator(current_login(), source.year)
            service = Service(source.store, operator, source.year)
        if not operator.is_admin:
            fail(
                t(
                    f"只有管理员可以催办({operator.login} 是{operator.role_label});可用 --dry-run 预览",
                    f"only an office admin may send reminders ({operator.login} is {operator.role}); "
                    "use --dry-run to preview",
                )
            )
    suffix = ".md" if fmt_value == "markdown" else ".txt"
    texts = {m.unit: render_message(m, report, fmt=fmt_value) for m in messages}
    if output is not None:
        try:
            output.mkdir(parents=True, exist_ok=True)
            probe = tempfile.NamedTemporaryFile(dir=output, prefix=".remind-")  # noqa: SIM115 - closed at once
            probe.close()
        except OSError as exc:
            fail(
                t(
                    f"无法写入目录 {output}: {exc.strerror or exc}",
                    f"cannot write to {output}: {exc.strerror or exc}",
                )
            )
    if service is not None:
        with user_errors():
            result = service.record_reminders(records_for(messages, service.operator.login))
        typer.echo(
            t(f"已记录: {result.subject}({result.short})", f"recorded: {result.subject} ({result.short})"),
            err=True,
        )
    if output is None:
        write_output("\n".join(texts[m.unit] for m in messages).encode(), None, binary=False)
        return
    for message in messages:
        target = output / (safe_file_name(message.unit) + suffix)
        write_output(texts[message.unit].encode(), target, binary=False)
    typer.echo(
        t(
            f"已写入 {len(messages)} 个文件到 {output}{os.sep}",
            f"wrote {len(messages)} files to {output}{os.sep}",
        ),
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``remind`` to the app."""
    app.command("remind", help=HELP, short_help=t("催办逾期、即将到期的单位", "remind late units"))(
        remind_command
    )
