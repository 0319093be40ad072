"""Field-level events from two versions of a file (no git)."""

from __future__ import annotations

import copy
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from tests.audit.helpers import AT, NDRC, OFFICE, edited, sample_task, text
from tracker.git.log import CommitInfo
from tracker.history import (
    Event,
    HistoryFilter,
    apply_filter,
    commit_events,
    file_events,
    files_events,
    merge_resolution_changes,
)
from tracker.messages import parse_trailers
from tracker.model import Status

PATH = "tasks/05.toml"


def fields(events):
    return [(e.task, e.requirement, e.unit, e.field, e.old, e.new) for e in events]


def test_status_change_is_one_event_with_old_and_new() -> None:
    before = sample_task()
    after = edited(before, "1", NDRC, status=Status.IN_PROGRESS)
    assert fields(file_events(PATH, text(before), text(after))) == [
        (5, "1", NDRC, "status", "not_started", "in_progress")
    ]


def test_note_and_evidence_are_added_items_and_bookkeeping_is_hidden() -> None:
    before = sample_task()
    after = edited(before, "2", NDRC, note="已报送\n第二行", evidence="http://example.gov.cn/a")
    assert fields(file_events(PATH, text(before), text(after))) == [
        (5, "2", NDRC, "evidence", "", "http://example.gov.cn/a"),
        (5, "2", NDRC, "note", "", "已报送\n第二行"),
    ]


def test_plan_text_changes_name_the_field() -> None:
    before = sample_task()
    after = copy.deepcopy(before)
    after.title = "新标题"
    after.requirements[0].deadline = "9月底前"
    after.requirements[1].assignments.pop(NDRC)
    got = fields(file_events(PATH, text(before), text(after)))
    assert got == [
        (5, "", "", "title", "优化涉企服务", "新标题"),
        (5, "1", "", "deadline", "全年", "9月底前"),
        (5, "2", NDRC, "units", "implementer", ""),
    ]


def test_added_and_removed_task_files() -> None:
    task = sample_task(7)
    assert fields(file_events("tasks/07.toml", None, text(task))) == [(7, "", "", "task", "", "优化涉企服务")]
    assert fields(file_events("tasks/07.toml", text(task), None)) == [(7, "", "", "task", "优化涉企服务", "")]


def test_broken_file_is_an_event_not_an_exception() -> None:
    [event] = file_events(PATH, text(sample_task()), b"number = [")
    assert event.field == "file" and "无法解析" in event.new


def test_operators_file_changes_are_dotted_fields() -> None:
    old = b'[operators.zhangsan]\nname = "x"\nunits = ["a"]\nrole = "operator"\n'
    new = b'[operators.zhangsan]\nname = "x"\nunits = ["a"]\nrole = "admin"\n'
    [event] = file_events("tasks/operators.toml", old, new)
    assert (event.field, event.old, event.new) == ("operators.zhangsan.role", "operator", "admin")


def test_reminder_record_is_a_reminder_event() -> None:
    old = b'[[reminders]]\nat = 2019-09-01\nby = "admin"\nunit = "a"\nitems = ["1.1"]\n'
    new = (
        old
        + b'\n[[reminders]]\nat = 2019-09-02\nby = "admin"\nunit = "\xe5\xb8\x82\xe5\x8f\x91\xe6\x94\xb9\xe5\xb1\x80"\nitems = ["5.1"]\n'
    )
    [event] = file_events("tasks/reminders.toml", old, new)
    assert (event.field, event.unit, event.task, event.requirement, event.new) == (
        "reminder",
        NDRC,
        5,
        "1",
        "5.1",
    )


def meta(message: str, email: str = "zhangsan@zwgk.local") -> CommitInfo:
    return CommitInfo("a" * 40, ("b" * 40,), "张三", email, AT, message)


