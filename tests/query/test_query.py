"""The filter language: parsing, errors with positions, and matching."""

from __future__ import annotations

from datetime import date

import pytest

from tests.query.plans import make_plan, make_registry
from tracker.query import MatchContext, QueryError, parse, pinyin_initials

PLAN = make_plan()
REGISTRY = make_registry()
CTX = MatchContext(today=date(2019, 9, 1), registry=REGISTRY)


def assignments(query: str, ctx: MatchContext = CTX) -> set[tuple[str, str]]:
    q = parse(query, REGISTRY)
    return {(req.id, a.unit) for _, req, a in q.assignments(PLAN, ctx)}


def requirements(query: str) -> list[str]:
    return [req.id for _, req in parse(query, REGISTRY).requirements(PLAN, CTX)]


def tasks(query: str) -> list[int]:
    return [t.number for t in parse(query, REGISTRY).tasks(PLAN, CTX)]


ALL = {(req.id, a.unit) for _, req, a in PLAN.assignments()}


def test_empty_query_matches_everything() -> None:
    assert assignments("") == ALL
    assert assignments("   ") == ALL
    assert tasks("") == [1, 2, 5, 9, 12]


@pytest.mark.parametrize("query", ["unit:市发改局", "单位:市发改局", "unit:发改局", "unit:fgj", "u:FGJ", "unit:sfgj"])
def test_unit_by_name_alias_and_pinyin_initials(query: str) -> None:
    assert assignments(query) == {("1.1", "市发改局"), ("2.2", "市发改局")}


def test_unit_by_unique_part_of_a_name() -> None:
    assert assignments("unit:审批") == {("5.1", "市行政审批服务局")}


def test_ambiguous_initials_list_the_candidates() -> None:
    registry = make_registry()
    registry.units["市公信局"] = type(registry.units["市工信局"])("市公信局")  # gxj like 市工信局
    with pytest.raises(QueryError) as err:
        parse("status:done unit:gxj", registry)
    assert err.value.message == "单位 'gxj' 不唯一,可能是: 市公信局、市工信局"
    assert err.value.position == len("status:done ")
    assert err.value.token == "unit:gxj"
    assert parse("unit:gxj", REGISTRY).bind(REGISTRY).root.units == {"市工信局"}  # type: ignore[union-attr]


def test_unknown_unit_points_at_its_token() -> None:
    with pytest.raises(QueryError) as err:
        parse("overdue 单位:火星局", REGISTRY)
    assert err.value.message.startswith("未知单位 '火星局'(")
    assert (err.value.position, err.value.token) == (8, "单位:火星局")
    assert err.value.caret("overdue 单位:火星局").splitlines()[1] == " " * 8 + "^" * 11


def test_unit_naming_a_group_means_its_members() -> None:
    assert assignments("unit:相关镇(街区) task:1") == {("1.1", t) for t in ["营里镇", "化龙镇", "圣城街道"]}


def test_group_term_and_vague_group() -> None:
    assert assignments("group:各镇(街区) task:2") == {("2.1", t) for t in ["营里镇", "化龙镇", "圣城街道"]}
    assert assignments("分组:市直相关部门") == {("2.2", "市直相关部门")}
    with pytest.raises(QueryError, match="未知分组"):
        parse("group:不存在的组", REGISTRY)


def test_status_role_and_chinese_names() -> None:
    assert assignments("status:done") == {("2.1", "营里镇")}
    assert assignments("状态:已完成") == {("2.1", "营里镇")}
    assert assignments("status:done,blocked") == {("2.1", "营里镇"), ("9.1", "市财政局")}
    assert assignments("角色:牵头 task:2") == {("2.1", "市人社局"), ("2.2", "市发改局")}
    assert assignments("role:implementer task:5") == {("5.1", "营里镇")}


def test_overdue_uses_as_of_and_skips_closed_work() -> None:
    # 营里镇 is done on 2.1 and not applicable on 5.1; 9.1 is due 2019-08-31
    expected = {("2.1", "市人社局"), ("2.1", "化龙镇"), ("2.1", "圣城街道"), ("5.1", "市行政审批服务局")}
    at_31 = MatchContext(date(2019, 8, 31), REGISTRY)
    assert assignments("overdue", at_31) == expected
    assert assignments("逾期", at_31) == expected
    assert assignments("overdue", MatchContext(date(2019, 6, 30), REGISTRY)) == set()
    assert assignments("overdue") == expected | {("9.1", "市财政局")}


