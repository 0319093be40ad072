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
        typer.Option("--repo", help=t("数据仓库路径(默认 TRACKER_REPO、当前目录、/etc/zwgk-tracker.toml 指定的仓库或默认仓库)",
                                      "store path (default TRACKER_REPO, the current folder, the store "
                                      "/etc/zwgk-tracker.toml names, or the default store)")),
    ] = None,
    plan: Annotated[int | None, typer.Option("--plan", help=t("计划年度(默认最新)", "plan year (default: newest)"))] = None,
) -> None:
    """Open the terminal interface when no command is given.

    ``--lang en`` is the group's own option (tracker.i18n takes it out of argv
    wherever it is given), so the interface language is :func:`get_lang`.
    """
    if ctx.invoked_subcommand is not None:
        pass_on_global_options(ctx, ctx.invoked_subcommand, repo=repo, plan=plan)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from tracker import operators
    from tracker.cli.store_common import user_errors
    from tracker.store_discovery import NoStoreYet, configured_or_default, resolve_store

    created: list[str] = []
    with user_errors():
        try:
            store = resolve_store(repo)
        except NoStoreYet:
            # the first start on a fresh machine: the one place a default store is made, said plainly
            store = configured_or_default(created.append, create_default=True)
            for line in created:
                typer.echo(line, err=True)
    with user_errors():
        year = plan if plan is not None else store.default_year()
        store.tip(year)
        operator = store.operator(operators.current_login(), year)
    from tracker.ui.app import make_app  # lazy: other commands never load Textual

    app = make_app(store, operator, year=plan, lang=get_lang())
    app.run(mouse=False)
    for line in created:  # the interface's screen hid it: say it again on the way out
        typer.echo(line, err=True)


def pass_on_global_options(ctx: typer.Context, name: str, **given: object) -> None:
    """``tracker --repo X --plan Y set ...``: hand the options to the command, or refuse them.

    They become the command's defaults (its own ``--repo`` after the name still
    wins). A command that takes no such option, or a command group whose
    sub-command is not known yet, refuses them (exit 2): never ignored silently.
    """
    given = {key: value for key, value in given.items() if value is not None}
    if not given:
        return
    group = ctx.command
    command = group.get_command(ctx, name) if hasattr(group, "get_command") else None
    # a command group (operator, plan ...): every one of its commands must take them
    leaves = list(getattr(command, "commands", {}).values()) if hasattr(command, "get_command") else [command]
    options = "、".join(f"--{key}" for key in given)
    if command is None or not all(set(given) <= {p.name for p in getattr(leaf, "params", [])} for leaf in leaves):
        typer.echo(t(f"{options} 不适用于 tracker {name} 放在命令前的写法;请写在命令之后(如 tracker {name} ... --repo 路径)",
                     f"{options} before the command does not apply to tracker {name}; put it after the "
                     f"command (e.g. tracker {name} ... --repo PATH)"), err=True)
        raise typer.Exit(2)
    defaults: dict[str, object] = {**given}
    if leaves != [command]:
        defaults = {getattr(leaf, "name", ""): {**given} for leaf in leaves}
    ctx.default_map = {**(ctx.default_map or {}), name: defaults}
