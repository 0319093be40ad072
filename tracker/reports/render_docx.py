"""The report as a Word document laid out like a Chinese government document (GB/T 9704, roughly).

A4 with margins of 37/35/28/26 mm (top/bottom/left/right); the title in 方正小标宋简体
二号 (22 pt), centred; first-level headings in 黑体 and second-level ones in 楷体_GB2312,
三号 (16 pt); body text in 仿宋_GB2312 三号 with 28 pt fixed line spacing and a two-character
first-line indent; tables in 仿宋 五号; page numbers ``— 1 —`` at the foot.

Fonts are named for East Asian text through ``w:rFonts/@w:eastAsia``; the font table gives
each an ``altName`` (宋体, 仿宋, 楷体, 黑体) so that Word substitutes a font that is present
when the 方正/GB2312 fonts are not installed. Latin text and digits use Times New Roman.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from tracker.reports.labels import SECTIONS, cn_date, headline, scope_line
from tracker.reports.model import Report
from tracker.reports.ooxml import normalise_package
from tracker.reports.tables import (
    EMPTY,
    Table,
    assignment_table,
    count_sections,
    is_web_address,
    listed_sections,
)

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
# Word substitutes the alternative when a font is missing (common outside government offices).
ALT_NAMES = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING2_FONT: "楷体", HEADING1_FONT: "SimHei"}


def _set_fonts(
    rpr_owner: object, east_asia: str, size: float | None = None, bold: bool | None = None
) -> None:
    """Name the Latin and East Asian fonts of a run or a style."""
    font = rpr_owner.font  # type: ignore[attr-defined]
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    element = rpr_owner.element if hasattr(rpr_owner, "element") else rpr_owner._element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")
    for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(theme_attr)) is not None:
            del rfonts.attrib[qn(theme_attr)]


def _add_alt_names(document: object) -> None:
    """Declare the CJK fonts in the font table with a commonly present alternative."""
    package = document.part.package  # type: ignore[attr-defined]
    for part in package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            extra = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                f'<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
                for name, alt in ALT_NAMES.items()
            ).encode()
            part._blob = part.blob.replace(b"</w:fonts>", extra + b"</w:fonts>")


def _line_spacing(paragraph: Paragraph, points: float) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _setup(document: object) -> None:
    doc = document
    section = doc.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    styles = doc.styles  # type: ignore[attr-defined]
    normal = styles["Normal"]
    _set_fonts(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    for name, font, size in (
        ("Title", TITLE_FONT, 22),
        ("Heading 1", HEADING1_FONT, 16),
        ("Heading 2", HEADING2_FONT, 16),
        ("Heading 3", BODY_FONT, 16),
    ):
        style = styles[name]
        _set_fonts(style, font, size, bold=name == "Heading 3")
        style.font.italic = False
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(36 if name == "Title" else 28)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.keep_with_next = True
        if name == "Title":
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            fmt.first_line_indent = Pt(32)
    # The Title style of the default template draws a rule under itself; an official title has none.
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    _add_alt_names(doc)
    _page_number_footer(section)


def _page_number_footer(section: object) -> None:
    paragraph = section.footer.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        run = paragraph.add_run(text or "")
        _set_fonts(run, "宋体", 14)
        if text is None:
            for kind, instr in (("begin", None), (None, " PAGE "), ("end", None)):
                if kind:
                    fld = OxmlElement("w:fldChar")
                    fld.set(qn("w:fldCharType"), kind)
                    run._element.append(fld)
                else:
                    code = OxmlElement("w:instrText")
                    code.set(qn("xml:space"), "preserve")
                    code.text = instr
                    run._element.append(code)


def _para(
    doc: object,
    text: str,
    *,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: float = 16,
    font: str = BODY_FONT,
    bold: bool = False,
) -> Paragraph:
    paragraph: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    run = paragraph.add_run(text)
    _set_fonts(run, font, size, bold=bold)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _hyperlink(paragraph: Paragraph, url: str) -> None:
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0B57D0")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "21")
    rpr.extend([colour, underline, size])
    text = OxmlElement("w:t")
    text.text = url
    run.extend([rpr, text])
    link.append(run)
    paragraph._p.append(link)


def _table(doc: object, data: Table) -> None:
    """A grid table in 仿宋 五号 with a repeated header row; late rows in red, evidence as hyperlinks."""
    table = doc.add_table(rows=1, cols=len(data.headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, data.headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        _set_fonts(run, HEADING1_FONT, 10.5)
        _line_spacing(cell.paragraphs[0], 16)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for r, row in enumerate(data.rows):
        cells = table.add_row().cells
        late = r < len(data.late) and data.late[r]
        for c, (cell, text) in enumerate(zip(cells, row, strict=True)):
            paragraph = cell.paragraphs[0]
            _line_spacing(paragraph, 16)
            if c in data.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if c == data.links:
                for i, item in enumerate(text.split("\n") if text else ["—"]):
                    target = paragraph if i == 0 else cell.add_paragraph()
                    _line_spacing(target, 16)
                    if is_web_address(item):
                        _hyperlink(target, item)
                    else:
                        _set_fonts(target.add_run(item), BODY_FONT, 10.5)
                continue
            run = paragraph.add_run(text)
            _set_fonts(run, BODY_FONT, 10.5, bold=late and c == 0)
            if late:
                run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
    doc.add_paragraph()  # type: ignore[attr-defined]


def render_docx(report: Report) -> bytes:
    """The report as .docx bytes; the same report gives the same bytes."""
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    title = f"{report.title}执行情况报告"
    props.title = title
    props.author = ""
    props.last_modified_by = ""
    props.comments = scope_line(report)
    props.revision = 1

    doc.add_paragraph(title, style="Title")
    _para(doc, f"(截至{cn_date(report.as_of)})", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, scope_line(report), indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    _para(doc, headline(report))
    for key, table in count_sections(report):
        doc.add_paragraph(SECTIONS[key], style="Heading 1")
        _table(doc, table)
    for key, heading, table in listed_sections(report):
        doc.add_paragraph(heading, style="Heading 1")
        if table.rows:
            _table(doc, table)
        else:
            _para(doc, EMPTY[key])
    doc.add_paragraph(SECTIONS["tasks"], style="Heading 1")
    for n, task in enumerate(report.tasks, start=1):
        doc.add_paragraph(
            f"({_cn_number(n)})任务{task.number} {task.title}({task.status.label})", style="Heading 2"
        )
        for req in task.requirements:
            _para(doc, f"{req.id} {req.text}(时限:{req.deadline or '未明确'})")
            _table(doc, assignment_table(req))
    _para(doc, "", indent=False)
    _para(doc, cn_date(report.as_of), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)

    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_package(buffer.getvalue(), report.as_of)


_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 45 -> 四十五 (enough for the headings of a plan)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)
