"""``tracker operator add|list|remove``: who may change what (``tasks/operators.toml``)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

import typer

from tracker.cli.plan_source import (
    FormatOption,
    PlanOption,
    RepoOption,
    check_format,
    fail,
    write_json,
    write_text,
)
from tracker.cli.store_common import open_service, open_store, user_errors
from tracker.i18n import is_english, t
from tracker.operators import ROLE_LABELS, ROLES
from tracker.tabular import Column, render_table
from tracker.unit_names import UnitNameError, resolve_unit

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
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """添加或修改操作员(仅管理员)。"""
    if role not in ROLES:
        fail(t(f"--role 只能是 {'、'.join(ROLES)},不是 {role!r}", f"--role must be one of {', '.join(ROLES)}"), 2)
    service = open_service(repo, plan)
    with user_errors():
        registry = service.store.snapshot(service.year, tasks=[]).loaded.registry
    try:
        units = [resolve_unit(registry, u) for u in unit or []]
    except UnitNameError as exc:
        fail(exc.message)
    with user_errors():
        result = service.add_operator(login, units, role, name)
    typer.echo(f"{result.short} {result.subject}")


@app.command("remove", help=t("移除操作员(仅管理员)。",
                                  "Remove an operator (admin only)."))
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
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([t("账号", "login"), t("姓名", "name"), t("角色", "role"), t("单位", "units")])
        for r in rows:
            writer.writerow([r["login"], r["name"], r["role"], "、".join(r["units"])])
        write_text("\ufeff" + buf.getvalue())
    else:
        # CJK names take two cells each: render_table counts cells, so the columns line up
        columns = [Column("login", t("账号", "login")), Column("name", t("姓名", "name")),
                   Column("role", t("角色", "role")), Column("units", t("单位", "units"))]
        labels = ROLE_LABELS if not is_english() else {role: role for role in ROLE_LABELS}
        shown = [{**r, "role": labels.get(r["role"], r["role"])} for r in rows]
        typer.echo(render_table(columns, shown))
