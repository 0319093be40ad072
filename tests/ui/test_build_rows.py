"""build_rows skips or takes whole tasks by the query's task verdict: same rows as matching each assignment."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.planio import LoadedPlan, bundled_tasks_dir, load_plan_folder
from tracker.ui.rows import AssignmentMatcher, FilterContext, FilterError, build_rows

TODAY = date(2019, 9, 1)
_PLAN: list[LoadedPlan] = []


def loaded() -> LoadedPlan:
    if not _PLAN:
        _PLAN.append(load_plan_folder(bundled_tasks_dir()))
    return _PLAN[0]


class NoVerdict(AssignmentMatcher):
    """The same query with the task-level shortcut switched off."""

    def task_verdict(self, task):  # type: ignore[no-untyped-def,override]
        return None


def both(text: str) -> tuple[list, list]:
    ctx = FilterContext(today=TODAY, loaded=loaded())
    return (
        build_rows(loaded(), AssignmentMatcher(text, ctx), TODAY),
        build_rows(loaded(), NoVerdict(text, ctx), TODAY),
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "task:1..2",
        "task:3",
        "not task:1..40",
        "task:1..5 and status:done",
        "营里镇",
        "task:2 or overdue",
        "section:一",
        "not unit:营里镇",
        "title:政务",
    ],
)
def test_same_rows_with_and_without_task_verdict(text: str) -> None:
    fast, slow = both(text)
    assert fast == slow


def test_task_filter_keeps_only_that_task() -> None:
    rows, _ = both("task:2")
    assert rows and {r.task for r in rows} == {2}


_TERMS = st.sampled_from(
    [
        "task:1",
        "task:2..9",
        "task:30..99",
        "status:done",
        "status:not_started",
        "overdue",
        "营里镇",
        "unit:营里镇",
        "section:二",
        "公开",
        "title:信息",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _TERMS), min_size=1, max_size=3), st.sampled_from([" and ", " or "]))
def test_any_query_same_rows(terms: list[tuple[bool, str]], joiner: str) -> None:
    text = joiner.join(("not " if neg else "") + term for neg, term in terms)
    try:
        fast, slow = both(text)
    except FilterError:
        return
    assert fast == slow
