"""``tracker set``: change one unit's status, note or evidence on a requirement or a whole task.

The core of the command is :func:`changes_for` + :func:`~tracker.cli.store_common.commit_and_report`;
the bulk forms (``--query``, ranges, a confirmation) are :mod:`tracker.cli.bulk`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli import bulk
from tracker.cli.plan_source import PlanOption, RepoOption, fail
from tracker.cli.store_common import commit_and_report, open_service, user_errors
from tracker.i18n import t
from tracker.model import parse_task_number
from tracker.planio import LoadedPlan
from tracker.rules import validate_change
from tracker.service import Change


def parse_req(text: str) -> tuple[int, str | None]:
    """``5`` -> (5, None); ``5.2`` -> (5, "2"). Raises ValueError on anything else."""
    task_part, dot, key = text.strip().partition(".")
    number = parse_task_number(task_part)
    if dot:
        if not key.isdigit() or key.startswith("0"):
            raise ValueError(f"要求编号不合法: {text!r}(应写作 5 或 5.2)")
        return number, key
    return number, None


def changes_for(
    loaded: LoadedPlan,
    req: str,
    unit: str,
    *,
    status: str | None = None,
    note: str | None = None,
    evidence: str | None = None,
) -> list[Change]:
    """The field changes ``tracker set REQ --unit UNIT ...`` means.

    ``REQ`` is ``5`` (every requirement of task 5 naming the unit) or ``5.2``.

    Values are checked by :func:`tracker.rules.validate_change` here, before the
    service is asked, so a refusal costs no commit attempt and reads the same as
    the service's.

    Raises:
        ValueError: a malformed REQ, an unknown task or requirement, a unit not
            named by it (message in Chinese).
        InvalidChange: a value the rules refuse.
    """
    values = [(f, validate_change(f, v)) for f, v in (("status", status), ("note", note), ("evidence", evidence))
              if v is not None]
    number, key = parse_req(req)
    task = loaded.plan.tasks.get(number)
    if task is None:
        raise ValueError(f"{loaded.plan.year} 年计划中没有任务 {number}")
    resolved = loaded.registry.resolve(unit).name
    if key is not None:
        requirement = task.requirement(key)
        if requirement is None:
            raise ValueError(f"任务{number} 没有第 {key} 条要求")
        requirements = [requirement]
    else:
        requirements = [r for r in task.requirements if resolved in r.assignments]
        if not requirements:
            raise ValueError(f"任务{number} 的要求都没有 {resolved} 的分工")
    return [Change(number, r.key, resolved, f, v) for r in requirements for f, v in values]


def set_(
    req: Annotated[str | None, typer.Argument(metavar="REQ", show_default=False, help=t("任务或要求编号: 5 或 5.2;范围 5..9", "task or requirement: 5 or 5.2; a range 5..9"))] = None,
    unit: Annotated[str | None, typer.Option("--unit", metavar="UNIT", show_default=False, help=t("单位名称或简称", "unit name or alias"))] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", metavar="STATUS", show_default=False,
                     help=t("状态: 未启动/推进中/已完成/受阻/不适用(或 not_started 等)", "status: not_started, in_progress, done, blocked, not_applicable")),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", show_default=False, help=t("追加一条进展", "append a progress note"))] = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", metavar="URL", show_default=False, help=t("添加佐证(网址、文号)", "add evidence (URL, document number)"))
    ] = None,
    on_behalf_of: Annotated[
        str | None,
        typer.Option("--on-behalf-of", metavar="UNIT", show_default=False, help=t("管理员代该单位录入", "admin entering data for this unit")),
    ] = None,
    query: bulk.QueryOption = None,
    dry_run: bulk.DryRunOption = False,
    yes: bulk.YesOption = False,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """修改单位在某项任务或要求上的状态、进展、佐证(每次修改一个提交)。"""
    if status is None and note is None and evidence is None:
        fail(t("请至少给出 --status、--note 或 --evidence 之一", "give at least one of --status, --note, --evidence"), 2)
    if bulk.is_bulk(req, query, dry_run):
        bulk.bulk_set(repo=repo, plan=plan, query=query, req=req, unit=unit, status=status, note=note,
                      evidence=evidence, on_behalf_of=on_behalf_of, dry_run=dry_run, yes=yes)
        return
    if req is None or unit is None:
        fail(t("请给出 REQ 和 --unit(或用 --query 批量修改)", "give REQ and --unit (or --query for a bulk change)"), 2)
    service = open_service(repo, plan)
    try:
        number, _ = parse_req(req)
    except ValueError as exc:
        fail(str(exc))
    with user_errors():
        # only the one task file (plus units): the service reads the same again from memory
        loaded = service.store.snapshot(service.year, tasks=[number]).loaded
    try:
        with user_errors():
            changes = changes_for(loaded, req, unit, status=status, note=note, evidence=evidence)
    except ValueError as exc:
        fail(str(exc))
    commit_and_report(service, changes, on_behalf_of)


__all__ = ["changes_for", "parse_req", "set_"]