def test_commit_events_take_who_from_author_and_on_behalf_from_trailer() -> None:
    before = sample_task()
    after = edited(before, "1", OFFICE, status=Status.DONE, by="admin")
    changes = files_events({PATH: text(before)}, {PATH: text(after)})
    [event] = commit_events(
        meta("s\n\nTask: 5\nOn-behalf-of: 市政府办公室\n", "admin@zwgk.local"), changes, {"admin": "管理员"}
    )
    assert (event.login, event.name, event.on_behalf_of, event.field) == ("admin", "管理员", OFFICE, "status")
    row = event.to_json()
    assert list(row) == [
        "commit",
        "at",
        "login",
        "name",
        "on_behalf_of",
        "task",
        "requirement",
        "unit",
        "field",
        "old",
        "new",
        "subject",
    ]
    assert row["at"] == "2019-08-01T10:00:00+08:00"


def test_reminder_trailer_without_file_change_still_shows() -> None:
    [event] = commit_events(meta("催办\n\nReminder: 市发改局\nTask: 5.1\n", "admin@zwgk.local"), [])
    assert (event.field, event.unit, event.task, event.requirement) == ("reminder", NDRC, 5, "1")


def test_trailers_only_in_the_final_all_trailer_paragraph() -> None:
    assert parse_trailers("subj\n\nbody\n\nTask: 5\nUnit: 市发改局\n") == {"task": ["5"], "unit": [NDRC]}
    # A note quoted into the body cannot add a trailer: the last paragraph has a non-trailer line.
    assert parse_trailers("subj\n\nTask: 5\nUnit: 市政府办公室\n> hi\n") == {}
    assert parse_trailers("Unit: x\n") == {}


@given(st.text())
def test_text_after_a_quoted_body_never_yields_trailers(note: str) -> None:
    quoted = "\n".join("> " + line for line in note.split("\n"))
    assert parse_trailers(f"任务5.1 市发改局: 进展\n\n{quoted}\n") == {}
    message = f"任务5.1 市发改局: 进展\n\n{quoted}\n\nTask: 5\nUnit: 市发改局\nOperator: zhangsan\n"
    assert parse_trailers(message) == {"task": ["5"], "unit": [NDRC], "operator": ["zhangsan"]}


def test_merge_shows_only_what_it_resolved() -> None:
    base = sample_task()
    ours = edited(base, "1", NDRC, status=Status.IN_PROGRESS)
    theirs = edited(base, "2", NDRC, note="他方")
    merged = edited(ours, "2", NDRC, note="他方")
    assert (
        merge_resolution_changes(
            {PATH: text(ours)}, [{PATH: text(ours)}, {PATH: text(theirs)}], {PATH: text(merged)}
        )
        == []
    )
    resolved = edited(merged, "1", OFFICE, status=Status.BLOCKED, by="admin")
    got = merge_resolution_changes(
        {PATH: text(ours)}, [{PATH: text(ours)}, {PATH: text(theirs)}], {PATH: text(resolved)}
    )
    assert fields(got) == [(5, "1", OFFICE, "status", "not_started", "blocked")]


def event(at: str, unit: str = NDRC, login: str = "zhangsan") -> Event:
    return Event("c", datetime.fromisoformat(at), login, "", "", 5, "1", unit, "status", "a", "b", "s")


def test_filter_by_unit_operator_period_and_limit_newest_first() -> None:
    rows = [
        event("2019-08-01T10:00:00+08:00"),
        event("2019-08-03T10:00:00+08:00", OFFICE, "lisi"),
        event("2019-08-05T10:00:00+08:00"),
    ]
    assert [e.at.day for e in apply_filter(rows, HistoryFilter())] == [5, 3, 1]
    assert [e.at.day for e in apply_filter(rows, HistoryFilter(unit=OFFICE))] == [3]
    assert [e.at.day for e in apply_filter(rows, HistoryFilter(operator="zhangsan"))] == [5, 1]
    since = datetime.fromisoformat("2019-08-02T00:00:00+08:00")
    until = datetime.fromisoformat("2019-08-04T00:00:00+08:00")
    assert [e.at.day for e in apply_filter(rows, HistoryFilter(since=since, until=until))] == [3]
    assert [e.at.day for e in apply_filter(rows, HistoryFilter(limit=2))] == [5, 3]
