"""The ``tracker`` command: wiring only; each noun lives in its own module."""

from __future__ import annotations

import typer

from tracker.i18n import localized_group_class, t

app = typer.Typer(
    name="tracker",
    cls=localized_group_class(),  # --lang en / English locale: English help and messages
    help=t("政务公开任务分工跟踪。不带参数运行时打开终端界面。",
           "Government disclosure work-plan tracker. Without arguments it opens the terminal interface."),
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
)

from tracker.cli import tui_cmd  # noqa: E402

app.callback(invoke_without_command=True)(tui_cmd.tui)

from tracker.cli import apply_cmd, export_cmd, list_cmd, show_cmd  # noqa: E402

list_cmd.register(app)
show_cmd.register(app)
export_cmd.register(app)
apply_cmd.register(app)

from tracker.cli import importing  # noqa: E402

app.command("import")(importing.import_notice)

from tracker.cli import validate  # noqa: E402

app.command("validate")(validate.validate)

from tracker.cli import init_cmd, operator_cmd, plan_cmd, set_cmd  # noqa: E402

app.command("init")(init_cmd.init)
app.command("set")(set_cmd.set_)
app.add_typer(operator_cmd.app, name="operator")
app.add_typer(plan_cmd.app, name="plan")

from tracker.cli import history_cmd, hook_cmd, undo_cmd, verify_cmd  # noqa: E402

app.command("history")(history_cmd.history)
app.command("undo")(undo_cmd.undo)
app.command("verify")(verify_cmd.verify)
app.add_typer(hook_cmd.app, name="hook")

from tracker.cli import remind_cmd, report_cmd  # noqa: E402

report_cmd.register(app)
remind_cmd.register(app)

from tracker.cli import merge_driver_cmd, remote_cmd, sync_cmd  # noqa: E402

app.add_typer(remote_cmd.app, name="remote")
app.command("sync")(sync_cmd.sync_command)
app.command("resolve")(sync_cmd.resolve_command)
app.command("merge-driver", hidden=True)(merge_driver_cmd.merge_driver)


def main() -> None:
    """Console-script entry point."""
    app()
