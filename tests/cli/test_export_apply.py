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
from tracker.operators import Operator
from tracker.service import Change, Service
from tracker.spreadsheet import (
    BASE_HEADERS,
    CSV_HEADERS,
    EDIT_HEADERS,
    HEADERS,
    HIDDEN_HEADERS,
    PLAN_HEADERS,
    checksum,
)
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
    assert f'{UNIT}!17: 状态不合规: 未知状态 "完成了"' in result.stderr
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
    assert any(line.startswith(f'{UNIT}!5: 状态不合规: 未知状态 "差不多"') for line in lines)
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
    assert rows[0] == list(CSV_HEADERS) and rows[0][-1] == "导出时佐证（系统列，勿改）"
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


# ---------------------------------------------------------------- changed by someone else since the export


def row_target(path: Path, row: int) -> tuple[int, str, str]:
    """(task, requirement key, status label as exported) of a sheet row."""
    ws = load_workbook(path)[UNIT]
    key = ws.cell(row=row, column=COL["键"]).value
    _, task, req, _ = key.split("|")
    return int(task), req, ws.cell(row=row, column=COL["状态"]).value


def fill(path: Path, cells: dict[tuple[int, str], str]) -> None:
    wb = load_workbook(path)
    for (row, header), value in cells.items():
        wb[UNIT].cell(row=row, column=COL[header], value=value)
    wb.save(path)


def meanwhile(store: Store, admin: Operator, task: int, req: str, field: str, value: str) -> None:
    """The office changes 营里镇's assignment through the service after the export."""
    Service(Store.open(store.path), admin).apply([Change(task, req, UNIT, field, value)])


@pytest.mark.parametrize(("field", "header", "theirs", "theirs_shown", "mine"), [
    ("status", "状态", "done", "已完成", "受阻"),
    ("note", "进展情况", "办公室补录的进展", "办公室补录的进展", "营里镇填的进展"),
])
def test_a_field_changed_since_export_and_in_the_sheet_is_a_conflict(
        cli, store: Store, exported: Path, login, admin: Operator,  # noqa: ANN001
        field: str, header: str, theirs: str, theirs_shown: str, mine: str) -> None:
    task, req, _ = row_target(exported, 5)
    was = load_workbook(exported)[UNIT].cell(row=5, column=COL[header]).value or ""
    meanwhile(store, admin, task, req, field, theirs)
    before, count = state(store, UNIT), commits(store)
    fill(exported, {(5, header): mine, (6, "状态"): "推进中"})  # row 6 alone would be fine
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 1
    [line] = [x for x in result.stderr.splitlines() if "冲突" in x and x.startswith(UNIT)]
    label = {"status": "状态", "note": "进展"}[field]
    assert line.startswith(f"{UNIT}!5: 冲突: 任务{task}.{req} {UNIT} 的{label}在导出后已被 admin 于 2")
    assert line.endswith(f'改为 "{theirs_shown}"(导出时为 "{was}",表中为 "{mine}"),未覆盖')
    assert "1 处问题(其中 1 处冲突),全部未提交" in result.stderr
    assert commits(store) == count and state(store, UNIT) == before


def test_a_row_left_as_exported_keeps_the_other_change(
        cli, store: Store, exported: Path, login, admin: Operator) -> None:  # noqa: ANN001
    task, req, _ = row_target(exported, 5)
    task6, req6, _ = row_target(exported, 6)
    meanwhile(store, admin, task, req, "status", "blocked")
    before, count = state(store, UNIT), commits(store)
    fill(exported, {(6, "状态"): "已完成"})
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert "旧版" not in result.stderr
    assert commits(store) == count + 1
    after = state(store, UNIT)
    assert after[f"{task}.{req}"] == before[f"{task}.{req}"] and after[f"{task}.{req}"][0] == "blocked"
    assert after[f"{task6}.{req6}"][0] == "done"
    assert {k for k in after if after[k] != before[k]} == {f"{task6}.{req6}"}


