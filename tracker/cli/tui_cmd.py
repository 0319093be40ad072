"""``tracker`` with no command: open the terminal interface on the store.

Textual is imported only here, inside the callback, and only when no
sub-command was given, so ``tracker list`` and friends start without it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.i18n import get_lang, t


def tui(
    ctx: typer.Context,
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help=t("数据仓库路径(默认 TRACKER_REPO、当前目录或默认仓库)",
                                      "store path (default TRACKER_REPO, the current folder or the default store)")),
    ] = None,
    plan: Annotated[int | None, typer.Option("--plan", help=t("计划年度(默认最新)", "plan year (default: newest)"))] = None,
) -> None:
    """Open the terminal interface when no command is given.

    ``--lang en`` is the group's own option (tracker.i18n takes it out of argv
    wherever it is given), so the interface language is :func:`get_lang`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from tracker import operators
    from tracker.cli.store_common import open_store, user_errors

    store = open_store(repo)
    with user_errors():
        year = plan if plan is not None else store.default_year()
        store.tip(year)
        operator = store.operator(operators.current_login(), year)
    from tracker.ui.app import make_app  # lazy: other commands never load Textual

    app = make_app(store, operator, year=plan, lang=get_lang())
    app.run(mouse=False)
