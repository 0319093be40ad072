"""The spreadsheet core: rows out, rows in, every problem named with its sheet and row."""

from __future__ import annotations

import copy
import io
from datetime import datetime
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.query.plans import CST, make_plan
from tracker.model import Assignment, Note, Plan, Status
from tracker.spreadsheet import (
    BASE_HEADERS,
    CSV_HEADERS,
    HEADERS,
    PLAN_HEADERS,
    SheetRow,
    check_rows,
    checksum,
    export_rows,
    read_rows,
    sheet_title,
    write_csv,
    write_xlsx,
)
from tracker.textsafe import clean_text

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
        '营里镇!2: 状态不合规: 未知状态 "完成了"(可用: 未启动、推进中、已完成、受阻、不适用;或 not_started/in_progress/done/blocked/not_applicable)',
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


# ---------------------------------------------------------------- changes made by others since the export

AT = datetime(2019, 9, 2, 15, 30, tzinfo=CST)


def moved_on(edit) -> Plan:  # noqa: ANN001
    """A copy of PLAN where another operator changed 营里镇's share of 2.1 (``edit(assignment)``)."""
    plan = copy.deepcopy(PLAN)
    a = plan.tasks[2].requirements[0].assignments["营里镇"]
    edit(a)
    a.updated, a.updated_by = AT, "huanglou"
    return plan


def set_status(status: Status):  # noqa: ANN201
    def edit(a: Assignment) -> None:
        a.status = status
    return edit


def add_note(text: str):  # noqa: ANN201
    def edit(a: Assignment) -> None:
        a.notes.append(Note(AT, "huanglou", text))
    return edit


def add_evidence(item: str):  # noqa: ANN201
    def edit(a: Assignment) -> None:
        a.evidence.append(item)
    return edit


def test_exported_rows_record_the_fill_in_cells_in_hidden_columns() -> None:
    row = rows_for("营里镇")[1]  # 2.1: done, one note, one evidence item
    assert [row.cells[h] for h in BASE_HEADERS] == ["done", "已公开耕地计划", "http://example.gov.cn/a.html"]
    row.cells["导出时状态"] = "not_started"  # a hidden column edited: caught like a locked one
    result = check_rows(PLAN, [row], allow_all)
    assert [str(p) for p in result.problems] == [
        "营里镇!3: 锁定列被修改: 键、校验或导出时的值(这些列是计划原文,不能改)"]


def test_changes_carry_the_exported_value_as_expected() -> None:
    rows = rows_for("营里镇")
    rows[1].cells["状态"] = "受阻"
    rows[1].cells["进展情况"] = "已公开第二批"
    rows[1].cells["佐证材料"] += "\nhttp://example.gov.cn/b.html\nhttp://example.gov.cn/c.html"
    result = check_rows(PLAN, rows, allow_all)
    assert result.problems == [] and result.unguarded == []
    assert [(c.field, c.value, c.expected) for c in result.changes] == [
        ("status", "blocked", "done"),
        ("note", "已公开第二批", "已公开耕地计划"),
        ("evidence", "http://example.gov.cn/b.html", "http://example.gov.cn/a.html"),
        ("evidence", "http://example.gov.cn/c.html", "http://example.gov.cn/a.html\nhttp://example.gov.cn/b.html"),
    ]


def test_a_status_changed_since_export_and_in_the_sheet_is_a_conflict() -> None:
    rows = rows_for("营里镇")
    rows[1].cells["状态"] = "受阻"
    rows[2].cells["状态"] = "已完成"  # a good row: nothing is applied while any row conflicts
    result = check_rows(moved_on(set_status(Status.IN_PROGRESS)), rows, allow_all)
    assert [str(p) for p in result.problems] == [
        '营里镇!3: 冲突: 任务2.1 营里镇 的状态在导出后已被 huanglou 于 2019-09-02 15:30 改为 "推进中"'
        '(导出时为 "已完成",表中为 "受阻"),未覆盖']
    assert result.conflicts == result.problems
    assert [c.where for c in result.changes] == ["营里镇!4"]  # the CLI commits nothing when problems exist


def test_cells_left_as_exported_keep_the_other_change() -> None:
    for edit in (set_status(Status.BLOCKED), add_note("黄楼填的进展"), add_evidence("http://x.gov.cn/1")):
        result = check_rows(moved_on(edit), rows_for("营里镇"), allow_all)
        assert result.changes == [] and result.problems == []


def test_the_same_change_made_by_both_is_no_change_and_no_conflict() -> None:
    rows = rows_for("营里镇")
    rows[1].cells["状态"] = "推进中"
    rows[1].cells["进展情况"] = "黄楼填的进展"
    plan = moved_on(set_status(Status.IN_PROGRESS))
    plan.tasks[2].requirements[0].assignments["营里镇"].notes.append(Note(AT, "huanglou", "黄楼填的进展"))
    result = check_rows(plan, rows, allow_all)
    assert result.changes == [] and result.problems == []


