"""The ``tracker`` command: wiring only; each noun lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tracker",
    help="政务公开任务分工跟踪。不带参数运行时打开终端界面。",
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Console-script entry point."""
    app()
