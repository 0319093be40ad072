"""时限要求 text -> due dates (DESIGN.md "Deadlines") and the notice's garbled date line."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.deadlines import (
    Deadline,
    DeadlineKind,
    add_months,
    chinese_number,
    looks_like_deadline,
    parse_issue_date,
    resolve_deadline,
)

ISSUED = date(2019, 7, 9)


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("全年", (date(2019, 12, 31),)),
        ("年底前", (date(2019, 12, 31),)),
        ("6月底前", (date(2019, 6, 30),)),
        ("2月底前", (date(2019, 2, 28),)),
        ("8月底前", (date(2019, 8, 31),)),
        ("六月底前", (date(2019, 6, 30),)),
        ("9月15日前", (date(2019, 9, 15),)),
        ("十二月二十一日前", (date(2019, 12, 21),)),
        ("上半年", (date(2019, 6, 30),)),
        ("三季度", (date(2019, 9, 30),)),
        ("2020年6月底前", (date(2020, 6, 30),)),
        ("2019年年底前", (date(2019, 12, 31),)),
        ("6月底前/全年", (date(2019, 6, 30), date(2019, 12, 31))),
        ("6月底前/全年", (date(2019, 6, 30), date(2019, 12, 31))),
        ("本任务分工印发1个月内", (date(2019, 8, 9),)),
        ("印发后10日内", (date(2019, 7, 19),)),
        ("6月底前/持续推进", (date(2019, 6, 30),)),
    ],
)
def test_dated_deadlines(text: str, dates: tuple[date, ...]) -> None:
    result = resolve_deadline(text, 2019, ISSUED)
    assert result == Deadline(text, DeadlineKind.DATED, dates)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("", DeadlineKind.UNSPECIFIED), ("   ", DeadlineKind.UNSPECIFIED), ("持续推进", DeadlineKind.ONGOING),
     ("长期坚持", DeadlineKind.ONGOING), ("尽快", DeadlineKind.UNRESOLVED), ("13月底前", DeadlineKind.UNRESOLVED),
     ("2月30日前", DeadlineKind.UNRESOLVED), ("五季度", DeadlineKind.UNRESOLVED)],
)
def test_undated_deadlines_are_never_invented(text: str, kind: DeadlineKind) -> None:
    result = resolve_deadline(text, 2019, ISSUED)
    assert result.kind is kind
    assert result.dates == ()


def test_relative_deadline_without_issue_date_is_unresolved_and_says_why() -> None:
    result = resolve_deadline("本任务分工印发1个月内", 2019, None)
    assert result.kind is DeadlineKind.UNRESOLVED
    assert result.dates == ()
    assert "印发日期不详" in result.reason
    assert "印发日期不详" in result.label


def test_labels() -> None:
    assert resolve_deadline("6月底前/全年", 2019, None).label == "2019-06-30、2019-12-31"
    assert resolve_deadline("", 2019, None).label == "未规定时限"
    assert resolve_deadline("持续推进", 2019, None).label == "持续推进"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2019, 7, 9), 1) == date(2019, 8, 9)
    assert add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)
    assert add_months(date(2019, 12, 15), 2) == date(2020, 2, 15)


@pytest.mark.parametrize(("text", "value"), [("6", 6), ("十", 10), ("十二", 12), ("二十一", 21), ("三十", 30), ("七", 7)])
def test_chinese_numbers(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("20197 9", date(2019, 7, 9)),
        ("2019年7月9日", date(2019, 7, 9)),
        ("2019-07-09", date(2019, 7, 9)),
        ("20197 9", date(2019, 7, 9)),
        ("2019 7 9", date(2019, 7, 9)),
        ("201979", date(2019, 7, 9)),
        ("2019111", None),  # 1-11 or 11-1: ambiguous, not guessed
        ("201913 40", None),
        ("寿光市人民政府办公室", None),
        ("2019", None),
        ("", None),
    ],
)
def test_issue_date_line(line: str, expected: date | None) -> None:
    assert parse_issue_date(line) == expected


@pytest.mark.parametrize(("text", "expected"), [("全年", True), ("6月底前/全年", True), ("持续推进", True),
                                                  ("本任务分工印发1个月内", True), ("市发改局牵头落实", False),
                                                  ("加强政务公开。", False), ("", False)])
def test_looks_like_deadline(text: str, expected: bool) -> None:
    assert looks_like_deadline(text) is expected


@given(st.text(max_size=30), st.integers(1990, 2100), st.one_of(st.none(), st.dates()))
def test_any_text_resolves_without_error(text: str, year: int, issued: date | None) -> None:
    result = resolve_deadline(text, year, issued)
    assert result.kind in DeadlineKind
    assert list(result.dates) == sorted(set(result.dates))
    assert (result.kind is DeadlineKind.DATED) == bool(result.dates)


# Phrases of other offices' real notices (issue 11, item 3).
@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("年底前", (date(2023, 12, 31),)),
        ("2023年6月底前", (date(2023, 6, 30),)),
        ("2023年6月底前完成", (date(2023, 6, 30),)),
        ("2022年6月底前", (date(2022, 6, 30),)),
        ("上半年", (date(2023, 6, 30),)),
        ("下半年", (date(2023, 12, 31),)),
        ("第三季度", (date(2023, 9, 30),)),
        ("每季度", (date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31))),
        ("每半年", (date(2023, 6, 30), date(2023, 12, 31))),
        ("本任务分工印发1个月内", (date(2023, 4, 2),)),
        ("年底前完成", (date(2023, 12, 31),)),
        ("6月底前,年底前", (date(2023, 6, 30), date(2023, 12, 31))),
        ("10月中旬", (date(2023, 10, 20),)),
        ("3月上旬前", (date(2023, 3, 10),)),
    ],
)
def test_phrases_of_other_offices(text: str, dates: tuple[date, ...]) -> None:
    result = resolve_deadline(text, 2023, date(2023, 3, 2))
    assert result.kind is DeadlineKind.DATED
    assert result.dates == dates
    assert looks_like_deadline(text)


def test_every_month_is_twelve_month_ends() -> None:
    result = resolve_deadline("每月", 2024, None)
    assert len(result.dates) == 12
    assert result.dates[1] == date(2024, 2, 29) and result.dates[-1] == date(2024, 12, 31)


@pytest.mark.parametrize("text", ["持续推进", "长期坚持", "常态化推进", "及时"])
def test_ongoing_phrases_of_other_offices(text: str) -> None:
    result = resolve_deadline(text, 2023, None)
    assert result.kind is DeadlineKind.ONGOING and result.dates == ()
