"""``tracker operator add|list|remove``: who may change what (``tasks/operators.toml``)."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.plan_source import (
    FormatOption,
    PlanOption,
    RepoOption,
    check_format,
    echo,
    write_json,
    write_text,
)
from tracker.cli.store_common import open_service, open_store, user_errors
from tracker.i18n import t
from tracker.operators import ROLE_LABELS, ROLES

app = typer.Typer(help=t("操作员:登录账号、单位、角色", "operators: login, units, role"), no_args_is_help=True)


@app.command("add")
def add(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help=t("登录账号", "login account"))],
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", metavar="UNIT", show_default=False, help=t("负责的单位(可多次给出)", "unit (repeatable)")),
    ] = None,
    role: Annotated[str, typer.Option("--role", metavar="ROLE", help=t("角色: operator/admin/auditor", "role: operator/admin/auditor"))] = "operator",
    name: Annotated[str, typer.Option("--name", metavar="NAME", help=t("姓名", "display name"))] = "",
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """添加或修改操作员(仅管理员)。"""
    if role not in ROLES:
        from tracker.cli.plan_source import fail

        fail(t(f"--role 只能是 {'、'.join(ROLES)},不是 {role!r}", f"--role must be one of {', '.join(ROLES)}"), 2)
    service = open_service(repo, plan)
    with user_errors():
        result = service.add_operator(login, list(unit or []), role, name)
    typer.echo(f"{result.short} {result.subject}")


@app.command("remove")
def remove(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help=t("登录账号", "login account"))],
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """移除操作员(仅管理员)。"""
    service = open_service(repo, plan)
    with user_errors():
        result = service.remove_operator(login)
    typer.echo(f"{result.short} {result.subject}")


@app.command("list")
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
    rows = [
        {"login": o.login, "name": o.name, "role": o.role, "units": list(o.units)}
        for o in sorted(ops.values(), key=lambda o: (ROLES.index(o.role), o.login))
    ]
    if fmt == "json":
        write_json(rows)
    elif fmt == "csv":
        from tracker.tabular import to_csv  # quotes cells a spreadsheet would run as formulas

        write_text(to_csv(["login", "name", "role", "units"], [{**r, "units": "、".join(r["units"])} for r in rows]))
    else:
        for r in rows:
            echo(f"{r['login']:<12} {r['name']:<8} {ROLE_LABELS[r['role']]:<4} {'、'.join(r['units'])}")
