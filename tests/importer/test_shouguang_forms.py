"""Issue 11 item 6: the 2019 Shouguang plan as web page, Word table, PDF and paste imports to ``tasks/``.

Each form is built from the bundled ``tasks/`` (tests/importer/forms.py) and imported back;
the files written must be the bundled ones byte for byte. The only file that differs by
design is ``plan.toml``'s ``source`` (the name of the file imported), so the source is set
to the bundled one's before comparing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.importer.forms import REPO, browser_paste, bundled_plan, web_page, word_document
from tracker.importer import ImportResult, import_file, plan_files
from tracker.importer.pdf_reader import read_pdf

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOFFICE = shutil.which("soffice")


def bundled_files() -> dict[str, str]:
    folder = REPO / "tasks"
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.toml"))}


def assert_same_as_bundled(result: ImportResult) -> None:
    result.plan.info.source = "shouguang-2019.txt"
    files = plan_files(result)
    expected = bundled_files()
    assert sorted(files) == sorted(expected)
    different = [name for name in expected if files[name] != expected[name]]
    assert different == [], f"{len(different)} files differ, first {different[:3]}: {files[different[0]][:600]}"


@pytest.mark.parametrize("charset", ["utf-8", "gbk", "gb2312", "gb18030"])
def test_web_page_with_rowspans(tmp_path: Path, charset: str) -> None:
    page = tmp_path / "shouguang-2019.html"
    page.write_bytes(web_page(bundled_plan(), charset))
    result = import_file(page, 2019)
    assert result.report.reader == "html"
    assert_same_as_bundled(result)


def test_web_page_saved_with_a_wrong_extension(tmp_path: Path) -> None:
    page = tmp_path / "notice.txt"
    page.write_bytes(web_page(bundled_plan(), "gbk"))
    result = import_file(page, 2019)
    assert result.report.reader == "html"
    assert_same_as_bundled(result)


def test_word_table_with_merged_cells(tmp_path: Path) -> None:
    path = word_document(bundled_plan(), tmp_path / "shouguang-2019.docx")
    result = import_file(path, 2019)
    assert result.report.reader == "docx"
    assert_same_as_bundled(result)


def test_browser_paste(tmp_path: Path) -> None:
    path = tmp_path / "paste.txt"
    path.write_text(browser_paste(bundled_plan()), encoding="utf-8")
    result = import_file(path, 2019)
    assert result.report.reader == "tab"
    assert_same_as_bundled(result)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install -y libreoffice-writer-nogui)")
@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_old_word_file_converted_by_libreoffice(tmp_path: Path, suffix: str) -> None:
    """The web page saved as Word 97 by LibreOffice Writer, under the name an office gives it, imports the same.

    (The page, not the python-docx document, is the source: LibreOffice's Word 97 export drops a
    python-docx table with vertical merges, which no office's .doc has.)
    """
    page = tmp_path / "shouguang-2019.html"
    page.write_bytes(web_page(bundled_plan(), "utf-8"))
    assert SOFFICE is not None
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless", "--norestore",
         "--infilter=HTML (StarWriter)", "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path / "old"), str(page)],
        check=True, capture_output=True, timeout=180, stdin=subprocess.DEVNULL,
    )
    old = (tmp_path / "old" / "shouguang-2019.doc").read_bytes()
    assert old[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE2 compound file, not a zip: really the old format
    path = tmp_path / f"shouguang-2019{suffix}"
    path.write_bytes(old)
    result = import_file(path, 2019)
    assert result.report.reader == "docx"
    assert_same_as_bundled(result)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
def test_pdf_printed_from_the_web_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(web_page(bundled_plan(), "utf-8"))
    pdf = tmp_path / "shouguang-2019.pdf"
    print_to_pdf(page, pdf, tmp_path)
    result = import_file(pdf, 2019)
    assert result.report.reader == "pdf"
    assert_same_as_bundled(result)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
def test_pdf_whose_page_breaks_cut_rows_and_hold_two_tables(tmp_path: Path) -> None:
    """Printed as browsers print by default: page breaks cut rows and merged cells in two.

    With Chromium 2026's print, 9 of the 14 page breaks cut a row or a merged task cell
    (a requirement runs on, a unit name is cut after its 、, a task title goes on under
    the repeated header), and the last page holds a second table (contacts) below the
    task table. Each cut cell is joined back and the contacts table is not read as
    tasks: the plan is byte for byte the bundled one.
    """
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    from tracker.importer.pdf_reader import _page_content, _page_items

    page = tmp_path / "page.html"
    page.write_bytes(web_page(bundled_plan(), "utf-8", whole_rows=False, contact_table=True))
    pdf = tmp_path / "shouguang-2019.pdf"
    print_to_pdf(page, pdf, tmp_path)
    document = pdfium.PdfDocument(pdf.read_bytes())
    cut = 0  # page breaks that cut a cell: the test means nothing without some
    for index in range(len(document) - 1):
        chars, edges = _page_content(document[index], document[index].get_textpage(), raw)
        tables = [item for kind, item in _page_items(chars, edges) if kind == "table"]
        cut += bool(tables and tables[-1].grid.open_columns)
    assert cut >= 3, f"only {cut} page breaks cut a cell: the print no longer tests joining"
    extract = read_pdf(pdf.read_bytes(), pdf.name)
    last_page = [t for t in extract.tables if t.label == extract.tables[-1].label]
    assert len(last_page) == 2 and [c.text for c in last_page[1].rows[0].cells] == ["联系人", "联系电话", "电子邮箱"]
    result = import_file(pdf, 2019)
    assert result.report.reader == "pdf"
    assert_same_as_bundled(result)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install -y libreoffice-writer-nogui)")
def test_pdf_exported_by_a_word_processor(tmp_path: Path) -> None:
    """The Word attachment saved as PDF by LibreOffice Writer, as offices export their notices.

    A word processor lets a page break cut a row but draws the rules closed on both
    pages, and breaks lines by Chinese rules (a closing mark never starts a line, a number
    is not split), so lines end short mid-sentence. Every task file comes back byte for
    byte; of plan.toml only the notice title's spaces around ``2019`` may differ (the PDF
    spaces Chinese and digits by layout, not by characters).
    """
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    from tracker.importer.pdf_reader import _cut_but_closed, _page_content, _page_items

    assert SOFFICE is not None
    document = word_document(bundled_plan(), tmp_path / "shouguang-2019.docx", ruled=True)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(document)],
        check=True, capture_output=True, timeout=180, stdin=subprocess.DEVNULL,
    )
    pdf = tmp_path / "shouguang-2019.pdf"
    pages = pdfium.PdfDocument(pdf.read_bytes())
    tables = []
    for index in range(len(pages)):
        chars, edges = _page_content(pages[index], pages[index].get_textpage(), raw)
        tables.append([item for kind, item in _page_items(chars, edges) if kind == "table"])
    cut = sum(_cut_but_closed(a[-1], b[0], []) is not None for a, b in zip(tables, tables[1:], strict=False) if a and b)
    assert cut >= 3, f"only {cut} page breaks cut a row: the export no longer tests joining"
    result = import_file(pdf, 2019)
    assert result.report.reader == "pdf"
    result.plan.info.source = "shouguang-2019.txt"
    files, expected = plan_files(result), bundled_files()
    assert sorted(files) == sorted(expected)
    assert [n for n in expected if n != "plan.toml" and files[n] != expected[n]] == []
    assert files["plan.toml"].replace(" ", "") == expected["plan.toml"].replace(" ", "")


def print_to_pdf(page: Path, pdf: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium-profile'}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}", page.as_uri(),
        ],
        check=True, capture_output=True, timeout=120,
    )
    assert pdf.stat().st_size > 1000
