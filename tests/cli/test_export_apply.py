"""The spreadsheet round trip: ``tracker export`` for a unit, fill it in with openpyxl, ``tracker apply``."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import login_for_unit
from tracker.model import Status
from tracker.spreadsheet import EDIT_HEADERS, HEADERS, HIDDEN_HEADERS
from tracker.store import Store

UNIT = "营里镇"
COL = {h: i + 1 for i, h in enumerate(HEADERS)}


def commits(store: Store) -> int:
    out = subprocess.run(["git", "-C", str(store.path), "rev-list", "--count", "plan/2019"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout)


def state(store: Store, unit: str) -> dict[str, tuple[str, list[str], list[str]]]:
    loaded = store.load(2019)
    return {req.id: (a.status.value, [n.text for n in a.notes], list(a.evidence))
            for _, req, a in loaded.plan.assignments() if a.unit == unit}


@pytest.fixture
def login(units: list[str]) -> Callable[[str], str]:
    return lambda unit: login_for_unit(units, unit)


@pytest.fixture
def exported(cli, tmp_path: Path, login: Callable[[str], str]) -> Path:  # noqa: ANN001
    path = tmp_path / "营里镇.xlsx"
    result = cli("export", "--unit", UNIT, "-o", str(path), login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert "已导出" in result.stderr
    return path


def fill_30(path: Path) -> list[tuple[int, str, str]]:
    """20 statuses, 5 notes, 5 evidence items on 30 different rows; returns (row, field, value)."""
    wb = load_workbook(path)
    ws = wb[UNIT]
    filled = []
    for i, row in enumerate(range(2, 32)):
        if i < 20:
            value, header = ("已完成" if i % 2 else "推进中"), "状态"
        elif i < 25:
            value, header = f"第{i}条进展:已在门户网站公开", "进展情况"
        else:
            value, header = f"http://www.shouguang.gov.cn/doc/{i}.html", "佐证材料"
        ws.cell(row=row, column=COL[header], value=value)
        filled.append((row, header, value))
    wb.save(path)
    return filled


def test_export_lays_out_a_protected_printable_sheet(exported: Path, store: Store) -> None:
    wb = load_workbook(exported)
    assert wb.sheetnames == [UNIT]
    ws = wb[UNIT]
    assert [c.value for c in ws[1]] == list(HEADERS)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(state(store, UNIT)) >= 30
    first = rows[0]
    assert first[COL["单位"] - 1] == UNIT and first[COL["状态"] - 1] == "未启动"
    assert first[COL["键"] - 1].startswith("2019|") and first[COL["键"] - 1].endswith(f"|{UNIT}")
    assert ws.protection.sheet is True
    for header in HEADERS:
        cell = ws.cell(row=2, column=COL[header])
        assert cell.protection.locked is (header not in EDIT_HEADERS), header
        assert cell.alignment.wrap_text
    for header in HIDDEN_HEADERS:
        assert ws.column_dimensions[chr(64 + COL[header])].hidden
    assert ws.column_dimensions["C"].width >= 40
    assert ws.cell(row=2, column=1).font.name == "仿宋"
    validations = ws.data_validations.dataValidation
    assert len(validations) == 1 and "已完成" in validations[0].formula1
    assert str(validations[0].sqref) == f"G2:G{ws.max_row}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$1:$1"


def test_round_trip_30_rows_is_one_commit_with_exactly_those_changes(
        cli, store: Store, exported: Path, login: Callable[[str], str]) -> None:  # noqa: ANN001
    before, count = state(store, UNIT), commits(store)
    keys = [r[COL["键"] - 1] for r in load_workbook(exported)[UNIT].iter_rows(min_row=2, values_only=True)]
    filled = fill_30(exported)
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert commits(store) == count + 1
    after = state(store, UNIT)
    expected = dict(before)
    for row, header, value in filled:
        req_id = ".".join(keys[row - 2].split("|")[1:3])
        status, notes, evidence = expected[req_id]
        if header == "状态":
            status = Status.parse(value).value
        elif header == "进展情况":
            notes = [*notes, value]
        else:
            evidence = [*evidence, value]
        expected[req_id] = (status, notes, evidence)
    assert after == expected
    changed = [k for k in after if after[k] != before[k]]
    assert len(changed) == 30
    # every other unit is untouched
    assert state(store, "化龙镇") == state(Store.open(store.path), "化龙镇")
    log = subprocess.run(["git", "-C", str(store.path), "log", "-1", "--format=%B", "plan/2019"],
                         capture_output=True, text=True, check=True).stdout
    assert "批量更新 30 项" in log and f"Unit: {UNIT}" in log


def test_applying_the_same_file_twice_changes_nothing(cli, store, exported, login) -> None:  # noqa: ANN001
    fill_30(exported)
    assert cli("apply", str(exported), "--yes", login=login(UNIT)).exit_code == 0
    count = commits(store)
    again = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert again.exit_code == 0 and "没有变化" in again.stdout
    assert commits(store) == count


def test_one_bad_row_commits_nothing_and_names_the_row(cli, store, exported, login) -> None:  # noqa: ANN001
    fill_30(exported)
    wb = load_workbook(exported)
    wb[UNIT].cell(row=17, column=COL["状态"], value="完成了")
    wb.save(exported)
    before, count = state(store, UNIT), commits(store)
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 1
    assert f'{UNIT}!17: 未知状态 "完成了"' in result.stderr
    assert "全部未提交" in result.stderr
    assert commits(store) == count and state(store, UNIT) == before


def test_every_bad_row_is_reported(cli, store, exported, login) -> None:  # noqa: ANN001
    wb = load_workbook(exported)
    ws = wb[UNIT]
    ws.protection.sheet = False
    ws.cell(row=3, column=COL["具体要求"], value="把要求改掉")
    ws.cell(row=4, column=COL["键"], value="2019|99|1|营里镇")
    ws.cell(row=5, column=COL["状态"], value="差不多")
    ws.cell(row=6, column=COL["状态"], value="已完成")  # a good row: still nothing is committed
    wb.save(exported)
    count = commits(store)
    result = cli("apply", str(exported), login=login(UNIT))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{UNIT}!3: 锁定列被修改: 具体要求(这些列是计划原文,不能改)" in lines
    assert f"{UNIT}!4: 计划中没有这一行(键 2019|99|1|营里镇)" in lines
    assert any(line.startswith(f'{UNIT}!5: 未知状态 "差不多"') for line in lines)
    assert not any(line.startswith(f"{UNIT}!6") for line in lines)
    assert commits(store) == count


def test_another_units_operator_is_refused(cli, store, exported, login) -> None:  # noqa: ANN001
    fill_30(exported)
    count = commits(store)
    result = cli("apply", str(exported), "--yes", login=login("化龙镇"))
    assert result.exit_code == 1
    assert f"{UNIT}!2: 无权修改 {UNIT}" in result.stderr
    assert result.stderr.count("无权修改") == 30
    assert commits(store) == count


def test_admin_on_behalf_of_a_unit(cli, store, exported) -> None:  # noqa: ANN001
    wb = load_workbook(exported)
    wb[UNIT].cell(row=2, column=COL["状态"], value="受阻")
    wb.save(exported)
    wrong = cli("apply", str(exported), "--on-behalf-of", "化龙镇")
    assert wrong.exit_code == 1 and "代 化龙镇 导入时不能修改 营里镇" in wrong.stderr
    count = commits(store)
    ok = cli("apply", str(exported), "--on-behalf-of", UNIT)
    assert ok.exit_code == 0, ok.stderr
    assert commits(store) == count + 1
    log = subprocess.run(["git", "-C", str(store.path), "log", "-1", "--format=%B", "plan/2019"],
                         capture_output=True, text=True, check=True).stdout
    assert f"On-behalf-of: {UNIT}" in log


def test_dry_run_prints_changes_and_commits_nothing(cli, store, exported, login) -> None:  # noqa: ANN001
    fill_30(exported)
    count = commits(store)
    result = cli("apply", str(exported), "--dry-run", login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert f"{UNIT}!2  任务" in result.stdout and "状态 → 推进中" in result.stdout
    assert "试运行: 30 行共 30 处修改,未提交" in result.stdout
    assert commits(store) == count


def test_over_20_rows_need_yes_when_not_interactive(cli, store, exported, login) -> None:  # noqa: ANN001
    fill_30(exported)
    count = commits(store)
    result = cli("apply", str(exported), login=login(UNIT))
    assert result.exit_code == 1 and "--yes" in result.stderr
    assert commits(store) == count


def test_csv_round_trip(cli, store, tmp_path: Path, login) -> None:  # noqa: ANN001
    path = tmp_path / "yl.csv"
    assert cli("export", "--format", "csv", "--unit", "ylz", "-o", str(path), login=login(UNIT)).exit_code == 0
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(HEADERS)
    rows[1][COL["状态"] - 1] = "done"
    rows[2][COL["进展情况"] - 1] = "=已公开"  # looks like a formula: stays text
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    count = commits(store)
    result = cli("apply", str(path), login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert commits(store) == count + 1
    req2 = ".".join(rows[2][COL["键"] - 1].split("|")[1:3])
    assert state(store, UNIT)[req2][1][-1] == "=已公开"


def test_export_errors(cli, tmp_path: Path) -> None:  # noqa: ANN001
    assert cli("export", "--unit", UNIT).exit_code == 2  # xlsx needs -o
    unknown = cli("export", "--unit", "火星局", "-o", str(tmp_path / "x.xlsx"))
    assert unknown.exit_code == 1 and "未知单位 '火星局'" in unknown.stderr
    none = cli("export", "task:9999", "-o", str(tmp_path / "x.xlsx"))
    assert none.exit_code == 1 and "没有符合条件" in none.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_apply_errors(cli, tmp_path: Path) -> None:  # noqa: ANN001
    missing = cli("apply", str(tmp_path / "nope.xlsx"))
    assert missing.exit_code == 1 and "找不到文件" in missing.stderr
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    broken = cli("apply", str(junk))
    assert broken.exit_code == 1 and "无法读取工作簿" in broken.stderr
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    wrong = cli("apply", str(other))
    assert wrong.exit_code == 1 and "other.csv!1: 缺少列" in wrong.stderr


def test_missing_store(cli, tmp_path: Path, exported: Path) -> None:  # noqa: ANN001
    env = {"TRACKER_REPO": str(tmp_path / "no-store")}
    export = cli("export", "-o", str(tmp_path / "x.xlsx"), env=env)
    assert export.exit_code == 1 and "找不到数据仓库" in export.stderr
    apply = cli("apply", str(exported), env=env)
    assert apply.exit_code == 1 and apply.stderr.strip() and "Traceback" not in apply.output
