"""The ``tracker`` command: wiring only; each noun lives in its own module.

Command modules are imported only when their command runs (or when help lists
them): ``tracker list`` over SSH should not pay for the service, reports,
sync or Textual. :data:`COMMANDS` maps each command to where it lives.
"""

from __future__ import annotations

import gc

# Start-up makes ~100,000 objects that all live to the end: with the collector on, its young
# generations scan them again and again (3 ms of a 75 ms start). Off while the CLI imports,
# then frozen (kept out of every later collection) and on again at the bottom of this module.
_gc_was_enabled = gc.isenabled()
gc.disable()

import importlib  # noqa: E402
from typing import Any  # noqa: E402

import typer  # noqa: E402

from tracker.i18n import localize_command, localized_group_class, t  # noqa: E402

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
    "serve": ("tracker.cli.serve_cmd", "command:serve"),
    "doctor": ("tracker.cli.doctor_cmd", "command:doctor"),
    "merge-driver": ("tracker.cli.merge_driver_cmd", "command:merge_driver!hidden"),
}


# Help of the commands registered from a bare function ("command:FUNC"): a docstring is not
# translated, so their help lives here in both languages (t() remembers the pair for --lang).
COMMAND_HELP: dict[str, tuple[str, str]] = {
    "set": ("修改单位在某项任务或要求上的状态、进展、佐证(每次修改一个提交)。",
            "Change a unit's status, notes or evidence on a task or requirement (one commit per change)."),
    "history": ("修改历史:谁在何时改了什么(逐字段,由前后两版文件比较得出)。",
                "Change history: who changed what and when, field by field (from consecutive file versions)."),
    "undo": ("撤销一个提交:逐字段改回原值,作为一个新提交(从不改写历史);之后又被改过的字段算冲突。",
             "Undo a commit: put each field back as a new commit (history is never rewritten); a field "
             "changed again since is a conflict."),
    "sync": ("与共享远端同步:获取、逐字段合并、推送,并列出收到、发出的改动和冲突。",
             "Sync with the shared remote: fetch, merge field by field, push; list what came in, what went "
             "out and the conflicts."),
    "resolve": ("裁决一处同步冲突;裁决本身是一个提交。", "Settle a sync conflict; the settlement is a commit."),
    "init": ("新建数据仓库:随附的计划放在 plan/年度 分支上,当前账号为管理员。",
             "Create a store: the bundled plan on branch plan/YEAR, the current account as admin."),
    "import": ("导入任务分工通知:写入 --into 目录,或作为数据仓库的新分支 plan/年度(管理员)。",
               "Import a work-plan notice: into the --into folder, or as a new branch plan/YEAR of the store "
               "(admin)."),
    "validate": ("检查计划文件:TOML 格式、状态、单位、任务编号、日期;逐条列出 文件:行: 问题。",
                 "Check plan files (TOML, statuses, units, task numbers, dates); one line per problem: "
                 "file:line: message."),
    "verify": ("检查历史:列出每个越权、伪造尾注、未知作者或(要求签名时)未签名的提交;有则退出码 1。",
               "Check the history: list every commit beyond its author's rights, with forged trailers, by an "
               "unknown author or (when required) unsigned; exit 1 if any."),
    "serve": ("SSH 登录入口:由写入账号 authorized_keys 中每把公钥的 command= 调用,不要手动运行。",
              "The SSH door: run by the command= of each key in the writer account's authorized_keys; not "
              "to be run by hand."),
    "doctor": ("检查数据仓库:权限(仓库、配置、钩子、缓存)与被回退的分支;有问题则退出码 1。",
               "Check the store: permissions (repository, config, hooks, cache) and rewound branches; exit 1 "
               "if anything is wrong."),
    "merge-driver": ("git 合并驱动:逐字段合并任务文件,冲突记录在文件里(供 git 调用)。",
                     "git merge driver: merge task files field by field, recording conflicts in the file "
                     "(called by git)."),
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
        text = COMMAND_HELP.get(name)
        holder.command(name, hidden=hidden, help=t(*text) if text else None)(getattr(module, attr))
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

if _gc_was_enabled:
    gc.freeze()
    gc.enable()


def main() -> None:
    """Console-script entry point."""
    app()