def test_a_note_changed_since_export_and_in_the_sheet_is_a_conflict() -> None:
    rows = rows_for("营里镇")
    rows[1].cells["进展情况"] = "营里镇的新进展"
    rows[1].cells["状态"] = "受阻"  # another field of the same row: fine on its own
    result = check_rows(moved_on(add_note("黄楼填的进展")), rows, allow_all)
    assert [str(p) for p in result.problems] == [
        '营里镇!3: 冲突: 任务2.1 营里镇 的进展在导出后已被 huanglou 于 2019-09-02 15:30 改为 "黄楼填的进展"'
        '(导出时为 "已公开耕地计划",表中为 "营里镇的新进展"),未覆盖']


def test_evidence_added_since_export_conflicts_with_evidence_added_in_the_sheet() -> None:
    rows = rows_for("营里镇")
    rows[1].cells["佐证材料"] += "\nhttp://example.gov.cn/mine.html"
    result = check_rows(moved_on(add_evidence("http://x.gov.cn/1")), rows, allow_all)
    assert len(result.problems) == 1 and result.problems[0].conflict
    assert "佐证在导出后已被 huanglou" in result.problems[0].message
    assert "http://x.gov.cn/1" in result.problems[0].message


def old_sheet(rows: list[SheetRow]) -> list[SheetRow]:
    """The rows as an export made before the as-exported columns existed."""
    out = []
    for r in rows:
        cells = {h: v for h, v in r.cells.items() if h not in BASE_HEADERS}
        cells["校验"] = checksum([cells["键"], *(cells[h] for h in PLAN_HEADERS)])
        out.append(SheetRow(r.sheet, r.row, cells))
    return out


def test_old_sheets_compare_with_the_plan_now_and_are_listed_as_unguarded() -> None:
    rows = old_sheet(rows_for("营里镇"))
    rows[1].cells["状态"] = "受阻"
    result = check_rows(moved_on(set_status(Status.IN_PROGRESS)), rows, allow_all)
    assert result.unguarded == ["营里镇"] and result.problems == []
    assert [(c.field, c.value, c.expected) for c in result.changes] == [("status", "blocked", None)]
    # an unchanged old row still overwrites: that is what the warning is about
    assert [c.value for c in check_rows(moved_on(set_status(Status.BLOCKED)), old_sheet(rows_for("营里镇")),
                                        allow_all).changes] == ["done"]


def test_csv_marks_the_trailing_system_columns_and_reads_them_back(tmp_path: Path) -> None:
    text = write_csv(PLAN, ITEMS)
    header = text.lstrip("\ufeff").split("\r\n", 1)[0].split(",")
    assert header == list(CSV_HEADERS) and header[-5:] == [
        "键（系统列，勿改）", "校验（系统列，勿改）", "导出时状态（系统列，勿改）", "导出时进展（系统列，勿改）",
        "导出时佐证（系统列，勿改）"]
    path = tmp_path / "a.csv"
    path.write_text(text.replace("已完成", "受阻", 1), encoding="utf-8")
    rows, problems = read_rows(path)
    result = check_rows(moved_on(set_status(Status.IN_PROGRESS)), rows, allow_all)
    moved = next(r.where for r in rows if r.cells["键"] == "2019|2|1|营里镇")
    assert result.unguarded == [] and [p.where for p in result.problems] == [moved]
    assert result.problems[0].conflict


NOTE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff"), max_size=40)


@settings(max_examples=40, deadline=None)
@given(stored=NOTE_TEXT, written=NOTE_TEXT, fmt=st.sampled_from(["xlsx", "csv"]))
@example(stored="合并时留下的\r回车", written="新进展", fmt="xlsx")
@example(stored="=SUM(A1)", written="  =SUM(A1)\r\n", fmt="csv")
@example(stored=" 前后空白 ", written="前后空白", fmt="xlsx")
def test_any_note_round_trips_without_a_false_conflict(stored: str, written: str, fmt: str) -> None:
    plan = copy.deepcopy(PLAN)
    a = plan.tasks[2].requirements[0].assignments["营里镇"]
    a.notes.append(Note(AT, "yingli", stored))
    items = [i for i in plan.assignments() if i[2].unit == "营里镇"]
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(plan, items, buffer)
    else:
        buffer.write(write_csv(plan, items).encode("utf-8"))
    rows = _read_bytes(buffer.getvalue(), fmt)
    unchanged = check_rows(plan, rows, allow_all)
    assert unchanged.problems == [] and unchanged.changes == [] and unchanged.unguarded == []
    rows[1].cells["进展情况"] = written
    result = check_rows(plan, rows, allow_all)
    assert result.problems == []
    new = clean_text(written).strip()
    if new and new != clean_text(stored).strip():
        [change] = result.changes
        assert change.field == "note" and change.value == new
        assert change.expected in (stored, None) and (change.expected is None) == (clean_text(stored).strip() != stored)
    else:
        assert result.changes == []


def _read_bytes(data: bytes, suffix: str) -> list[SheetRow]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"营里镇.{suffix}"
        target.write_bytes(data)
        rows, problems = read_rows(target)
    assert problems == []
    return rows
