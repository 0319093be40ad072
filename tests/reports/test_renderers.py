"""Every format carries every section and the same numbers; the same report gives the same bytes."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import docx
import openpyxl
import pytest

from tests.reports.conftest import AS_OF, REMINDERS, URL, make_loaded
from tracker.reports import FORMATS, SUFFIXES, build_report, render
from tracker.reports.labels import SECTIONS
from tracker.reports.render_docx import BODY_FONT, TITLE_FONT
from tracker.reports.render_xlsx import LEDGER_COLUMNS


def _report(**kwargs: object):  # type: ignore[no-untyped-def]
    return build_report(make_loaded(), as_of=AS_OF, reminders=REMINDERS, since=date(2019, 8, 1), **kwargs)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_report_same_bytes(fmt: str) -> None:
    assert render(_report(), fmt) == render(_report(), fmt)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="pdf"):
        render(_report(), "pdf")
    assert set(SUFFIXES) == set(FORMATS)


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_text_formats_carry_every_section(fmt: str) -> None:
    text = render(_report(), fmt).decode()
    for heading in SECTIONS.values():
        assert heading in text, heading
    assert "已起草公开目录" in text and "等待省厅口径" in text  # last notes of overdue items
    assert "加大重大工程配套制度措施的公开力度" in text  # requirement text
    assert URL in text
    assert "2019-09-02" in text or "2019年9月2日" in text


def test_json_mirrors_the_model() -> None:
    data = json.loads(render(_report(), "json"))
    assert data["as_of"] == "2019-09-02"
    assert data["summary"]["total"] == 8 and data["summary"]["overdue"] == 3
    assert data["overdue"][0] == {
        "requirement": "1.1", "task": 1, "title": "推进重大工程信息公开", "unit": "市发改局", "role": "lead",
        "status": "in_progress", "deadline": "6月底前", "missed": "2019-06-30", "days_late": 64,
        "leads": ["市发改局"], "last_note": "已起草公开目录", "last_note_at": "2019-08-01", "reminders": 2,
        "last_reminded": "2019-08-20",
    }
    assert data["reminders"][0]["items"] == {"1.1": 2, "3.1": 1}
    assert data["changes"] == []
    assert json.loads(render(build_report(make_loaded(), as_of=AS_OF), "json"))["changes"] is None


def test_html_is_self_contained_with_charts_and_the_overdue_table() -> None:
    html = render(_report(), "html").decode()
    assert html.count("<svg") == 2 and 'id="chart-units"' in html and 'id="chart-sections"' in html
    assert "<script" not in html and "http-equiv" not in html
    assert "@page { size: A4" in html
    # only the evidence link may point outside; no stylesheet, font or image is fetched
    assert "<link" not in html and "<img" not in html and "url(" not in html
    overdue = html.split('id="overdue-table"', 1)[1].split("</table>", 1)[0]
    assert overdue.count("<tr") == 1 + 3  # header + 3 late assignments
    assert f'<a href="{URL}">' in html


def test_html_escapes_user_text() -> None:
    loaded = make_loaded()
    a = loaded.plan.tasks[1].requirements[0].assignments["市发改局"]
    a.notes[-1] = type(a.notes[-1])(a.notes[-1].at, "op", '<script>alert(1)</script> & "x"')
    a.evidence.append("javascript:alert(1)")
    html = render(build_report(loaded, as_of=AS_OF), "html").decode()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_markdown_escapes_table_breakers() -> None:
    loaded = make_loaded()
    a = loaded.plan.tasks[1].requirements[0].assignments["市发改局"]
    a.notes[-1] = type(a.notes[-1])(a.notes[-1].at, "op", "a | b\nc")
    md = render(build_report(loaded, as_of=AS_OF), "markdown").decode()
    row = next(line for line in md.splitlines() if line.startswith("| 1.1 | 市发改局"))
    assert "a \\| b c" in row
    assert row.count(" | ") == 9  # ten cells, the escaped pipe not counted


def test_docx_opens_and_carries_every_section_in_official_fonts() -> None:
    document = docx.Document(io.BytesIO(render(_report(), "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    order = ("summary", "by_unit", "by_section", "by_task", "overdue", "due_soon", "changes", "reminders", "tasks")
    assert len(headings) == len(order)
    assert all(h.startswith(SECTIONS[k]) for h, k in zip(headings, order, strict=True)), headings
    assert "五、逾期事项(3项)" in headings
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title.text.endswith("执行情况报告")
    rfonts = document.styles["Title"].element.rPr.rFonts
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == TITLE_FONT
    normal = document.styles["Normal"]
    assert normal.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == BODY_FONT
    assert normal.font.size.pt == 16
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    summary = document.tables[0]
    assert [c.text for c in summary.rows[1].cells][:8] == ["全部", "8", "2", "2", "2", "1", "1", "3"]
    overdue = next(t for t in document.tables if t.rows[0].cells[0].text == "要求" and t.rows[0].cells[6].text == "逾期天数")
    assert [r.cells[6].text for r in overdue.rows[1:]] == ["64", "64", "64"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "加大重大工程配套制度措施的公开力度" in body
    with zipfile.ZipFile(io.BytesIO(render(_report(), "docx"))) as z:
        assert "方正小标宋简体" in z.read("word/fontTable.xml").decode()
        assert URL in z.read("word/_rels/document.xml.rels").decode()
        assert all(i.date_time[:3] == (2019, 9, 2) for i in z.infolist())


def test_xlsx_is_the_ledger_with_filters_frozen_header_and_overdue_colours() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(_report(), "xlsx")))
    assert wb.sheetnames == ["台账", "分单位", "逾期事项", "说明"]
    ws = wb["台账"]
    assert [c.value for c in ws[1]] == [name for name, _ in LEDGER_COLUMNS]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8  # one per requirement and unit
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == f"A1:Q{len(rows) + 1}"
    late_col = [name for name, _ in LEDGER_COLUMNS].index("是否逾期")
    assert sorted((r[1], r[7]) for r in rows if r[late_col] == "是") == [("1.1", "化龙镇"), ("1.1", "市发改局"),
                                                                         ("2.1", "市财政局")]
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    assert any(r.formula == ['$K2="是"'] and r.dxf.fill.fgColor.rgb.endswith("F4C7C3") for r in rules)
    units = wb["分单位"]
    total = next(r for r in units.iter_rows(values_only=True) if r[0] == "合计")
    assert total[2:11] == (8, 2, 2, 2, 1, 1, 3, 2, 3)
    assert units.auto_filter.ref and units.freeze_panes == "B2"
    assert [r[7] for r in wb["逾期事项"].iter_rows(min_row=2, values_only=True)] == [64, 64, 64]


def test_xlsx_stores_formula_looking_text_as_text() -> None:
    loaded = make_loaded()
    a = loaded.plan.tasks[1].requirements[0].assignments["市发改局"]
    a.notes[-1] = type(a.notes[-1])(a.notes[-1].at, "op", '=HYPERLINK("http://evil","x")')
    wb = openpyxl.load_workbook(io.BytesIO(render(build_report(loaded, as_of=AS_OF), "xlsx")))
    cell = next(c for row in wb["台账"].iter_rows(min_row=2) for c in row if "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and str(cell.value).startswith("'=")
