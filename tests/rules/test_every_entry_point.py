"""Each invalid value is refused the same way by every entry point: the service, ``tracker set``
(one requirement and ``--query``), and a spreadsheet through ``tracker apply`` (the TUI form's test
lives with the TUI). Nothing is committed."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from tests.conftest import login_for_unit
from tracker.rules import NOTE_MAX_CHARS, InvalidChange, validate_change
from tracker.service import Change, Service
from tracker.spreadsheet import CSV_HEADERS
from tracker.store import Store

UNIT = "营里镇"
SHEET_COLUMN = {"status": "状态", "note": "进展情况", "evidence": "佐证材料"}

INVALID = [
    ("status", "finished"),
    ("note", "长" * (NOTE_MAX_CHARS + 1)),
    ("evidence", "javascript:alert(document.cookie)"),
    ("evidence", "java\x00script:alert(1)"),  # a control character hiding the scheme
    ("evidence", "file:///etc/passwd"),
    ("evidence", "已在门户网站公开"),  # neither a URL nor a 文号
    ("evidence", "https://"),
]


def refusal(field: str, value: str) -> str:
    with pytest.raises(InvalidChange) as caught:
        validate_change(field, value)
    return str(caught.value)


def commits(store: Store) -> int:
    out = subprocess.run(["git", "-C", str(store.path), "rev-list", "--count", "plan/2019"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def first_requirement(store: Store) -> tuple[int, str]:
    for task, req, a in store.load(2019).plan.assignments():
        if a.unit == UNIT:
            return task.number, req.key
    raise AssertionError(f"no assignment of {UNIT}")


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_service_refuses(store: Store, units: list[str], field: str, value: str) -> None:
    task, key = first_requirement(store)
    op = store.operator(login_for_unit(units, UNIT), 2019)
    before = commits(store)
    with pytest.raises(InvalidChange) as caught:
        Service(store, op, 2019).apply([Change(task, key, UNIT, field, value)])
    assert str(caught.value) == refusal(field, value)
    assert caught.value.field == field
    assert commits(store) == before


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_cli_set_refuses(cli, store: Store, units: list[str], field: str, value: str) -> None:  # noqa: ANN001
    task, key = first_requirement(store)
    before = commits(store)
    login = login_for_unit(units, UNIT)
    single = cli("set", f"{task}.{key}", "--unit", UNIT, f"--{field}", value, login=login)
    bulk = cli("set", "--query", f"unit:{UNIT} task:{task}", f"--{field}", value, "--yes", login=login)
    for result in (single, bulk):
        assert result.exit_code == 1
        assert result.stderr.strip() == refusal(field, value)
    assert commits(store) == before


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_spreadsheet_apply_refuses(cli, store: Store, units: list[str], tmp_path: Path, field: str,  # noqa: ANN001
                                   value: str) -> None:
    login = login_for_unit(units, UNIT)
    path = tmp_path / "sheet.csv"
    assert cli("export", "--format", "csv", "--unit", UNIT, "-o", str(path), login=login).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows[1][list(CSV_HEADERS).index(SHEET_COLUMN[field])] = value
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    before = commits(store)
    result = cli("apply", str(path), "--yes", login=login)
    assert result.exit_code == 1
    assert refusal(field, value) in result.stderr
    assert commits(store) == before


def test_what_the_rules_accept_goes_through_every_entry_point(
    cli, store: Store, units: list[str]  # noqa: ANN001
) -> None:
    task, key = first_requirement(store)
    login = login_for_unit(units, UNIT)
    result = cli("set", f"{task}.{key}", "--unit", UNIT, "--evidence", "寿政办发〔2019〕12号", login=login)
    assert result.exit_code == 0, result.stderr
    a = store.load(2019).plan.tasks[task].requirement(key).assignments[UNIT]  # type: ignore[union-attr]
    assert a.evidence[-1] == "寿政办发〔2019〕12号"
