"""Statuses, derived status and overdue."""

from datetime import date

import pytest

from tracker.model import Status, combine_statuses, is_overdue, parse_task_number


@pytest.mark.parametrize(
    ("text", "status"),
    [("done", Status.DONE), ("已完成", Status.DONE), ("推进中", Status.IN_PROGRESS), (" Not started ", Status.NOT_STARTED),
     ("不适用", Status.NOT_APPLICABLE), ("受阻", Status.BLOCKED), ("in-progress", Status.IN_PROGRESS)],
)
def test_status_accepts_keys_and_chinese_labels(text: str, status: Status) -> None:
    assert Status.parse(text) is status


def test_unknown_status_names_the_text_and_the_choices() -> None:
    with pytest.raises(ValueError, match="完成了.*已完成"):
        Status.parse("完成了")


@pytest.mark.parametrize(
    ("statuses", "combined"),
    [
        ([], Status.NOT_STARTED),
        ([Status.DONE, Status.NOT_APPLICABLE], Status.DONE),
        ([Status.NOT_APPLICABLE], Status.NOT_APPLICABLE),
        ([Status.DONE, Status.NOT_STARTED], Status.IN_PROGRESS),
        ([Status.BLOCKED, Status.DONE], Status.BLOCKED),
        ([Status.NOT_STARTED, Status.NOT_STARTED], Status.NOT_STARTED),
    ],
)
def test_combined_status(statuses: list[Status], combined: Status) -> None:
    assert combine_statuses(statuses) is combined


def test_overdue_needs_a_passed_due_date_and_open_work() -> None:
    due = [date(2019, 6, 30), date(2019, 12, 31)]
    assert is_overdue(due, Status.IN_PROGRESS, date(2019, 7, 1))
    assert not is_overdue(due, Status.IN_PROGRESS, date(2019, 6, 30))
    assert not is_overdue(due, Status.DONE, date(2020, 1, 1))
    assert not is_overdue([], Status.NOT_STARTED, date(2030, 1, 1))


@pytest.mark.parametrize("bad", ["../5", "5/", "0", "-1", "5\x00", "", "1e3", "05.toml"])
def test_task_numbers_that_could_be_paths_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_task_number(bad)
