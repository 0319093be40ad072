"""Listing rows of a store's plan read through its query index: the rows ``list_rows`` gives, at the cost of what matches.

``tracker list`` (and the TUI, page by page) call :func:`indexed_rows`: with no query,
or one of ``unit:``/``group:`` terms joined by ``or``, the ``--by task`` rows come
straight from the index (no task is built); with another query
only the tasks it can match (``task:`` ranges, the tasks naming a ``unit:``/``group:``)
are built, and :func:`tracker.listing.list_rows` decides on them exactly as on the
whole plan. None means the index cannot answer (no write access to build it, a broken
file ...): read the plan itself, which also reports what is wrong.
"""

from __future__ import annotations

from typing import Any

from tracker.listing import list_rows
from tracker.model import Plan, PlanInfo
from tracker.plan_index import IndexUnusable, PlanIndex, Store
from tracker.query import MatchContext, Query


def indexed_rows(
    store: Store,
    year: int,
    commit: str,
    info: PlanInfo,
    query: Query,
    by: str,
    ctx: MatchContext,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]] | None:
    """The rows :func:`~tracker.listing.list_rows` gives for the plan at ``commit``, from the index.

    ``info``: the plan's metadata (from a snapshot that read no task). ``limit`` and
    ``offset`` take a page of the rows in plan order (for a screen that shows some).
    None: the index cannot answer.

    Raises:
        QueryError, ValueError: as :func:`~tracker.listing.list_rows`.
    """
    if ctx.registry is not None:
        query.bind(ctx.registry)
    try:
        index = PlanIndex.open(store, year, commit)
    except IndexUnusable:
        return None
    try:
        if by == "task" and query.is_empty:
            return index.task_rows(ctx.today, limit=limit, offset=offset)
        units = query.unit_alternatives() if by == "task" else None
        if units is not None:
            rows = index.unit_task_rows(units, ctx.today)
            return rows[offset:] if limit is None else rows[offset : offset + limit]
        if by == "requirement" and query.is_empty and limit is not None:
            # a page of the whole plan's requirements: build only the tasks that hold them
            numbers, skip = index.tasks_holding_requirements(offset, limit)
            page = list_rows(Plan(info, index.tasks(numbers)), query, by, ctx)
            return page[skip : skip + limit]
        tasks = index.tasks(query.candidate_tasks(index.tasks_naming))
    finally:
        index.close()
    rows = list_rows(Plan(info, tasks), query, by, ctx)
    return rows[offset:] if limit is None else rows[offset : offset + limit]


def plan_for_query(store: Store, year: int, commit: str, info: PlanInfo, query: Query) -> Plan | None:
    """The plan at ``commit`` holding the tasks ``query`` can match (every task for no query).

    For a report: a task with no matching assignment is left out of it anyway, so the
    rest of the plan is never built (a ``unit:`` report at size L builds that unit's
    tasks). Bind the query first. None: the index cannot answer.
    """
    try:
        index = PlanIndex.open(store, year, commit)
    except IndexUnusable:
        return None
    try:
        return Plan(info, index.tasks(query.candidate_tasks(index.tasks_naming)))
    finally:
        index.close()


def plan_naming(store: Store, year: int, commit: str, info: PlanInfo, units: frozenset[str]) -> Plan | None:
    """The plan at ``commit`` holding only the tasks that have an assignment of one of ``units``.

    For what a unit exports or reports: the rest of the plan is never built. None: the
    index cannot answer.
    """
    try:
        index = PlanIndex.open(store, year, commit)
    except IndexUnusable:
        return None
    try:
        return Plan(info, index.tasks(index.tasks_naming(units)))
    finally:
        index.close()


__all__ = ["indexed_rows", "plan_for_query", "plan_naming"]