def test_due_comparisons_and_due_within() -> None:
    assert {r for r, _ in assignments("due<2019-07-01")} == {"2.1", "5.1"}
    assert {r for r, _ in assignments("due:2019-08-31")} == {"9.1"}
    assert {r for r, _ in assignments("due>=2019-12-31")} == {"1.1", "5.1"}
    # 9.1 is due 2019-08-31: within 30 days of 2019-08-15, not of 2019-07-01
    assert assignments("due-within:30", MatchContext(date(2019, 8, 15), REGISTRY)) == {("9.1", "市财政局")}
    assert assignments("临期:30", MatchContext(date(2019, 7, 1), REGISTRY)) == set()


def test_task_ranges_lists_and_requirement_ids() -> None:
    assert tasks("task:5..9") == [5, 9]
    assert tasks("任务:1,12") == [1, 12]
    assert tasks("task>5") == [9, 12]
    assert requirements("req:2.2") == ["2.2"]


def test_section_subsection_and_text() -> None:
    assert tasks("section:一") == [1, 2, 5]
    assert tasks("板块:二") == [9, 12]
    assert tasks("section:(二)") == [5]
    assert tasks("section:政策解读") == [9, 12]
    assert requirements("text:征地") == ["2.1"]
    assert requirements("征地") == ["2.1", "9.1"]  # free words: title or text
    assert requirements("时限:全年") == ["1.1", "5.1"]


def test_negation_or_and_quotes() -> None:
    assert tasks("-section:一") == [9, 12]
    assert tasks("task:1 or task:9") == [1, 9]
    # and binds tighter than or
    assert tasks("task:1 征地 or task:12") == [12]
    assert requirements('"集体产权 制度"') == []
    assert requirements('"集体产权制度"') == ["2.2"]
    assert assignments('unit:"市 发改局" task:1') == {("1.1", "市发改局")}


def test_requirement_matches_when_one_assignment_matches_the_whole_query() -> None:
    # 营里镇 is done on 2.1, 市人社局 leads 2.1 but is not done: no single assignment is both
    assert requirements("unit:市人社局 status:done") == []
    assert requirements("unit:营里镇 status:done") == ["2.1"]


def test_requirement_without_assignments_fails_assignment_terms() -> None:
    assert "12.1" not in requirements("status:not_started")
    assert "12.1" in requirements("-status:done")
    assert "12.1" in requirements("task:12")


@pytest.mark.parametrize(
    ("query", "position", "token", "message"),
    [
        ("status:完成了", 0, "status:完成了", "未知状态 '完成了'"),
        ("task:1 颜色:红", 7, "颜色:红", "未知字段 '颜色'"),
        ("due<2019-02-30", 0, "due<2019-02-30", "不是日期"),
        ("task:9..5", 0, "task:9..5", "起点大于终点"),
        ("task:x", 0, "task:x", "任务编号"),
        ("role:boss", 0, "role:boss", "未知角色"),
        ("unit:", 0, "unit:", "缺少值"),
        ("status<done", 0, "status<done", "只能用"),
        ('a "b c', 2, '"b c', "引号没有闭合"),
        ("a or", 2, "or", "后面缺少条件"),
        ("or a", 0, "or", "前面缺少条件"),
        ("a -", 2, "-", "“-”后面"),
        ("due-within:x", 0, "due-within:x", "天数"),
        ("req:5", 0, "req:5", "要求编号"),
    ],
)
def test_errors_point_at_the_bad_token(query: str, position: int, token: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        parse(query, REGISTRY)
    assert err.value.position == position
    assert err.value.token == token
    assert message in err.value.message


def test_caret_counts_wide_characters_twice() -> None:
    query = "单位:营里镇 状态:完成了"
    with pytest.raises(QueryError) as err:
        parse(query)
    assert err.value.caret(query).splitlines() == [query, " " * 12 + "^" * 11]


def test_pinyin_initials_of_polyphonic_names_cover_every_reading() -> None:
    assert "xzspfwj" in pinyin_initials("行政审批服务局")
    assert "ylz" in pinyin_initials("营里镇")
    assert pinyin_initials("各镇(街区)") >= {"gzjq"}


def test_binding_again_to_another_registry_re_resolves() -> None:
    q = parse("unit:fgj")
    other = make_registry()
    del other.units["市发改局"]
    other.units["市妇联"] = type(other.units["市工信局"])("市妇联")
    q.bind(REGISTRY)
    with pytest.raises(QueryError):
        q.bind(other)