def test_a_note_added_since_export_stays_when_the_sheet_changed_other_fields(
        cli, store: Store, exported: Path, login, admin: Operator) -> None:  # noqa: ANN001
    task, req, _ = row_target(exported, 5)
    task6, req6, _ = row_target(exported, 6)
    meanwhile(store, admin, task, req, "note", "办公室补录的进展")
    before, count = state(store, UNIT), commits(store)
    fill(exported, {(5, "状态"): "推进中", (6, "进展情况"): "营里镇填的进展"})
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert commits(store) == count + 1
    after = state(store, UNIT)
    assert after[f"{task}.{req}"] == ("in_progress", ["办公室补录的进展"], before[f"{task}.{req}"][2])
    assert after[f"{task6}.{req6}"][1] == [*before[f"{task6}.{req6}"][1], "营里镇填的进展"]


def test_a_change_between_the_check_and_the_commit_is_a_conflict_too(
        cli, store: Store, exported: Path, login, admin: Operator, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import tracker.cli.apply_cmd as apply_cmd

    task, req, _ = row_target(exported, 5)
    fill(exported, {(5, "状态"): "推进中"})
    real = apply_cmd.check_rows

    def racing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        result = real(*args, **kwargs)
        meanwhile(store, admin, task, req, "status", "blocked")  # lands after the sheet was checked
        return result

    monkeypatch.setattr(apply_cmd, "check_rows", racing)
    count = commits(store)
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 1
    assert f"{UNIT}!5: 冲突: 任务{task}.{req} {UNIT} 的状态已被 admin 于 " in result.stderr
    assert "1 处冲突,全部未提交" in result.stderr
    assert commits(store) == count + 1  # the other change only
    assert state(store, UNIT)[f"{task}.{req}"][0] == "blocked"


def test_an_old_sheet_still_applies_with_a_warning(
        cli, store: Store, exported: Path, login, admin: Operator) -> None:  # noqa: ANN001
    wb = load_workbook(exported)
    ws = wb[UNIT]
    ws.delete_cols(COL[BASE_HEADERS[0]], len(BASE_HEADERS))  # as written before those columns existed
    for row in range(2, ws.max_row + 1):
        cells = [ws.cell(row=row, column=COL[h]).value or "" for h in ("键", *PLAN_HEADERS)]
        ws.cell(row=row, column=COL["校验"], value=checksum(cells))
    ws.cell(row=6, column=COL["状态"], value="已完成")
    wb.save(exported)
    task, req, _ = row_target(exported, 5)
    meanwhile(store, admin, task, req, "status", "blocked")
    count = commits(store)
    result = cli("apply", str(exported), "--yes", login=login(UNIT))
    assert result.exit_code == 0, result.stderr
    assert f"警告: {UNIT} 是旧版导出的表格" in result.stderr and "无法发现导出后他人所做的修改" in result.stderr
    assert commits(store) == count + 1
    # as before this fix: the unchanged row 5 (未启动 in the sheet) overwrites the office's change
    assert state(store, UNIT)[f"{task}.{req}"][0] == "not_started"


def test_csv_conflict_names_the_file_and_row(cli, store: Store, tmp_path: Path, login,
                                             admin: Operator) -> None:  # noqa: ANN001
    path = tmp_path / "yl.csv"
    assert cli("export", "--format", "csv", "--unit", UNIT, "-o", str(path), login=login(UNIT)).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    _, task, req, _ = rows[3][COL["键"] - 1].split("|")
    meanwhile(store, admin, int(task), req, "note", "办公室补录的进展")
    rows[3][COL["进展情况"] - 1] = "营里镇填的进展"
    rows[4][COL["状态"] - 1] = "已完成"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    count = commits(store)
    result = cli("apply", str(path), "--yes", login=login(UNIT))
    assert result.exit_code == 1
    assert f"yl.csv!4: 冲突: 任务{task}.{req} {UNIT} 的进展在导出后已被 admin" in result.stderr
    assert commits(store) == count
