"""``tracker operator add|list|remove``: who may change what (``tasks/operators.toml``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.plan_source import (
    FormatOption,
    PlanOption,
    RepoOption,
    check_format,
    echo,
    fail,
    write_json,
    write_text,
)
from tracker.cli.store_common import open_service, open_store, user_errors
from tracker.i18n import is_english, t
from tracker.operators import ROLE_LABELS, ROLES
from tracker.tabular import Column, render_table
from tracker.unit_names import UnitNameError, resolve_unit

if TYPE_CHECKING:
    from tracker.authorized_keys import PublicKey
    from tracker.store import Store

app = typer.Typer(help=t("操作员:登录账号、单位、角色", "operators: login, units, role"), no_args_is_help=True)


@app.command("add", help=t("添加或修改操作员(仅管理员)。",
                                  "Add or change an operator (admin only)."))
def add(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help=t("登录账号", "login account"))],
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", metavar="UNIT", show_default=False, help=t("负责的单位(可多次给出)", "unit (repeatable)")),
    ] = None,
    role: Annotated[str, typer.Option("--role", metavar="ROLE", help=t("角色: operator/admin/auditor", "role: operator/admin/auditor"))] = "operator",
    name: Annotated[str, typer.Option("--name", metavar="NAME", help=t("姓名", "display name"))] = "",
    key: Annotated[
        str | None,
        typer.Option("--key", metavar="PUBLIC_KEY", show_default=False, help=t(
            "操作员的 SSH 公钥(一行,如 'ssh-ed25519 AAAA...'):写入写入账号的 authorized_keys,登录即以此账号操作",
            "the operator's SSH public key (one line, e.g. 'ssh-ed25519 AAAA...'): written to the writer account's "
            "authorized_keys, so logging in with it acts as LOGIN")),
    ] = None,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """添加或修改操作员(仅管理员);--key 同时登记其 SSH 公钥。"""
    if role not in ROLES:
        fail(t(f"--role 只能是 {'、'.join(ROLES)},不是 {role!r}", f"--role must be one of {', '.join(ROLES)}"), 2)
    service = open_service(repo, plan)
    door = _key_door(service.store, key) if key is not None else None
    with user_errors():
        registry = service.store.snapshot(service.year, tasks=[]).loaded.registry
    try:
        units = [resolve_unit(registry, u) for u in unit or []]
    except UnitNameError as exc:
        fail(exc.message)
    with user_errors():
        result = service.add_operator(login, units, role, name)
    typer.echo(f"{result.short} {result.subject}")
    if door is not None:
        from tracker import authorized_keys

        tracker, public_key = door
        try:
            added = authorized_keys.add_key(tracker, login, service.store.path, public_key)
        except (authorized_keys.KeyRefused, OSError) as exc:
            fail(t(f"操作员已登记,但公钥未写入: {exc}", f"the operator was added, but not the key: {exc}"))
        path = authorized_keys.keys_file()
        typer.echo(t(f"公钥已写入 {path}" if added else f"公钥已在 {path} 中",
                     f"key written to {path}" if added else f"key already in {path}"))


def _key_door(store: Store, key: str) -> tuple[str, PublicKey]:
    """Check, before anything is committed, that ``--key`` can be written: (tracker path, key)."""
    from tracker import authorized_keys, operators

    try:
        public_key = authorized_keys.parse_public_key(key)
    except authorized_keys.KeyRefused as exc:
        fail(f"--key: {exc}", 2)
    if not operators.owns(store.repo.git_dir):
        fail(t(f"--key 只能由数据仓库的所有者(写入账号)运行,公钥写入它的 authorized_keys;"
               f"请以写入账号运行,如 sudo -u {_owner(store)} tracker operator add ... 或 ssh {_owner(store)}@服务器 tracker operator add ...",
               f"--key must be run by the store's owner (the writer account), whose authorized_keys it writes; "
               f"run it as that account, e.g. sudo -u {_owner(store)} tracker operator add ..."))
    return _tracker_command(), public_key


def _owner(store: Store) -> str:
    import pwd

    uid = store.repo.git_dir.stat().st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _tracker_command() -> str:
    """The absolute path of the ``tracker`` command running now, for the forced command."""
    import os
    import shutil
    import sys

    here = sys.argv[0]
    if os.path.basename(here) == "tracker" and os.path.isabs(here):
        return here
    found = shutil.which("tracker")
    if found:
        return os.path.abspath(found)
    fail(t("找不到 tracker 命令的绝对路径;请用其完整路径运行(如 /usr/local/bin/tracker operator add ...)",
           "cannot find the tracker command's absolute path; run it by its full path (e.g. /usr/local/bin/tracker)"))


@app.command("remove", help=t("移除操作员(仅管理员)。",
                                  "Remove an operator (admin only)."))
def remove(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help=t("登录账号", "login account"))],
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """移除操作员(仅管理员),并删除其在写入账号 authorized_keys 中的公钥。"""
    service = open_service(repo, plan)
    with user_errors():
        result = service.remove_operator(login)
    typer.echo(f"{result.short} {result.subject}")
    from tracker import authorized_keys, operators

    if operators.owns(service.store.repo.git_dir):  # only the writer account's file holds operator keys
        store = service.store
        with user_errors():
            # A key is the login's, not the plan's: while another year's plan lists the login
            # (its unfinished work goes on there), taking the key would shut them out of it.
            still = [year for year in store.years() if login in store.operators(year)]
            if still:
                plans = "、".join(f"plan/{year}" for year in still)
                typer.echo(t(f"{login} 仍在 {plans} 的操作员名单中,公钥保留;从这些计划中也移除后才会删除公钥",
                             f"{login} is still an operator of {plans}; the key stays until removed there too"))
                return
            removed = authorized_keys.remove_keys(login)
        if removed:
            typer.echo(t(f"已从 {authorized_keys.keys_file()} 删除 {removed} 把公钥",
                         f"removed {removed} key(s) from {authorized_keys.keys_file()}"))


@app.command("list", help=t("列出操作员。",
                                  "List the operators."))
def list_(
    fmt: FormatOption = "table",
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """列出操作员。"""
    fmt = check_format(fmt)
    store = open_store(repo)
    with user_errors():
        ops = store.operators(plan)
    rows: list[dict[str, Any]] = [
        {"login": o.login, "name": o.name, "role": o.role, "units": list(o.units)}
        for o in sorted(ops.values(), key=lambda o: (ROLES.index(o.role), o.login))
    ]
    if fmt == "json":
        write_json(rows)
    elif fmt == "csv":
        from tracker.tabular import to_csv  # quotes cells a spreadsheet would run as formulas

        headers = [t("账号", "login"), t("姓名", "name"), t("角色", "role"), t("单位", "units")]
        write_text(to_csv(["login", "name", "role", "units"], [{**r, "units": "、".join(r["units"])} for r in rows],
                          headers=headers))
    else:
        # CJK names take two cells each: render_table counts cells, so the columns line up
        columns = [Column("login", t("账号", "login")), Column("name", t("姓名", "name")),
                   Column("role", t("角色", "role")), Column("units", t("单位", "units"))]
        labels = ROLE_LABELS if not is_english() else {role: role for role in ROLE_LABELS}
        shown = [{**r, "role": labels.get(r["role"], r["role"])} for r in rows]
        echo(render_table(columns, shown))
