"""``tracker serve --login LOGIN``: the SSH door of the writer account (the forced command of each key).

sshd runs it for every operator key in the writer account's ``authorized_keys``
(written by ``tracker operator add LOGIN --key ...``). The login it carries is who
acts for the whole process: the terminal interface when the session has no command,
an allowed ``tracker`` sub-command (``ssh zwgk@server tracker list ...``), or git's
fetch/push of the store for other sites with ``TRACKER_PUSHER=LOGIN`` for the hook
(the plan tips a push moved are recorded as published, as the writer's own commits are).
What may run is decided by :mod:`tracker.ssh_command`; it refuses to run at all
unless this process runs as the account that owns the store.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tracker.cli.plan_source import fail
from tracker.cli.store_common import open_store, user_errors
from tracker.i18n import t

if TYPE_CHECKING:
    from tracker.git.refs import RefStore


def serve(
    login: Annotated[str, typer.Option("--login", metavar="LOGIN", help=t("这把公钥对应的操作员账号", "the operator this key belongs to"))],
    repo: Annotated[Path | None, typer.Option("--repo", metavar="PATH", show_default=False,
                                              help=t("数据仓库路径", "store path"))] = None,
) -> None:
    """SSH 登录入口:由写入账号 authorized_keys 中每把公钥的 command= 调用,不要手动运行。"""
    from tracker import operators, ssh_command

    store = open_store(repo)
    try:
        operators.act_as(login, store.repo.git_dir)
    except (operators.NotWriterAccount, ValueError) as exc:
        fail(str(exc))
    with user_errors():
        year = store.default_year()
        listed = login in store.operators(year)
    if not listed:
        fail(t(f"账号 {login} 的公钥已登记,但不在 {year} 年计划的操作员名单中。请管理员运行: tracker operator add {login} --unit 单位",
               f"the key of {login} is registered, but {login} is not an operator of the {year} plan. "
               f"Ask an admin to run: tracker operator add {login} --unit UNIT"))
    home = Path(pwd.getpwuid(os.getuid()).pw_dir)
    try:
        decision = ssh_command.decide(os.environ.get("SSH_ORIGINAL_COMMAND"), store.path, store.repo.git_dir, home)
    except ssh_command.Refused as exc:
        fail(str(exc))
    os.environ["TRACKER_REPO"] = str(store.path)  # every command below works on the served store
    if isinstance(decision, ssh_command.GitService):
        env = {**os.environ, "TRACKER_PUSHER": login}
        sys.stdout.flush()
        command = ["git", decision.service, str(store.repo.git_dir)]
        if decision.service != "receive-pack":
            os.execvpe("git", command, env)
        raise typer.Exit(_receive(store.repo, command, env))
    from tracker.cli import app

    if isinstance(decision, ssh_command.Interface):
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            fail(t("终端界面需要终端:请用 ssh -t 登录;或在 ssh 后写 tracker 命令,如 ssh zwgk@服务器 tracker list",
                   "the interface needs a terminal: log in with ssh -t, or give a command, e.g. ssh zwgk@server tracker list"))
        app([], prog_name="tracker")
    else:
        app(list(decision.args), prog_name="tracker")


def _receive(repo: RefStore, command: list[str], env: dict[str, str]) -> int:
    """Run git's receive-pack (the hook judges the push); then record the plan tips it moved as published.

    A push the writer accepted is as published as a commit it made: a later rewind of
    it is reported by ``verify`` and ``doctor``, as for the writer's own commits.
    """
    from tracker.published import record

    before = repo.refs("refs/heads/plan/")
    code = subprocess.run(command, env=env, check=False).returncode
    for ref, oid in repo.refs("refs/heads/plan/").items():
        if before.get(ref) != oid:
            record(repo, ref, oid)
    return code


__all__ = ["serve"]
