"""Old Word/WPS files (``.doc``, ``.wps``) -> .docx bytes, by LibreOffice when it is installed.

No Python library reads the old binary Word format well; LibreOffice does, and
offices that use WPS often have it. When ``soffice`` is not on ``PATH`` the user
gets one line telling them to save the file as .docx.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tracker.importer.builder import NoticeImportError

CONVERT_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile


def convert_to_docx(data: bytes, source: str) -> bytes:
    """The .docx that LibreOffice makes of an old Word/WPS document.

    Raises:
        NoticeImportError: LibreOffice is not installed, or the conversion failed.
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise NoticeImportError(
            f"{source}: 这是旧版 Word/WPS 文件(.doc/.wps),本机没有安装 LibreOffice,无法转换;"
            "请在 Word 或 WPS 中“另存为”.docx 后再导入"
        )
    with tempfile.TemporaryDirectory(prefix="tracker-doc-") as tmp:
        folder = Path(tmp)
        original = folder / "notice.doc"
        original.write_bytes(data)
        profile = (folder / "profile").as_uri()
        command = [
            soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
            "--convert-to", "docx", "--outdir", str(folder / "out"), str(original),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise NoticeImportError(f"{source}: LibreOffice 转换失败({type(exc).__name__});请另存为 .docx 后再导入") from None
        converted = folder / "out" / "notice.docx"
        if not converted.exists():
            raise NoticeImportError(f"{source}: LibreOffice 无法转换这个文件;请在 Word 或 WPS 中另存为 .docx 后再导入")
        return converted.read_bytes()
