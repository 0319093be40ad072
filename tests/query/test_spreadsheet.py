"""The spreadsheet core: rows out, rows in, every problem named with its sheet and row."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.query.plans import make_plan
from tracker.spreadsheet import (
    HEADERS,
    SheetRow,
    check_rows,
    export_rows,
    read_rows,
    sheet_title,
    write_csv,
    write_xlsx,
)

PLAN = make_plan()
ITEMS = list(PLAN.assignments())


def allow_all(unit: str) -> tuple[bool, str]:
    return True, ""


def rows_for(unit: str) -> list[SheetRow]:
    rows = export_rows(PLAN.year, [i for i in ITEMS if i[2].unit == unit])
    return [SheetRow(unit, n, dict(zip(HEADERS, r, strict=True))) for n, r in enumerate(rows, start=2)]


def test_unchanged_rows_make_no_changes() -> None:
    result = check_rows(PLAN, rows_for("营里镇"), allow_all)
    assert result.rows == 3 and result.changes == [] and result.problems == []


def test_only_cells_that_differ_become_changes() -> None:
    rows = rows_for("营里镇")
    rows[0].cells["状态"] = "推进中"
    rows[1].cells["进展情况"] = "已公开耕地计划"  # same as the last note: no change
    rows[1].cells["佐证材料"] = "http://example.gov.cn/a.html\nhttp://example.gov.cn/b.html\n"
    result = check_rows(PLAN, rows, allow_all)
    assert [(c.where, c.field, c.value) for c in result.changes] == [
        ("营里镇!2", "status", "in_progress"), ("营里镇!3", "evidence", "http://example.gov.cn/b.html")]


def test_problems_name_sheet_and_row() -> None:
    rows = rows_for("营里镇")
    rows[0].cells["状态"] = "完成了"
    rows[1].cells["工作任务"] = "改过的标题"
    rows[2].cells["键"] = "2019|5|9|营里镇"
    result = check_rows(PLAN, rows, allow_all)
    assert [str(p) for p in result.problems] == [
        '营里镇!2: 未知状态 "完成了"(可用: 未启动、推进中、已完成、受阻、不适用)',
        "营里镇!3: 锁定列被修改: 工作任务(这些列是计划原文,不能改)",
        "营里镇!4: 计划中没有这一行(键 2019|5|9|营里镇)",
    ]
    assert result.changes == []


def test_duplicate_rows_wrong_year_and_permission() -> None:
    rows = rows_for("营里镇")
    dup = SheetRow("营里镇", 9, dict(rows[0].cells))
    rows[0].cells["状态"] = "受阻"
    old = SheetRow("营里镇", 10, dict(rows[1].cells, 键=rows[1].cells["键"].replace("2019", "2018")))
    result = check_rows(PLAN, [*rows, dup, old], lambda u: (False, "只能改化龙镇"))
    assert [str(p) for p in result.problems] == [
        "营里镇!2: 无权修改 营里镇: 只能改化龙镇",
        "营里镇!9: 与 营里镇!2 是同一条分工(键 2019|1|1|营里镇)",
        "营里镇!10: 这一行属于 2018 年计划,当前是 2019 年",
    ]


def test_xlsx_and_csv_read_back_what_was_written(tmp_path: Path) -> None:
    xlsx = tmp_path / "a.xlsx"
    assert write_xlsx(PLAN, ITEMS, xlsx, "测试") == len(ITEMS)
    rows, problems = read_rows(xlsx)
    assert problems == [] and len(rows) == len(ITEMS)
    assert check_rows(PLAN, rows, allow_all).changes == []
    assert load_workbook(xlsx).sheetnames[:3] == ["市发改局", "市工信局", "营里镇"]
    csv_path = tmp_path / "a.csv"
    csv_path.write_text(write_csv(PLAN, ITEMS), encoding="utf-8")
    rows, problems = read_rows(csv_path)
    assert problems == [] and len(rows) == len(ITEMS) and rows[0].where == "a.csv!2"
    assert check_rows(PLAN, rows, allow_all).changes == []


def test_gb18030_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes(write_csv(PLAN, ITEMS).lstrip("\ufeff").encode("gb18030"))
    rows, problems = read_rows(path)
    assert problems == [] and check_rows(PLAN, rows, allow_all).problems == []


def test_sheet_titles_are_valid_and_unique() -> None:
    used: set[str] = set()
    assert sheet_title("a/b:c", used) == "a_b_c"
    assert sheet_title("a/b:c", used) == "a_b_c_2"
    assert len(sheet_title("长" * 40, used)) == 31
