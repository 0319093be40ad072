"""Entitlement rules on plain file versions (no git)."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.audit.helpers import AT, NDRC, OFFICE, OPERATORS, edited, sample_task, text
from tracker.git.log import CommitInfo
from tracker.model import Status
from tracker.verify import judge_commit, judge_merge, merge_leaf

PATH = "tasks/05.toml"
OPS_PATH = "tasks/operators.toml"


def meta(login: str, message: str = "任务5.1: 改动\n") -> CommitInfo:
    return CommitInfo("c" * 40, ("p" * 40,), login, f"{login}@zwgk.local", AT, message)


def judge(login, before, after, message="任务5.1: 改动\n", **kw):
    return judge_commit(meta(login, message), {PATH: text(before)}, {PATH: text(after)}, OPERATORS, **kw)


def test_operator_may_change_own_units_status_note_and_evidence() -> None:
    base = sample_task()
    after = edited(base, "1", NDRC, status=Status.DONE, note="完成", evidence="http://x.gov.cn/1")
    message = "任务5.1 市发改局: 未启动 → 已完成\n\n> 完成\n\nTask: 5\nUnit: 市发改局\nOperator: zhangsan\n"
    assert judge("zhangsan", base, after, message) == []


def test_operator_changing_another_units_status_is_reported() -> None:
    base = sample_task()
    after = edited(base, "1", OFFICE, status=Status.DONE)
    [finding] = judge("zhangsan", base, after)
    assert OFFICE in finding.what and "status" in finding.what
    assert "无权修改" in finding.why and finding.author.startswith("zhangsan")


def test_plan_text_needs_an_admin() -> None:
    base = sample_task()
    after = copy.deepcopy(base)
    after.requirements[0].deadline = "9月底前"
    assert judge("admin", base, after) == []
    [finding] = judge("zhangsan", base, after)
    assert "deadline" in finding.what and "管理员" in finding.why


def test_auditor_and_unknown_author_change_nothing() -> None:
    base = sample_task()
    after = edited(base, "1", NDRC, status=Status.DONE, by="wangwu")
    [auditor] = judge("wangwu", base, after)
    assert "只能查看" in auditor.why
    [unknown] = judge("mallory", base, edited(base, "1", NDRC, status=Status.DONE, by="mallory"))
    assert "未知作者" in unknown.why


def test_note_signed_by_someone_else_or_rewritten_history_is_reported() -> None:
    base = edited(sample_task(), "1", NDRC, note="旧进展")
    forged = edited(base, "1", NDRC, note="冒名", by="lisi")
    forged.requirement("1").assignments[NDRC].updated_by = "zhangsan"
    [finding] = judge("zhangsan", base, forged)
    assert "署名" in finding.why
    rewritten = copy.deepcopy(base)
    rewritten.requirement("1").assignments[NDRC].notes.clear()
    [finding] = judge("zhangsan", base, rewritten)
    assert "改写或删除" in finding.what


def test_forged_operator_trailer_is_reported_even_for_allowed_changes() -> None:
    base = sample_task()
    after = edited(base, "1", NDRC, status=Status.DONE)
    message = "s\n\nTask: 5\nUnit: 市发改局\nOperator: admin\n"
    [finding] = judge("zhangsan", base, after, message)
    assert "Operator" in finding.what and "伪造" in finding.why


def test_trailers_that_disagree_with_the_diff_are_reported() -> None:
    base = sample_task()
    after = edited(base, "1", NDRC, status=Status.DONE)
    message = "s\n\nTask: 9\nUnit: 市政府办公室\nOperator: zhangsan\n"
    whats = sorted(f.what for f in judge("zhangsan", base, after, message))
    assert whats == ["尾注 Task", "尾注 Unit"]


def test_on_behalf_of_by_a_non_admin_is_forged() -> None:
    base = sample_task()
    after = edited(base, "1", NDRC, status=Status.DONE)
    message = "s\n\nTask: 5\nUnit: 市发改局\nOperator: zhangsan\nOn-behalf-of: 市发改局\n"
    [finding] = judge("zhangsan", base, after, message)
    assert "On-behalf-of" in finding.what


@settings(deadline=None)  # a correctness property; times belong to the benchmark (it took 374 ms at load 28)
@given(st.text(alphabet=st.sampled_from(list("ab\nUnit:市政府办公室Task 9Operator admin>")), max_size=80))
def test_a_note_never_forges_a_trailer_or_fools_verify(note: str) -> None:
    """The service quotes notes with '> '; whatever the note says, the commit stays clean."""
    base = sample_task()
    after = edited(base, "1", NDRC, note=note)
    quoted = "\n".join("> " + line if line.strip() else ">" for line in note.split("\n"))
    message = f"任务5.1 市发改局: 进展\n\n{quoted}\n\nTask: 5\nUnit: 市发改局\nOperator: zhangsan\n"
    assert judge("zhangsan", base, after, message) == []


def test_operators_file_change_judged_by_the_file_at_the_parent() -> None:
    promoted = OPERATORS.replace(
        'units = ["市发改局"]\nrole = "operator"', 'units = ["市发改局"]\nrole = "admin"'
    )
    found = judge_commit(
        meta("zhangsan"), {OPS_PATH: OPERATORS.encode()}, {OPS_PATH: promoted.encode()}, OPERATORS
    )
    assert len(found) == 1 and "管理员" in found[0].why


def test_root_commit_needs_an_admin_in_the_file_it_creates() -> None:
    root = CommitInfo("r" * 40, (), "管理员", "admin@zwgk.local", AT, "init\n")
    files = {OPS_PATH: OPERATORS.encode(), PATH: text(sample_task())}
    assert judge_commit(root, {}, files, None) == []
    intruder = CommitInfo("r" * 40, (), "张三", "zhangsan@zwgk.local", AT, "init\n")
    assert len(judge_commit(intruder, {}, files, None)) == 1


def test_unsigned_commit_reported_only_where_signing_is_required() -> None:
    base = sample_task()
    after = edited(base, "1", NDRC, status=Status.DONE)
    assert judge("zhangsan", base, after, signed=False) == []
    [finding] = judge("zhangsan", base, after, signed=False, signing_required=True)
    assert "签名" in finding.what
    assert judge("zhangsan", base, after, signed=True, signing_required=True) == []


def test_merge_leaf_union_and_conflict() -> None:
    assert merge_leaf("a", "b", "a") == ("b", False)
    assert merge_leaf("a", "a", "c") == ("c", False)
    assert merge_leaf("a", "b", "c") == (None, True)
    assert merge_leaf([1], [1, 2], [1, 3]) == ([1, 2, 3], False)
    assert merge_leaf([1, 2], [2], [1, 2, 3]) == ([2, 3], False)


def merge_meta(login: str) -> CommitInfo:
    return CommitInfo("m" * 40, ("o" * 40, "t" * 40), login, f"{login}@zwgk.local", AT, "Merge\n")


def test_merge_holding_only_the_union_is_clean_and_extra_changes_are_not() -> None:
    base = sample_task()
    ours = edited(base, "1", NDRC, status=Status.IN_PROGRESS)
    theirs = edited(base, "2", NDRC, note="他方进展")
    union = edited(ours, "2", NDRC, note="他方进展")
    files = lambda t: {PATH: text(t)}  # noqa: E731
    assert (
        judge_merge(merge_meta("zhangsan"), files(base), files(ours), files(theirs), files(union), OPERATORS)
        == []
    )
    sneaky = edited(union, "1", OFFICE, status=Status.DONE)
    found = judge_merge(
        merge_meta("zhangsan"), files(base), files(ours), files(theirs), files(sneaky), OPERATORS
    )
    assert [OFFICE in f.what and "双方都没有" in f.what for f in found] == [True]


def test_merge_conflict_resolution_needs_an_admin() -> None:
    base = sample_task()
    ours = edited(base, "1", NDRC, status=Status.IN_PROGRESS)
    theirs = edited(base, "1", NDRC, status=Status.BLOCKED)
    files = lambda t: {PATH: text(t)}  # noqa: E731
    found = judge_merge(
        merge_meta("zhangsan"), files(base), files(ours), files(theirs), files(ours), OPERATORS
    )
    assert len(found) == 1 and "冲突" in found[0].what
    assert (
        judge_merge(merge_meta("admin"), files(base), files(ours), files(theirs), files(ours), OPERATORS)
        == []
    )
