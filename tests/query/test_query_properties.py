"""Property tests: parse fails only with QueryError; -x is the complement of x; `a or b` is the union."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.query.plans import make_plan, make_registry
from tracker.query import MatchContext, QueryError, parse

PLAN = make_plan()
REGISTRY = make_registry()
CTX = MatchContext(today=date(2019, 9, 1), registry=REGISTRY)
ROWS = list(PLAN.assignments())

ATOMS = [
    "unit:市发改局", "unit:ylz", "单位:营里镇", "group:各镇(街区)", "status:done", "状态:推进中",
    "status:not_started,blocked", "role:lead", "角色:落实", "overdue", "逾期", "due<2019-07-01",
    "due>=2019-12-31", "due-within:60", "section:一", "板块:二", "section:(二)", "task:1..5", "task>5",
    "text:征地", "征地", "公开", "时限:全年", "req:2.1", '"集体产权"', "title:服务",
]
atoms = st.sampled_from(ATOMS)
and_exprs = st.lists(st.sampled_from(ATOMS + ["-" + a for a in ATOMS]), min_size=1, max_size=3).map(" ".join)

query_chars = st.sampled_from(list('ab :<>=-."“”()\t单位状态任务:逾期or,.5 91') + ["or", "unit:", "status:", "task:", "due<"])


def matching(query: str) -> set[int]:
    q = parse(query, REGISTRY)
    return {i for i, (task, req, a) in enumerate(ROWS) if q.match_assignment(task, req, a, CTX)}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_raises_only_query_error_on_any_text(text: str) -> None:
    try:
        q = parse(text, REGISTRY)
    except QueryError as err:
        assert 0 <= err.position <= len(text)
        assert err.message
        return
    for task, req, a in ROWS[:5]:
        assert q.match_assignment(task, req, a, CTX) in (True, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(query_chars, max_size=12).map("".join))
def test_parse_raises_only_query_error_on_query_like_text(text: str) -> None:
    try:
        parse(text, REGISTRY)
    except QueryError as err:
        assert 0 <= err.position <= len(text)
        assert err.token == "" or err.token in text


@settings(max_examples=200, deadline=None)
@given(atoms)
def test_negation_is_the_complement(atom: str) -> None:
    everything = set(range(len(ROWS)))
    assert matching("-" + atom) == everything - matching(atom)
    assert matching("--" + atom) == matching(atom)


@settings(max_examples=200, deadline=None)
@given(and_exprs, and_exprs)
def test_or_is_the_union_and_juxtaposition_the_intersection(a: str, b: str) -> None:
    assert matching(f"{a} or {b}") == matching(a) | matching(b)
    assert matching(f"{a} OR {b}") == matching(a) | matching(b)
    assert matching(f"{a} {b}") == matching(a) & matching(b)
