"""The report model: counts, overdue and due-soon lists, reminders and changes, worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reports.conftest import AS_OF, REMINDERS, SECTION_1, SECTION_2, URL, make_loaded
from tracker.model import Role, Status
from tracker.query import parse
from tracker.reports import build_report
from tracker.reports.model import query_matcher


def test_summary_counts_every_assignment_once() -> None:
    s = build_report(make_loaded(), as_of=AS_OF).summary
    assert (s.total, s.done, s.in_progress, s.not_started, s.blocked, s.not_applicable) == (8, 2, 2, 2, 1, 1)
    assert (s.overdue, s.due_soon) == (3, 2)
    assert s.applicable == 7 and s.done_percent == 28  # 2 of 7, rounded down


def test_by_unit_follows_the_registry_order_and_adds_up() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    assert [r.unit for r in report.by_unit] == ["市发改局", "市财政局", "营里镇", "化龙镇"]
    by_unit = {r.unit: r.counts for r in report.by_unit}
    assert (by_unit["市发改局"].total, by_unit["市发改局"].overdue, by_unit["市发改局"].due_soon) == (2, 1, 1)
    assert (by_unit["营里镇"].done, by_unit["营里镇"].not_applicable, by_unit["营里镇"].overdue) == (1, 1, 0)
    assert [r.kind for r in report.by_unit] == ["市直部门", "市直部门", "镇", "镇"]
    assert sum(c.total for c in by_unit.values()) == report.summary.total


def test_by_section_and_by_task() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    assert [(r.section, r.counts.total, r.counts.overdue) for r in report.by_section] == [
        (SECTION_1, 5, 3), (SECTION_2, 3, 0)
    ]
    assert [(r.number, r.status, r.counts.total) for r in report.by_task] == [
        (1, Status.IN_PROGRESS, 3), (2, Status.BLOCKED, 2), (3, Status.IN_PROGRESS, 3)
    ]


def test_overdue_list_has_days_late_leads_and_last_note_longest_first() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    rows = [(o.requirement, o.unit, o.days_late, o.missed, o.leads, o.last_note) for o in report.overdue]
    assert rows == [
        ("1.1", "市发改局", 64, date(2019, 6, 30), ["市发改局"], "已起草公开目录"),
        ("1.1", "化龙镇", 64, date(2019, 6, 30), ["市发改局"], ""),
        ("2.1", "市财政局", 64, date(2019, 6, 30), ["市财政局"], "等待省厅口径"),
    ]
    assert report.overdue[0].last_note_at == date(2019, 8, 1)


def test_nothing_is_overdue_on_its_due_day() -> None:
    report = build_report(make_loaded(), as_of=date(2019, 6, 30))
    assert report.overdue == []
    assert report.summary.overdue == 0


def test_due_soon_includes_the_horizon_day() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    assert [(d.requirement, d.unit, d.days_left) for d in report.due_soon] == [("3.1", "市发改局", 18), ("3.1", "化龙镇", 18)]
    wide = build_report(make_loaded(), as_of=AS_OF, due_within=120)
    assert ("2.1", "市财政局", 120, True) in [(d.requirement, d.unit, d.days_left, d.overdue) for d in wide.due_soon]
    narrow = build_report(make_loaded(), as_of=AS_OF, due_within=119)
    assert "2.1" not in [d.requirement for d in narrow.due_soon]


def test_negative_horizon_is_refused() -> None:
    with pytest.raises(ValueError, match="due-within"):
        build_report(make_loaded(), as_of=AS_OF, due_within=-1)


def test_reminders_count_per_unit_and_item_up_to_the_as_of_date() -> None:
    report = build_report(make_loaded(), as_of=AS_OF, reminders=REMINDERS)
    first = report.overdue[0]
    assert (first.unit, first.reminders, first.last_reminded) == ("市发改局", 2, date(2019, 8, 20))
    assert [(r.unit, r.count, r.items, r.last) for r in report.reminders] == [
        ("市发改局", 2, {"1.1": 2, "3.1": 1}, date(2019, 8, 20))
    ]
    assert report.summary.reminders == 3
    later = build_report(make_loaded(), as_of=date(2019, 10, 1), reminders=REMINDERS)
    assert {r.unit: r.count for r in later.reminders} == {"市发改局": 2, "化龙镇": 1}


def test_query_selects_assignments_and_everything_follows() -> None:
    loaded = make_loaded()
    query = parse("unit:化龙镇", loaded.registry)
    report = build_report(loaded, as_of=AS_OF, matcher=query_matcher(query, loaded, AS_OF), query="unit:化龙镇",
                          reminders=REMINDERS)
    assert report.summary.total == 2
    assert [r.unit for r in report.by_unit] == ["化龙镇"]
    assert [(t.number, [r.id for r in t.requirements]) for t in report.tasks] == [(1, ["1.1"]), (3, ["3.1"])]
    assert report.reminders == []  # the only reminder to 化龙镇 is after the as-of date
    assert query_matcher(parse(""), loaded, AS_OF) is None


def test_task_details_carry_text_notes_and_evidence() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    req = report.tasks[0].requirements[0]
    assert req.text.startswith("加大重大工程") and req.deadline == "6月底前"
    towns = {a.unit: a for a in req.assignments}
    assert towns["营里镇"].evidence == [URL] and towns["营里镇"].note == "已公开"
    assert towns["化龙镇"].overdue and not towns["营里镇"].overdue


CST = timezone(timedelta(hours=8))


def _event(day: int, unit: str, req: str, field: str, old: str, new: str, commit: str = "c1") -> dict[str, object]:
    task, _, key = req.partition(".")
    return {"commit": commit, "at": datetime(2019, 8, day, 9, 0, tzinfo=CST).isoformat(), "login": "op",
            "task": int(task), "requirement": key, "unit": unit, "field": field, "old": old, "new": new}


def test_changes_in_the_period_only_about_selected_assignments() -> None:
    events = [
        _event(5, "市发改局", "1.1", "status", "not_started", "in_progress"),
        _event(20, "化龙镇", "3.1", "note", "", "正在整理", commit="c2"),
        _event(1, "市发改局", "1.1", "note", "", "太早", commit="c0"),  # before since
        _event(21, "市发改局", "1.1", "reminder", "", "1.1", commit="c3"),  # reminders are counted elsewhere
        {"commit": "c4", "at": "2019-08-22T09:00:00+08:00", "login": "admin", "task": None, "requirement": "",
         "unit": "", "field": "plan.title", "old": "a", "new": "b"},  # plan-wide edit
    ]
    report = build_report(make_loaded(), as_of=AS_OF, since=date(2019, 8, 2), events=events)
    assert report.has_changes
    assert [(c.requirement, c.unit, c.field, c.old, c.new) for c in report.changes] == [
        ("1.1", "市发改局", "status", "未启动", "推进中"),
        ("3.1", "化龙镇", "note", "", "正在整理"),
    ]
    loaded = make_loaded()
    only = build_report(loaded, as_of=AS_OF, since=date(2019, 8, 2), events=events,
                        matcher=query_matcher(parse("unit:化龙镇", loaded.registry), loaded, AS_OF))
    assert [c.unit for c in only.changes] == ["化龙镇"]
    assert not build_report(make_loaded(), as_of=AS_OF, events=events).has_changes


def test_user_text_loses_control_characters() -> None:
    loaded = make_loaded()
    a = loaded.plan.tasks[1].requirements[0].assignments["化龙镇"]
    a.notes.append(replace(loaded.plan.tasks[1].requirements[0].assignments["市发改局"].notes[0], text="正常\x1b[31m红\x07"))
    report = build_report(loaded, as_of=AS_OF)
    assert report.overdue[1].last_note == "正常[31m红"


@settings(max_examples=40, deadline=None)
@given(
    statuses=st.lists(st.sampled_from(list(Status)), min_size=8, max_size=8),
    offset=st.integers(min_value=-200, max_value=300),
    within=st.integers(min_value=0, max_value=400),
)
def test_totals_agree_whatever_the_statuses_and_dates(statuses: list[Status], offset: int, within: int) -> None:
    loaded = make_loaded()
    for (_, _, a), status in zip(loaded.plan.assignments(), statuses, strict=True):
        a.status = status
    as_of = AS_OF + timedelta(days=offset)
    report = build_report(loaded, as_of=as_of, due_within=within)
    s = report.summary
    assert s.total == 8 == s.done + s.in_progress + s.not_started + s.blocked + s.not_applicable
    for slices in (report.by_unit, report.by_section, report.by_task):
        assert sum(r.counts.total for r in slices) == s.total
        assert sum(r.counts.overdue for r in slices) == s.overdue
        assert sum(r.counts.due_soon for r in slices) == s.due_soon
    assert len(report.overdue) == s.overdue and len(report.due_soon) == s.due_soon
    assert all(o.days_late > 0 and o.status not in (Status.DONE, Status.NOT_APPLICABLE) for o in report.overdue)
    assert all(0 <= d.days_left <= within for d in report.due_soon)
    assert [o.days_late for o in report.overdue] == sorted((o.days_late for o in report.overdue), reverse=True)
    assert all(o.leads for o in report.overdue)  # every requirement of the plan has a lead
    assert report.overdue == build_report(loaded, as_of=as_of, due_within=within).overdue


def test_roles_are_kept() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    assert [o.role for o in report.overdue] == [Role.LEAD, Role.IMPLEMENTER, Role.LEAD]
