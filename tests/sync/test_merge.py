"""The field-by-field merge (tracker/merge.py): cases and properties."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.codec import dump_task, load_task
from tracker.merge import MergeError, merge_explains, merge_texts
from tracker.model import Assignment, Note, Requirement, Role, Status, Task
from tracker.units import load_registry

TZ = timezone(timedelta(hours=8))
AT = datetime(2019, 8, 1, 10, 0, tzinfo=TZ)
UNITS = ("营里镇", "化龙镇", "市发改局")
PATH = "tasks/05.toml"


def base_task() -> Task:
    tasks = Task(5, "优化涉企服务", section="一、", subsection="(二)")
    for key in ("1", "2"):
        req = Requirement(5, key, f"要求{key}\n第二行", deadline="全年", leads=[UNITS[0]], implementers=list(UNITS[1:]))
        for i, unit in enumerate(UNITS):
            req.assignments[unit] = Assignment(unit, Role.LEAD if i == 0 else Role.IMPLEMENTER)
        tasks.requirements.append(req)
    return tasks


BASE = dump_task(base_task())


def edited(edits: list[tuple[str, str, str, str]]) -> str:
    """The base task with (requirement, unit, field, value) edits applied, written by the codec."""
    task = load_task(BASE)
    for n, (key, unit, field, value) in enumerate(edits):
        a = task.requirement(key).assignments[unit]  # type: ignore[union-attr]
        if field == "status":
            a.status = Status(value)
        elif field == "note":
            a.notes.append(Note(AT + timedelta(minutes=len(value) + n), "x", value))
            a.notes.sort(key=lambda note: note.at)
        elif field == "evidence":
            a.evidence.append(value)
        elif field == "title":
            task.title = value
    return dump_task(task)


def parsed(text: str) -> dict:
    return tomllib.loads(text)


def unit_of(text: str, key: str, unit: str) -> dict:
    return parsed(text)["requirements"][key]["units"][unit]


def test_different_fields_of_one_task_merge_cleanly() -> None:
    ours = edited([("1", "营里镇", "status", "done")])
    theirs = edited([("1", "营里镇", "note", "已公开"), ("2", "化龙镇", "status", "blocked")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert result.clean
    assert unit_of(result.text, "1", "营里镇")["status"] == "done"
    assert [n["text"] for n in unit_of(result.text, "1", "营里镇")["notes"]] == ["已公开"]
    assert unit_of(result.text, "2", "化龙镇")["status"] == "blocked"


def test_different_units_of_one_requirement_merge_cleanly() -> None:
    ours = edited([("1", "营里镇", "status", "done")])
    theirs = edited([("1", "化龙镇", "status", "in_progress")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert result.clean
    assert unit_of(result.text, "1", "营里镇")["status"] == "done"
    assert unit_of(result.text, "1", "化龙镇")["status"] == "in_progress"


def test_notes_added_on_both_sides_are_a_union_ordered_by_time() -> None:
    ours = edited([("1", "营里镇", "note", "第三条进展很长很长")])  # later `at`
    theirs = edited([("1", "营里镇", "note", "一")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert result.clean
    notes = unit_of(result.text, "1", "营里镇")["notes"]
    assert [n["text"] for n in notes] == ["一", "第三条进展很长很长"]
    assert notes[0]["at"] < notes[1]["at"]


def test_evidence_added_on_both_sides_is_a_union() -> None:
    ours = edited([("1", "营里镇", "evidence", "https://a.example/1")])
    theirs = edited([("1", "营里镇", "evidence", "寿政办发〔2019〕5号")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert result.clean
    assert sorted(unit_of(result.text, "1", "营里镇")["evidence"]) == ["https://a.example/1", "寿政办发〔2019〕5号"]


def test_same_field_two_values_is_recorded_in_the_file_and_loads() -> None:
    ours = edited([("1", "营里镇", "status", "done")])
    theirs = edited([("1", "营里镇", "status", "blocked")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert [c.path for c in result.conflicts] == [("requirements", "1", "units", "营里镇", "status")]
    data = parsed(result.text)
    assert data["requirements"]["1"]["units"]["营里镇"]["status"] == "done"  # ours kept until someone chooses
    entry = data["conflicts"][0]
    assert (entry["ours"], entry["theirs"]) == ("done", "blocked")
    task = load_task(result.text, PATH)
    assignment = task.requirement("1").assignments["营里镇"]  # type: ignore[union-attr]
    assert [(c.field_name, c.ours, c.theirs) for c in assignment.conflicts] == [("status", "done", "blocked")]
    assert task.requirement("1").assignments["化龙镇"].conflicts == []  # type: ignore[union-attr]


def test_conflict_names_who_and_when_from_the_unit_table() -> None:
    def stamped(status: str, by: str, hour: int) -> str:
        task = load_task(BASE)
        a = task.requirement("1").assignments["营里镇"]  # type: ignore[union-attr]
        a.status, a.updated, a.updated_by = Status(status), AT.replace(hour=hour), by
        return dump_task(task)

    result = merge_texts(BASE, stamped("done", "zhang", 9), stamped("blocked", "li", 11), PATH)
    (conflict,) = result.conflicts
    assert (conflict.ours_by, conflict.ours_at.hour, conflict.theirs_by, conflict.theirs_at.hour) == ("zhang", 9, "li", 11)
    stamp = unit_of(result.text, "1", "营里镇")
    assert (stamp["updated_by"], stamp["updated"].hour) == ("li", 11)  # the later change's stamp, no conflict


def test_a_recorded_conflict_resolved_on_one_side_stays_resolved() -> None:
    ours = edited([("1", "营里镇", "status", "done")])
    theirs = edited([("1", "营里镇", "status", "blocked")])
    with_conflict = merge_texts(BASE, ours, theirs, PATH).text
    resolved = parsed(with_conflict)
    resolved_text = with_conflict.split("[[conflicts]]")[0]
    assert "conflicts" in resolved and "conflicts" not in parsed(resolved_text)
    other = merge_texts(BASE, ours, edited([("1", "化龙镇", "note", "另一站")]), PATH).text
    # other site merged something unrelated on top of ours; now merge the resolution with it
    result = merge_texts(ours, resolved_text, other, PATH)
    assert "conflicts" not in parsed(result.text)
    assert [n["text"] for n in unit_of(result.text, "1", "化龙镇")["notes"]] == ["另一站"]


def test_table_deleted_on_one_side_and_changed_on_the_other_is_kept() -> None:
    task = load_task(BASE)
    del task.requirement("1").assignments["市发改局"]  # type: ignore[union-attr]
    ours = dump_task(task)
    theirs = edited([("1", "市发改局", "status", "done")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert unit_of(result.text, "1", "市发改局")["status"] == "done"
    assert [c.path for c in result.conflicts] == [("requirements", "1", "units", "市发改局")]
    assert "ours" not in parsed(result.text)["conflicts"][0]


def test_broken_input_raises() -> None:
    with pytest.raises(MergeError, match="tasks/05.toml"):
        merge_texts(BASE, "number = [", edited([("1", "营里镇", "status", "done")]), PATH)


def test_untouched_bytes_of_ours_stay() -> None:
    ours = edited([("1", "营里镇", "status", "done")]).replace("number = 5", "number = 5 # 手写注释")
    theirs = edited([("2", "化龙镇", "status", "blocked")])
    result = merge_texts(BASE, ours, theirs, PATH)
    assert "number = 5 # 手写注释" in result.text


def test_units_file_merges_and_validates() -> None:
    base = '[units."甲"]\nkind = "镇"\naliases = []\n\n[groups."各镇"]\naliases = []\nmembers = ["甲"]\n'
    ours = base.replace('aliases = []\n\n[groups', 'aliases = ["甲镇"]\n\n[groups')
    theirs = base + '\n[units."乙"]\nkind = "镇"\naliases = []\n'
    result = merge_texts(base, ours, theirs, "tasks/units.toml")
    registry = load_registry(result.text)
    assert registry.units["甲"].aliases == ["甲镇"] and "乙" in registry.units


def test_units_file_merge_that_would_not_validate_raises() -> None:
    base = '[units."甲"]\nkind = "镇"\naliases = []\n\n[groups."各镇"]\naliases = []\nmembers = []\n'
    ours = base.replace('[units."甲"]\nkind = "镇"\naliases = []\n\n', "")
    theirs = base.replace("members = []", 'members = ["甲"]')
    with pytest.raises(MergeError, match="校验"):
        merge_texts(base, ours, theirs, "tasks/units.toml")


# ---------------------------------------------------------------- properties

SLOTS = [(key, unit) for key in ("1", "2") for unit in UNITS]
STATUSES = [s.value for s in Status]
edit_st = st.one_of(
    st.tuples(st.sampled_from(SLOTS), st.just("status"), st.sampled_from(STATUSES)),
    st.tuples(st.sampled_from(SLOTS), st.just("note"), st.text(min_size=1, max_size=12)),
    st.tuples(st.sampled_from(SLOTS), st.just("evidence"), st.text(min_size=1, max_size=12)),
    st.tuples(st.just(("1", UNITS[0])), st.just("title"), st.text(max_size=12)),
).map(lambda e: (e[0][0], e[0][1], e[1], e[2]))
edits_st = st.lists(edit_st, max_size=6)


def scalar_fields(edits: list[tuple[str, str, str, str]]) -> set[tuple[str, str, str]]:
    return {(k, u, f) if f != "title" else ("", "", "title") for k, u, f, _ in edits if f in ("status", "title")}


PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(edits_st)
def test_merge_with_an_unchanged_side_gives_the_other(edits: list[tuple[str, str, str, str]]) -> None:
    x = edited(edits)
    assert parsed(merge_texts(BASE, BASE, x, PATH).text) == parsed(x)
    assert parsed(merge_texts(BASE, x, BASE, PATH).text) == parsed(x)


@PROPS
@given(edits_st, edits_st)
def test_non_conflicting_merges_are_symmetric(a: list[tuple[str, str, str, str]], b: list[tuple[str, str, str, str]]) -> None:
    # the same scalar field edited on both sides may conflict: leave those out of b
    taken = scalar_fields(a)
    b = [e for e in b if (scalar_fields([e]) & taken) == set()]
    x, y = edited(a), edited(b)
    xy, yx = merge_texts(BASE, x, y, PATH), merge_texts(BASE, y, x, PATH)
    assert xy.clean and yx.clean
    assert parsed(xy.text) == parsed(yx.text)
    load_task(xy.text, PATH)
    for k, u, f, v in a + b:
        unit = parsed(xy.text)["requirements"][k]["units"][u]
        if f == "note":
            # a note is kept as written, or with its line breaks folded to LF by a multi-line string
            texts = [n["text"] for n in unit["notes"]]
            assert v in texts or v.replace("\r\n", "\n").replace("\r", "\n") in texts
        elif f == "evidence":
            assert v in unit["evidence"]


@PROPS
@given(edits_st, edits_st)
def test_any_merge_parses_validates_and_is_explained(a: list[tuple[str, str, str, str]], b: list[tuple[str, str, str, str]]) -> None:
    x, y = edited(a), edited(b)
    result = merge_texts(BASE, x, y, PATH)
    task = load_task(result.text, PATH)
    assert len(task.conflicts) == len(result.conflicts)
    for c in result.conflicts:
        assert c.ours != c.theirs
    assert merge_explains(BASE.encode(), x.encode(), y.encode(), result.text.encode(), PATH)


def test_merge_explains_rejects_an_own_decision() -> None:
    x = edited([("1", "营里镇", "status", "done")])
    y = edited([("1", "化龙镇", "status", "done")])
    sneaky = edited([("1", "营里镇", "status", "done"), ("1", "化龙镇", "status", "done"), ("2", "市发改局", "status", "done")])
    assert not merge_explains(BASE.encode(), x.encode(), y.encode(), sneaky.encode(), PATH)
    honest = merge_texts(BASE, x, y, PATH).text
    assert merge_explains(BASE.encode(), x.encode(), y.encode(), honest.encode(), PATH)


def test_operators_file_merges_two_new_operators_and_validates() -> None:
    base = '[operators.office]\nname = "办公室"\nunits = []\nrole = "admin"\n'
    ours = base + '\n[operators.u1]\nname = "甲"\nunits = ["营里镇"]\nrole = "operator"\n'
    theirs = base + '\n[operators.u2]\nname = "乙"\nunits = ["化龙镇"]\nrole = "operator"\n'
    result = merge_texts(base, ours, theirs, "tasks/operators.toml")
    assert result.clean and set(parsed(result.text)["operators"]) == {"office", "u1", "u2"}
    bad = base.replace('role = "admin"', 'role = "boss"')
    with pytest.raises(MergeError, match="boss"):
        merge_texts(base, bad, theirs, "tasks/operators.toml")


def _stamped_status(base: str, status: str, by: str, at: datetime) -> str:
    task = load_task(base)
    a = task.requirement("1").assignments["营里镇"]  # type: ignore[union-attr]
    a.status, a.updated, a.updated_by = Status(status), at, by
    return dump_task(task)


STAMPED_BASE = _stamped_status(BASE, "in_progress", "wangwu", AT - timedelta(days=1))


@pytest.mark.parametrize("base", [BASE, STAMPED_BASE], ids=["unstamped-base", "stamped-base"])
@pytest.mark.parametrize(
    ("ours_stamp", "theirs_stamp"),
    [
        (("zhang", AT), ("li", AT)),  # one clock for both sites (tests, a fixed date)
        (("zhang", AT), ("li", AT + timedelta(minutes=5))),  # real clocks
        (("zhang", AT + timedelta(minutes=5)), ("li", AT)),
        (("zhang", AT), ("zhang", AT + timedelta(hours=1))),  # one person on two sites
        (("zhang", AT - timedelta(days=1)), ("li", AT)),  # our clock gives the base's time back
    ],
)
def test_both_sides_changing_one_status_is_exactly_one_conflict(
    base: str, ours_stamp: tuple[str, datetime], theirs_stamp: tuple[str, datetime]
) -> None:
    ours = _stamped_status(base, "done", *ours_stamp)
    theirs = _stamped_status(base, "blocked", *theirs_stamp)
    result = merge_texts(base, ours, theirs, PATH)
    assert [c.path for c in result.conflicts] == [("requirements", "1", "units", "营里镇", "status")]
    assert [entry["path"][-1] for entry in parsed(result.text)["conflicts"]] == ["status"]
    # the stamp follows the later change (a tie on time: the greater name), from one side as a pair
    later = max([ours_stamp, theirs_stamp], key=lambda s: (s[1], s[0]))
    stamp = unit_of(result.text, "1", "营里镇")
    assert (stamp["updated_by"], stamp["updated"]) == later
    assert merge_explains(base.encode(), ours.encode(), theirs.encode(), result.text.encode(), PATH)
    swapped = merge_texts(base, theirs, ours, PATH)
    assert unit_of(swapped.text, "1", "营里镇")["updated_by"] == later[0]
    assert [c.path for c in swapped.conflicts] == [c.path for c in result.conflicts]


def test_a_stamp_changed_on_one_side_only_is_that_sides() -> None:
    ours = _stamped_status(STAMPED_BASE, "done", "zhang", AT)
    theirs = edited([("2", "化龙镇", "status", "blocked")])
    theirs = _stamped_status(theirs, "in_progress", "wangwu", AT - timedelta(days=1))  # base's own stamp
    result = merge_texts(STAMPED_BASE, ours, theirs, PATH)
    assert result.clean
    stamp = unit_of(result.text, "1", "营里镇")
    assert (stamp["status"], stamp["updated_by"], stamp["updated"]) == ("done", "zhang", AT)


def test_merge_explains_refuses_a_stamp_taken_from_the_earlier_side() -> None:
    ours = _stamped_status(STAMPED_BASE, "done", "zhang", AT)
    theirs = _stamped_status(STAMPED_BASE, "blocked", "li", AT + timedelta(minutes=5))
    result = merge_texts(STAMPED_BASE, ours, theirs, PATH)
    forged = result.text.replace('updated_by = "li"', 'updated_by = "zhang"')
    assert forged != result.text
    assert not merge_explains(STAMPED_BASE.encode(), ours.encode(), theirs.encode(), forged.encode(), PATH)
