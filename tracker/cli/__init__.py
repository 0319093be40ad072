"""The ``tracker`` command: wiring only; each noun lives in its own module.

Command modules are imported only when their command runs (or when help lists
them): ``tracker list`` over SSH should not pay for the service, reports,
sync or Textual. :data:`COMMANDS` maps each command to where it lives.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer

from tracker.i18n import localize_command, localized_group_class, t

# name -> (module, how): "register" calls module.register(app); "typer:ATTR" adds the
# sub-app module.ATTR; "command:FUNC" registers module.FUNC; a trailing "!hidden" hides it.
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("tracker.cli.list_cmd", "register"),
    "show": ("tracker.cli.show_cmd", "register"),
    "set": ("tracker.cli.set_cmd", "command:set_"),
    "history": ("tracker.cli.history_cmd", "command:history"),
    "undo": ("tracker.cli.undo_cmd", "command:undo"),
    "export": ("tracker.cli.export_cmd", "register"),
    "apply": ("tracker.cli.apply_cmd", "register"),
    "report": ("tracker.cli.report_cmd", "register"),
    "remind": ("tracker.cli.remind_cmd", "register"),
    "sync": ("tracker.cli.sync_cmd", "command:sync_command"),
    "resolve": ("tracker.cli.sync_cmd", "command:resolve_command"),
    "remote": ("tracker.cli.remote_cmd", "typer:app"),
    "init": ("tracker.cli.init_cmd", "command:init"),
    "import": ("tracker.cli.importing", "command:import_notice"),
    "validate": ("tracker.cli.validate", "command:validate"),
    "operator": ("tracker.cli.operator_cmd", "typer:app"),
    "plan": ("tracker.cli.plan_cmd", "typer:app"),
    "verify": ("tracker.cli.verify_cmd", "command:verify"),
    "hook": ("tracker.cli.hook_cmd", "typer:app"),
    "doctor": ("tracker.cli.doctor_cmd", "command:doctor"),
    "merge-driver": ("tracker.cli.merge_driver_cmd", "command:merge_driver!hidden"),
}


def load_command(name: str) -> Any:
    """Import the module behind ``name`` and build its click command."""
    module_name, how = COMMANDS[name]
    module = importlib.import_module(module_name)
    hidden = how.endswith("!hidden")
    kind, _, attr = how.removesuffix("!hidden").partition(":")
    holder = typer.Typer()
    if kind == "register":
        module.register(holder)
    elif kind == "typer":
        holder.add_typer(getattr(module, attr), name=name)
    else:
        holder.command(name, hidden=hidden)(getattr(module, attr))
    holder.callback()(lambda: None)  # always a group, so the command is found by name
    command = typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]
    localize_command(command)
    return command


def _lazy_group_class() -> type:
    base = localized_group_class()

    class LazyGroup(base):  # type: ignore[misc, valid-type]
        def list_commands(self, ctx: Any) -> list[str]:
            return list(dict.fromkeys([*super().list_commands(ctx), *COMMANDS]))

        def get_command(self, ctx: Any, name: str) -> Any:
            command = super().get_command(ctx, name)
            if command is None and name in COMMANDS:
                command = load_command(name)
                self.add_command(command, name)
            return command

    return LazyGroup


app = typer.Typer(
    name="tracker",
    cls=_lazy_group_class(),  # --lang en / English locale: English help and messages
    help=t("政务公开任务分工跟踪。不带参数运行时打开终端界面。",
           "Government disclosure work-plan tracker. Without arguments it opens the terminal interface."),
    no_args_is_help=False,
    add_completion=True,
    pretty_exceptions_enable=False,
)

from tracker.cli import tui_cmd  # noqa: E402  (light: Textual is imported inside the callback)

app.callback(invoke_without_command=True)(tui_cmd.tui)


def main() -> None:
    """Console-script entry point."""
    app()
