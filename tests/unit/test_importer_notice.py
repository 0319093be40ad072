"""The 2019 Shouguang notice imports as issue 2's "Done when" says, in every encoding and width."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest

from tracker.importer import ImportResult, NoticeImportError, import_file, import_text, plan_files
from tracker.model import Role

DATA = Path(__file__).resolve().parents[1] / "data"
NOTICE = DATA / "shouguang-2019.txt"
TOWNS = ["化龙镇", "营里镇", "台头镇", "田柳镇", "上口镇", "侯镇", "纪台镇", "稻田镇", "羊口镇",
         "圣城街道", "文家街道", "古城街道", "洛城街道", "孙家集街道"]
# ASCII punctuation of the original -> the full-width forms a PDF copy often has.
FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in ",():;%/."})


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return import_file(NOTICE, 2019)


def test_41_tasks_numbered_1_to_41(result: ImportResult) -> None:
    assert sorted(result.plan.tasks) == list(range(1, 42))


@pytest.mark.parametrize(
    ("number", "title"),
    [(1, "推进新旧动能转换重大工程信息公开"), (4, "做好打好打赢“三大攻坚战”信息公开"), (5, "优化涉企服务"),
     (7, "推进政府规章、规范性文件清理结果公开"), (36, "政府公报创新发展"), (41, "制定推进措施")],
)
def test_titles_as_issued(result: ImportResult, number: int, title: str) -> None:
    assert result.plan.tasks[number].title == title


def test_sections_and_subsections(result: ImportResult) -> None:
    tasks = result.plan.tasks
    assert (tasks[28].section, tasks[28].subsection) == ("二、加强政策解读回应", "(一)深入解读好重要政策措施")
    assert (tasks[5].section, tasks[5].subsection) == ("一、扎实做好重点领域信息公开", "(二)做好优化营商环境信息公开")
    assert tasks[41].section == "五、强化组织保障"
    # every task of section 一 keeps it across the repeated page-break headings
    assert {tasks[n].section for n in range(1, 28)} == {"一、扎实做好重点领域信息公开"}


def test_heading_typos_are_fixed_and_reported(result: ImportResult) -> None:
    tasks = result.plan.tasks
    assert tasks[30].subsection == "(三)切实增强回应实效"
    assert tasks[32].subsection == "(二)推进会议公开"
    assert tasks[36].subsection == "(三)推动政府公报创新发展"
    fixed = result.report.of_kind("fixed")
    assert [r.line for r in fixed] == [387, 411, 497]


def test_requirement_counts(result: ImportResult) -> None:
    expected = {n: 1 for n in range(1, 42)}
    expected.update({2: 3, 4: 3, 12: 3, 34: 3, 21: 2, 33: 2, 35: 2, 38: 5, 40: 4, 32: 2, 37: 3})
    assert {n: len(t.requirements) for n, t in result.plan.tasks.items()} == expected
    assert sum(expected.values()) == 62


def test_every_requirement_text_is_a_line_of_the_notice(result: ImportResult) -> None:
    lines = {line.strip() for line in NOTICE.read_text(encoding="utf-8").splitlines()}
    for req in result.plan.requirements():
        assert req.text in lines, req.id
    assert result.plan.tasks[40].requirements[0].text == "把政务公开纳入绩效考核,确保分值权重不低于4%"


def test_paragraphs_without_units_inherit_the_row_above(result: ImportResult) -> None:
    task32, task37 = result.plan.tasks[32], result.plan.tasks[37]
    assert [r.inherited for r in task32.requirements] == [False, True]
    assert task32.requirements[1].text.startswith("政府全体会议和常务会议")
    assert task32.requirements[1].leads == task32.requirements[0].leads == ["市直各有关部门"]
    assert task32.requirements[1].deadline == "全年"
    assert [r.inherited for r in task37.requirements] == [False, True, True]
    assert task37.requirements[2].text.startswith("根据政务公开新任务新要求新职责")
    assert list(task37.requirements[2].assignments) == ["市直各有关部门", *TOWNS]
    assert task37.requirements[2].due == (date(2019, 12, 31),)


def test_due_dates(result: ImportResult) -> None:
    tasks = result.plan.tasks
    assert tasks[5].requirements[0].due == (date(2019, 12, 31),)
    assert tasks[7].requirements[0].due == (date(2019, 6, 30), date(2019, 12, 31))
    assert tasks[33].requirements[1].due == (date(2019, 8, 31),)
    assert tasks[41].requirements[0].due == (date(2019, 8, 9),)
    for number in (1, 2, 3, 4, 26, 27):
        for req in tasks[number].requirements:
            assert (req.deadline, req.due) == ("", ()), req.id


def test_issue_date_and_plan_info(result: ImportResult) -> None:
    info = result.plan.info
    assert info.issued == date(2019, 7, 9)
    assert info.issuer == "寿光市人民政府办公室"
    assert info.title == "寿光市2019年政务公开重点工作任务分工"
    assert info.notice_title == "关于印发寿光市 2019 年政务公开重点工作任务分工的通知"


def test_task_1_units(result: ImportResult) -> None:
    req = result.plan.tasks[1].requirements[0]
    assert req.leads == ["市发改局"]
    departments = [u for u in req.implementers if u not in TOWNS]
    assert len(departments) == 18
    assert departments[0] == "市工信局" and departments[-1] == "市投资促进中心"
    assert req.implementers[18:] == TOWNS
    assert list(req.assignments)[0] == "市发改局"
    assert req.assignments["市发改局"].role is Role.LEAD
    assert {a.role for u, a in req.assignments.items() if u != "市发改局"} == {Role.IMPLEMENTER}
    assert req.responsible.startswith("市发改局牵头落实;市工信局")
    assert req.responsible.endswith("\n各镇(街区)分别落实")


def test_named_units(result: ImportResult) -> None:
    tasks = result.plan.tasks
    assert tasks[2].requirements[2].leads == ["市人社局", "市教体局", "市农业农村局"]
    assert "市市场监管局" in tasks[31].requirements[0].assignments
    assert list(tasks[12].requirements[2].assignments) == ["市行政审批服务局"]
    assert tasks[12].requirements[2].leads == ["市行政审批服务局"]
    assert tasks[3].requirements[0].leads == ["市发改局", "市自然资源与规划局", "市海渔局"]
    assert tasks[40].requirements[3].leads == ["市教体局", "潍坊科技学院"]
    assert tasks[25].requirements[0].implementers[:4] == ["市教体局", "市民政局", "市人社局", "市自然资源与规划局"]
    assert "市退役军人事务局" in tasks[25].requirements[0].implementers


def test_bare_luoshi_is_implementer_beside_a_lead(result: ImportResult) -> None:
    # 任务3: "相关镇(街区)落实" under three leads
    req = result.plan.tasks[3].requirements[0]
    assert {req.assignments[t].role for t in TOWNS} == {Role.IMPLEMENTER}
    # 任务40.2: "市政府办公室落实" alone
    assert result.plan.tasks[40].requirements[1].leads == ["市政府办公室"]


def test_parks_are_not_assigned_by_default(result: ImportResult) -> None:
    units = {a.unit for _, _, a in result.plan.assignments()}
    assert "寿光经济开发区" not in units and "双王城生态经济园区" not in units
    assert set(TOWNS) <= units


def test_nothing_unplaced_and_junk_reported(result: ImportResult) -> None:
    assert result.report.of_kind("unplaced") == []
    assert all(not t.unclassified for t in result.plan.tasks.values())
    artefacts = {r.line for r in result.report.of_kind("artefact")}
    assert artefacts == {1, 654}
    assert len(result.report.of_kind("repeated")) == 17
    assert {r.line for r in result.report.of_kind("preamble")} == {4, 6, 14}


def _variant_files(text: str) -> dict[str, str]:
    return plan_files(import_text(text, 2019, source="shouguang-2019.txt"))


def test_full_width_variant_imports_to_the_same_plan(result: ImportResult) -> None:
    original = NOTICE.read_text(encoding="utf-8")
    wide = original.translate(FULL_WIDTH)
    assert wide != original and "," not in wide and "\uff0c" in wide
    assert _variant_files(wide) == plan_files(result)


def test_gb18030_crlf_variant_imports_to_the_same_plan(tmp_path: Path, result: ImportResult) -> None:
    original = NOTICE.read_text(encoding="utf-8")
    path = tmp_path / "shouguang-2019.txt"
    path.write_bytes(original.replace("\n", "\r\n").encode("gb18030"))
    assert plan_files(import_file(path, 2019)) == plan_files(result)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-16"])
def test_other_encodings(tmp_path: Path, encoding: str, result: ImportResult) -> None:
    path = tmp_path / "shouguang-2019.txt"
    # GBK has no NO-BREAK SPACE; a GBK copy shows those blank lines as spaces.
    text = NOTICE.read_text(encoding="utf-8").translate(FULL_WIDTH).replace("\u00a0", " ")
    path.write_bytes(text.encode(encoding))
    if encoding == "utf-16":
        assert path.read_bytes().startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    assert plan_files(import_file(path, 2019)) == plan_files(result)


def test_issue_date_override_and_unknown() -> None:
    text = NOTICE.read_text(encoding="utf-8")
    overridden = import_text(text, 2019, issued=date(2019, 7, 1))
    assert overridden.plan.info.issued == date(2019, 7, 1)
    assert overridden.plan.tasks[41].requirements[0].due == (date(2019, 8, 1),)
    unknown = import_text(text.replace("20197 9", "2019"), 2019)
    assert unknown.plan.info.issued is None
    assert unknown.plan.tasks[41].requirements[0].due == ()
    warnings = [r.message for r in unknown.report.of_kind("warning")]
    assert any("印发日期不详" in w for w in warnings)
    assert any("任务41.1" in w and "无法换算" in w for w in warnings)
    assert "印发日期不详" in plan_files(unknown)["plan.toml"]
    assert "issued" not in plan_files(unknown)["plan.toml"].replace("印发", "")


def test_letter_spaced_header_and_blank_lines_are_skipped() -> None:
    text = "工 作 任 务\n\u00a0\n具 体 要 求\n\u3000\n1.任务一\n要求一。\n市发改局牵头落实\n全年\n"
    result = import_text(text, 2019, issued=date(2019, 1, 1))
    assert [r.text for r in result.plan.requirements()] == ["要求一。"]
    assert result.report.of_kind("unplaced") == []


def test_unknown_units_stop_the_import_listing_each() -> None:
    text = "1.任务一\n要求一。\n市火星局牵头落实;市发改局、市月亮办分别落实\n全年\n2.任务二\n要求二。\n市火星局落实\n"
    with pytest.raises(NoticeImportError) as caught:
        import_text(text, 2019, source="n.txt")
    assert caught.value.problems == [
        "n.txt:3: 任务1 的单位“市火星局”不在单位名录中",
        "n.txt:3: 任务1 的单位“市月亮办”不在单位名录中",
        "n.txt:7: 任务2 的单位“市火星局”不在单位名录中",
    ]
    kept = import_text(text, 2019, allow_unknown_units=True)
    req = kept.plan.tasks[1].requirements[0]
    assert req.assignments["市火星局"].unknown_unit is True
    assert req.assignments["市发改局"].unknown_unit is False
    assert 'unknown_unit = true' in plan_files(kept)["01.toml"]


def test_unplaced_text_is_kept_on_its_task_and_reported() -> None:
    text = "1.任务一\n没有单位的段落。\n2.任务二\n要求二。\n市发改局落实\n全年\n全年\n"
    result = import_text(text, 2019)
    assert result.plan.tasks[1].unclassified == ["没有单位的段落。"]
    assert result.plan.tasks[2].unclassified == ["全年"]
    assert {r.line for r in result.report.of_kind("unplaced")} == {2, 7}


def test_text_before_any_task_is_reported() -> None:
    result = import_text("一段说明。\n1.任务一\n要求。\n市发改局落实\n", 2019)
    assert result.report.of_kind("preamble")[0].text == "一段说明。"


def test_duplicate_task_numbers_and_empty_input_are_errors() -> None:
    with pytest.raises(NoticeImportError, match="任务编号 1 重复"):
        import_text("1.任务一\n要求。\n市发改局落实\n1.又是一\n要求。\n市发改局落实\n", 2019)
    with pytest.raises(NoticeImportError, match="没有找到任何任务"):
        import_text("", 2019)


def test_undecodable_bytes_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe\x00\xd8")  # UTF-16 BOM then a lone surrogate
    with pytest.raises(NoticeImportError, match="bad.txt"):
        import_file(path, 2019)


def test_missing_and_unsupported_files_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NoticeImportError, match="n.pdf: 无法读取"):
        import_file(tmp_path / "n.pdf", 2019)
    old_excel = tmp_path / "n.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + bytes(64))
    with pytest.raises(NoticeImportError, match=r"n.xls: .*另存为 .xlsx"):
        import_file(old_excel, 2019)
    with pytest.raises(NoticeImportError, match="无法读取"):
        import_file(tmp_path / "missing.txt", 2019)
