"""CSV, XLSX and pipe tables -> the same kind of plan as a notice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from tracker.importer import NoticeImportError, import_file, import_text
from tracker.model import Role

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = ["工作任务", "具体要求", "责任单位", "时限要求"]


def test_pipe_table_with_sections_and_merged_task_cells() -> None:
    result = import_file(DATA / "plan-pipe.txt", 2020)
    plan = result.plan
    assert plan.info.title == "某市2020年政务公开重点工作任务分工"
    assert plan.info.issued == date(2020, 3, 2)
    assert sorted(plan.tasks) == [1, 2]
    task1 = plan.tasks[1]
    assert task1.title == "推进财政信息公开"
    assert task1.section == "一、做好重点领域信息公开"
    assert [r.text for r in task1.requirements] == ["继续深化预决算公开。", "公开政府采购信息。"]
    assert task1.requirements[0].leads == ["市财政局"]
    assert task1.requirements[0].implementers == ["市直各有关部门"]
    assert task1.requirements[1].due == (date(2020, 6, 30),)
    assert plan.tasks[2].requirements[0].due == (date(2020, 4, 2),)
    assert result.report.of_kind("unplaced") == []


def test_csv_gb18030_with_lead_and_units_columns() -> None:
    result = import_file(DATA / "plan-two-columns.csv", 2020)
    task1, task2 = result.plan.tasks[1], result.plan.tasks[2]
    req = task1.requirements[0]
    assert req.leads == ["市财政局"]
    assert req.implementers[0] == "市审计局" and len(req.implementers) == 15
    assert req.responsible == "牵头单位:市财政局\n责任单位:市审计局、各镇(街区)"
    assert [r.deadline for r in task1.requirements] == ["全年", "6月底前"]
    # a cell with two lines stays one requirement, lines kept
    assert task2.requirements[0].text == "及时公开就业政策,\n做好解读。"
    assert task2.requirements[0].leads == ["市人社局"]
    assert task2.requirements[0].deadline == ""
    assert result.plan.info.issued is None


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_title_rows_merged_cells_and_numbers(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "plan.xlsx", [
        ["某市2020年任务分工"],
        ["序号", *HEADER],
        ["一、做好重点领域信息公开"],
        [1, "推进财政信息公开", "继续深化预决算公开。", "市财政局牵头落实\n各镇(街区)分别落实", "全年"],
        [None, None, "公开政府采购信息。", None, "6月底前"],
        [None, None, None, "市审计局分别落实", None],
        [2, "推进就业信息公开", "及时公开就业政策。", "市人社局、市教育局", "8月15日前"],
    ])
    result = import_file(path, 2020)
    task1, task2 = result.plan.tasks[1], result.plan.tasks[2]
    assert task1.section == "一、做好重点领域信息公开"
    assert task1.requirements[0].responsible == "市财政局牵头落实\n各镇(街区)分别落实"
    assert len(task1.requirements[0].assignments) == 15
    # no units of its own: inherits the row above, then the merged row adds 市审计局
    second = task1.requirements[1]
    assert second.inherited is False
    assert list(second.assignments) == ["市审计局"]
    assert second.due == (date(2020, 6, 30),)
    # a plain list of names with no 牵头: all leads
    assert task2.requirements[0].leads == ["市人社局", "市教体局"]
    assert task2.number == 2 and task2.requirements[0].due == (date(2020, 8, 15),)


def test_table_row_without_units_inherits(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "plan.xlsx", [
        HEADER,
        ["1.任务一", "要求一。", "市发改局牵头落实", "全年"],
        [None, "要求二。", None, None],
    ])
    task = import_file(path, 2020).plan.tasks[1]
    assert [r.inherited for r in task.requirements] == [False, True]
    assert task.requirements[1].assignments["市发改局"].role is Role.LEAD
    assert task.requirements[1].due == (date(2020, 12, 31),)


def test_table_without_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(NoticeImportError, match="找不到表头"):
        import_file(path, 2020)


def test_broken_xlsx_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(NoticeImportError, match="不是可读的 XLSX"):
        import_file(path, 2020)


def test_unknown_units_in_tables_name_the_row(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "plan.xlsx", [HEADER, ["1.任务一", "要求一。", "市火星局牵头落实", "全年"]])
    with pytest.raises(NoticeImportError) as caught:
        import_file(path, 2020)
    assert caught.value.problems == ["plan.xlsx:2: 任务1 的单位“市火星局”不在单位名录中"]


def test_pipe_text_in_memory_is_detected() -> None:
    text = "| 工作任务 | 具体要求 | 责任单位 | 时限要求 |\n| 1.任务一 | 要求一。 | 市发改局落实 | 全年 |\n"
    result = import_text(text, 2020)
    assert result.plan.tasks[1].requirements[0].leads == ["市发改局"]
