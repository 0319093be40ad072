"""Reminder messages, the reminder log, and Service.record_reminders (admin only, a commit of its own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reports.conftest import AS_OF, REMINDERS, make_loaded
from tracker.codec import CodecError
from tracker.messages import parse_trailers
from tracker.operators import Operator
from tracker.reminders import (
    REMINDERS_FILE,
    ReminderRecord,
    append_reminders,
    load_reminder_log,
    reminder_subject,
)
from tracker.reports import build_report
from tracker.reports.reminders import build_messages, records_for, render_message, safe_file_name
from tracker.service import InvalidChange, PermissionDenied, Service
from tracker.store import Store
from tracker.textsafe import clean_line


def test_messages_go_to_units_with_something_late_or_due_soon() -> None:
    report = build_report(make_loaded(), as_of=AS_OF, reminders=REMINDERS)
    messages = build_messages(report)
    assert [(m.unit, m.items, [o.requirement for o in m.late]) for m in messages] == [
        ("市发改局", ["1.1", "3.1"], ["1.1"]),
        ("市财政局", ["2.1"], ["2.1"]),
        ("化龙镇", ["1.1", "3.1"], ["1.1"]),
    ]
    assert [m.open_total for m in messages] == [2, 1, 2]
    record = messages[0].record("admin")
    assert record == ReminderRecord(AS_OF, "admin", "市发改局", ("1.1", "3.1"), ("1.1",))


def test_message_text_lists_late_items_first_with_the_last_note() -> None:
    report = build_report(make_loaded(), as_of=AS_OF, reminders=REMINDERS)
    text = render_message(build_messages(report)[0], report)
    assert text.splitlines()[2] == "市发改局:"
    late, due = text.index("一、已逾期事项"), text.index("二、30日内到期事项")
    assert late < text.index("已逾期64天") < due < text.index("剩余18天")
    assert "此前已催办2次" in text and "最近进展:已起草公开目录" in text
    assert text.rstrip().endswith("2019年9月2日")
    markdown = render_message(build_messages(report)[0], report, fmt="markdown")
    assert markdown.startswith("# 关于抓紧落实") and "## 一、已逾期事项" in markdown


def test_a_unit_with_only_due_soon_items_gets_a_first_section_about_them() -> None:
    loaded = make_loaded()
    report = build_report(loaded, as_of=date(2019, 6, 1), due_within=30)
    text = render_message(build_messages(report)[0], report)
    assert "一、30日内到期事项" in text and "已逾期事项" not in text


def test_subject_names_at_most_three_units() -> None:
    records = [ReminderRecord(AS_OF, "a", u, ("1.1",)) for u in ["市发改局", "营里镇", "化龙镇", "市财政局", "营里镇"]]
    assert reminder_subject(records) == "催办 4 个单位: 市发改局、营里镇、化龙镇…"
    assert reminder_subject(records[:1]) == "催办 1 个单位: 市发改局"


def test_log_appends_and_keeps_existing_bytes() -> None:
    first = append_reminders("", REMINDERS[:1])
    second = append_reminders(first, REMINDERS[1:])
    assert second.startswith(first)
    assert load_reminder_log(second) == REMINDERS


def test_broken_log_names_the_file_and_the_entry() -> None:
    with pytest.raises(CodecError, match=f"{REMINDERS_FILE}.*第2条催办记录.*unit"):
        load_reminder_log('[[reminders]]\nat = 2019-09-02\nunit = "a"\nitems = []\n[[reminders]]\nat = 2019-09-02\n')
    with pytest.raises(CodecError, match="at 不是日期"):
        load_reminder_log('[[reminders]]\nat = "yesterday"\nunit = "a"\n')
    with pytest.raises(CodecError, match="TOML"):
        load_reminder_log("[[reminders]\n")


@settings(max_examples=60, deadline=None)
@given(
    unit=st.text(min_size=1, max_size=20).filter(lambda u: clean_line(u) != ""),
    items=st.lists(st.text(max_size=8), max_size=4),
    by=st.text(max_size=10),
)
def test_any_text_survives_the_log_cleaned(unit: str, items: list[str], by: str) -> None:
    record = ReminderRecord(AS_OF, by, unit, tuple(items), tuple(items[:1]))
    (back,) = load_reminder_log(append_reminders("", [record]))
    assert back == ReminderRecord(AS_OF, clean_line(by), clean_line(unit), tuple(map(clean_line, items)),
                                  tuple(map(clean_line, items[:1])))
    assert "\n" not in back.unit and "\x1b" not in back.unit


@given(st.text(max_size=30))
def test_file_names_never_leave_the_folder(unit: str) -> None:
    name = safe_file_name(unit)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name and name not in (".", "..")


def _first_late_unit(store: Store) -> tuple[str, str]:
    report = build_report(store.load(), as_of=AS_OF)
    return report.overdue[0].unit, report.overdue[0].requirement


def test_record_reminders_commits_once_with_trailers(store: Store, admin: Operator) -> None:
    unit, item = _first_late_unit(store)
    before = store.tip(2019)
    result = Service(store, admin).record_reminders([ReminderRecord(AS_OF, "someone-else", unit, (item,), (item,))])
    assert result.commit is not None and store.tip(2019) == result.commit
    assert result.subject == f"催办 1 个单位: {unit}"
    trailers = parse_trailers(result.message)
    assert trailers["reminder"] == [unit] and trailers["operator"] == [admin.login]
    log = load_reminder_log(store.read_files(result.commit, [REMINDERS_FILE])[REMINDERS_FILE].decode())
    assert log == [ReminderRecord(AS_OF, admin.login, unit, (item,), (item,))]  # by = the committing admin
    assert store.repo.rev_parse(f"{result.commit}^") == before


def test_only_the_admin_may_record_reminders(
    store: Store, operator_for: Callable[[str], Operator], auditor: Operator
) -> None:
    unit, item = _first_late_unit(store)
    tip = store.tip(2019)
    for who in (operator_for(unit), auditor):
        with pytest.raises(PermissionDenied, match="只有管理员可以催办"):
            Service(store, who).record_reminders([ReminderRecord(AS_OF, who.login, unit, (item,))])
    assert store.tip(2019) == tip


def test_unknown_units_items_and_empty_lists_are_refused(store: Store, admin: Operator) -> None:
    unit, item = _first_late_unit(store)
    service = Service(store, admin)
    with pytest.raises(InvalidChange, match="没有单位 不存在的局"):
        service.record_reminders([ReminderRecord(AS_OF, "", "不存在的局", (item,))])
    with pytest.raises(InvalidChange, match="没有要求 99.9"):
        service.record_reminders([ReminderRecord(AS_OF, "", unit, ("99.9",))])
    with pytest.raises(InvalidChange, match="没有要记录的催办"):
        service.record_reminders([])


def test_records_for_uses_the_given_login() -> None:
    report = build_report(make_loaded(), as_of=AS_OF)
    assert {r.by for r in records_for(build_messages(report), "admin")} == {"admin"}
