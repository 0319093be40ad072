"""Which reader a file needs, recognised by its content (the extension is only a hint).

A ``.txt`` that is really a saved web page, a ``.doc`` that is really a .docx,
or a PDF without extension all reach the right reader. Zip packages are told
apart by the part that makes them Word (``word/document.xml``) or Excel
(``xl/workbook.xml``); old binary Office files (OLE) by the stream name inside.
"""

from __future__ import annotations

import io
import re
import zipfile

_HTML = re.compile(rb"<\s*(!doctype\s+html|html|head|body|table|meta|div|p)[\s>/]", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_WORD = "WordDocument".encode("utf-16-le")
_UTF16_BOOK = "Workbook".encode("utf-16-le")

# What detect_format returns.
FORMATS = ("pdf", "docx", "xlsx", "zip", "damaged", "word97", "xls", "rtf", "html", "csv", "text")


def detect_format(data: bytes, suffix: str = "") -> str:
    """The format of ``data``: one of :data:`FORMATS`; ``suffix`` (``.csv``) decides only among texts."""
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        # A damaged package: let the reader its name promises say it cannot read it.
        return {".docx": "docx", ".xlsx": "xlsx"}.get(suffix, kind) if kind == "damaged" else kind
    if data.startswith(_OLE):
        if _UTF16_WORD in data[:1_000_000] or suffix in (".doc", ".wps", ".dot"):
            return "word97"
        if _UTF16_BOOK in data[:1_000_000] or suffix in (".xls", ".et"):
            return "xls"
        return "word97"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    sample = data[:65536]
    if _HTML.search(sample) and (b"</" in sample or suffix in (".html", ".htm", ".mht")):
        return "html"
    if suffix == ".csv":
        return "csv"
    return "text"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "damaged"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"
