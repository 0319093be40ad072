"""Any bytes end in a plan or one clear ``NoticeImportError`` line, never another exception (issue 11, item 7)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.importer import NoticeImportError, import_file, import_text

SUFFIXES = [".txt", ".html", ".htm", ".docx", ".pdf", ".xlsx", ".csv", ".doc", ".wps", ""]
WORDS = [
    "工作任务", "具体要求", "责任单位", "责任科室", "时限要求", "序号", "牵头单位", "配合单位", "具 体 要 求",
    "1.推进公开", "一、做好公开", "(一)推进公开", "市发改局牵头落实", "各镇(街区)分别落实", "各科室",
    "全年", "年底前", "持续推进", "每季度", "6月底前/全年", "(牵头单位:市财政局;责任单位:各镇(街区))",
    "(2019年6月底前完成)", "2", "12", "|", "\t", "要求。", "办公室", "⼯作任务", "(", ")", "",
]
ROBUST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


OUTCOMES = ("plan", "refused")


def _import_bytes(tmp_path: Path, data: bytes, suffix: str) -> str:
    """"plan" or "refused" (one line naming the file); anything else fails here."""
    path = tmp_path / f"notice{suffix}"
    path.write_bytes(data)
    try:
        result = import_file(path, 2023, allow_unknown_units=True)
    except NoticeImportError as exc:
        first = exc.message.splitlines()[0]
        assert first.startswith(path.name + ":") or first.startswith("--columns"), first
        assert "Traceback" not in str(exc)
        return "refused"
    assert result.plan.tasks
    return "plan"


@ROBUST
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    assert _import_bytes(tmp_path, data, suffix) in OUTCOMES


@ROBUST
@given(
    magic=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<html>", b"{\\rtf1"]),
    rest=st.binary(max_size=1500),
    suffix=st.sampled_from(SUFFIXES),
)
def test_random_bytes_behind_a_format_signature(tmp_path: Path, magic: bytes, rest: bytes, suffix: str) -> None:
    assert _import_bytes(tmp_path, magic + rest, suffix) in OUTCOMES


@ROBUST
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=6), max_size=30), st.sampled_from(["\n", "\n|\n", " | ", "\t"]))
def test_notice_like_text(rows: list[list[str]], joiner: str) -> None:
    text = "\n".join(joiner.join(row) for row in rows)
    try:
        result = import_text(text, 2023, allow_unknown_units=True)
    except NoticeImportError as exc:
        assert exc.message.startswith("<notice>")
        return
    assert result.plan.tasks


_SPAN = st.sampled_from(["", "0", "-1", "1", "2", "3", "999999", "x", "2.5"])
_CELL = st.tuples(st.sampled_from(["td", "th"]), _SPAN, _SPAN, st.sampled_from(WORDS))
_ROW = st.lists(_CELL, max_size=6)


@ROBUST
@given(rows=st.lists(_ROW, max_size=12), charset=st.sampled_from(["utf-8", "gbk", "gb2312", "gb18030", "latin-1", "bogus"]),
       close=st.booleans())
def test_random_html_tables(tmp_path: Path, rows: list[list[tuple[str, str, str, str]]], charset: str, close: bool) -> None:
    parts = [f'<html><head><meta charset="{charset}"></head><body><p>通知</p><table>']
    for row in rows:
        parts.append("<tr>")
        for tag, rowspan, colspan, text in row:
            parts.append(f'<{tag} rowspan="{rowspan}" colspan="{colspan}">{text}' + (f"</{tag}>" if close else ""))
        parts.append("</tr>" if close else "")
    parts.append("</table></body></html>")
    assert _import_bytes(tmp_path, "".join(parts).encode("utf-8"), ".html") in OUTCOMES


def _docx_bytes(rows: int = 3) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("某局2023年政务公开重点任务分工")
    table = document.add_table(rows=rows + 1, cols=4)
    for col, header in enumerate(["工作任务", "具体要求", "责任科室", "时限要求"]):
        table.cell(0, col).text = header
    for r in range(1, rows + 1):
        for col, text in enumerate([f"{r}.任务{r}", f"要求{r}。", "办公室", "年底前"]):
            table.cell(r, col).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX = _docx_bytes()


def test_a_small_docx_imports(tmp_path: Path) -> None:
    path = tmp_path / "plan.docx"
    path.write_bytes(DOCX)
    plan = import_file(path, 2023, allow_unknown_units=True).plan
    assert sorted(plan.tasks) == [1, 2, 3]
    assert plan.tasks[2].requirements[0].deadline == "年底前"


@ROBUST
@given(cut=st.integers(min_value=0, max_value=len(DOCX) - 1))
def test_truncated_docx(tmp_path: Path, cut: int) -> None:
    assert _import_bytes(tmp_path, DOCX[:cut], ".docx") == "refused"  # a cut zip loses its directory


@ROBUST
@given(names=st.lists(st.sampled_from(["a.txt", "word/other.xml", "[Content_Types].xml", "xl/x.xml", "doc.xml"]), max_size=4, unique=True),
       suffix=st.sampled_from([".docx", ".xlsx", ".txt"]))
def test_zip_that_is_not_a_docx(tmp_path: Path, names: list[str], suffix: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "工作任务")
    assert _import_bytes(tmp_path, buffer.getvalue(), suffix) in OUTCOMES


def minimal_pdf(content: bytes = b"", encrypt: bool = False) -> bytes:
    """A one-page PDF written by hand: blank (a scan has no text either) or with a bogus password."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    trailer = b""
    if encrypt:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>" % (b"ab" * 32, b"cd" * 32))
        trailer = b"/Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>] "
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return out


def test_pdf_without_text_layer_says_so(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf(b"0 0 m 100 100 l S"))
    with pytest.raises(NoticeImportError, match=r"^scan.pdf: 这个 PDF 没有文字层\(可能是扫描件\)"):
        import_file(path, 2023)


def test_encrypted_pdf_says_so(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(minimal_pdf(encrypt=True))
    with pytest.raises(NoticeImportError, match=r"^locked.pdf: 无法打开 PDF\(文件已加密,请先去掉密码\)"):
        import_file(path, 2023)


@ROBUST
@given(cut=st.integers(min_value=0, max_value=len(minimal_pdf(b"BT /F1 12 Tf 72 720 Td (x) Tj ET")) - 1))
def test_truncated_pdf(tmp_path: Path, cut: int) -> None:
    assert _import_bytes(tmp_path, minimal_pdf(b"BT /F1 12 Tf 72 720 Td (x) Tj ET")[:cut], ".pdf") == "refused"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.html", b"<html><body><table></table></body></html>"),
        ("header-only.html", "<table><tr><th>工作任务</th><th>具体要求</th><th>责任单位</th></tr></table>".encode()),
        ("empty.docx", _docx_bytes(rows=0)),
        ("empty.csv", b""),
        ("header-only.csv", "工作任务,具体要求,责任单位\n".encode()),
    ],
    ids=["empty.html", "header-only.html", "empty.docx", "empty.csv", "header-only.csv"],
)
def test_empty_tables_are_one_clear_error(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(NoticeImportError) as caught:
        import_file(path, 2023)
    assert caught.value.message.startswith(f"{name}: ")
