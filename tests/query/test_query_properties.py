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


# ---- the task-level prefilter never changes a result (on the bundled plan)

def _bundled() -> tuple[object, MatchContext]:
    from tracker.planio import bundled_tasks_dir, load_plan_folder

    loaded = load_plan_folder(bundled_tasks_dir())
    return loaded, MatchContext(today=date(2019, 9, 1), registry=loaded.registry)


BUNDLED, BUNDLED_CTX = _bundled()
BUNDLED_ROWS = list(BUNDLED.plan.assignments())  # type: ignore[attr-defined]
BUNDLED_UNITS = sorted({a.unit for _, _, a in BUNDLED_ROWS})
BUNDLED_ATOMS = st.one_of(
    st.sampled_from(ATOMS[:5] + ATOMS[7:] + ["section:三", "task:3,9..12", "task<=4", "text:公开", "title:政务"]),
    st.sampled_from(BUNDLED_UNITS).map(lambda u: f"unit:{u}"),
    st.integers(1, 40).map(lambda n: f"task:{n}"),
    st.sampled_from(sorted({w for t, r, _ in BUNDLED_ROWS[:400:7] for w in (t.title[:2], r.text[2:4]) if w.strip()}))
    .map(lambda w: f'"{w}"'),
)
BUNDLED_QUERIES = st.lists(
    st.tuples(st.sampled_from(["", "-"]), BUNDLED_ATOMS, st.sampled_from([" ", " or "])), min_size=1, max_size=4
).map(lambda parts: "".join(sign + atom + sep for sign, atom, sep in parts[:-1]) + parts[-1][0] + parts[-1][1])


def _one_by_one(q: object) -> list[tuple[int, str, str]]:
    """Every assignment matched with the plain evaluator, no task-level shortcut."""
    from tracker.query import _eval

    return [(t.number, r.key, a.unit) for t, r, a in BUNDLED_ROWS
            if q.root is None or _eval(q.root, t, r, a, BUNDLED_CTX)]  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(BUNDLED_QUERIES)
def test_the_task_prefilter_never_changes_a_result(text: str) -> None:
    try:
        q = parse(text, BUNDLED.registry)  # type: ignore[attr-defined]
    except QueryError:
        return
    plan = BUNDLED.plan  # type: ignore[attr-defined]
    expected = _one_by_one(q)
    assert [(t.number, r.key, a.unit) for t, r, a in q.assignments(plan, BUNDLED_CTX)] == expected
    assert [(t.number, r.key, a.unit) for t, r, a in BUNDLED_ROWS
            if q.match_assignment(t, r, a, BUNDLED_CTX)] == expected
    wanted = {(n, k) for n, k, _ in expected}
    got = [(t.number, r.key) for t, r in q.requirements(plan, BUNDLED_CTX)]
    plain_reqs = [(t.number, r.key) for t in plan.sorted_tasks() for r in t.requirements
                  if (t.number, r.key) in wanted or (not r.assignments and q.root is not None
                                                     and _eval_none(q, t, r))]
    assert got == plain_reqs
    numbers = q.task_numbers()
    if numbers is not None:
        assert {n for n, _, _ in expected} <= numbers
    for task in plan.sorted_tasks():
        verdict = q.task_verdict(task, BUNDLED_CTX)
        rows = [(task.number, r.key, a.unit) for r, a in task.assignments()]
        if verdict is False:
            assert not set(rows) & set(expected)
        elif verdict is True:
            assert set(rows) <= set(expected)


def _eval_none(q: object, task: object, req: object) -> bool:
    from tracker.query import _eval

    return _eval(q.root, task, req, None, BUNDLED_CTX)  # type: ignore[attr-defined]


def test_the_prefilter_does_skip_tasks() -> None:
    plan = BUNDLED.plan  # type: ignore[attr-defined]
    unit = BUNDLED_UNITS[0]
    verdicts = [parse(f"task:3 or unit:{unit}", BUNDLED.registry).task_verdict(t, BUNDLED_CTX)  # type: ignore[attr-defined]
                for t in plan.sorted_tasks()]
    assert False in verdicts and True in verdicts
    assert parse("task:3,9..12 status:done").task_numbers() == frozenset({3, 9, 10, 11, 12})
    assert parse("task:3 or -task:4").task_numbers() is None
    assert parse("task>5").task_numbers(limit=1000) is None
    assert parse("req:7.1 or task:2").task_numbers() == frozenset({2, 7})
