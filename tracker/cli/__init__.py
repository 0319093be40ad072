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


from tracker.cli import init_cmd, operator_cmd, plan_cmd, set_cmd  # noqa: E402

app.command("init")(init_cmd.init)
app.command("set")(set_cmd.set_)
app.add_typer(operator_cmd.app, name="operator")
app.add_typer(plan_cmd.app, name="plan")


def main() -> None:
    """Console-script entry point."""
    app()
