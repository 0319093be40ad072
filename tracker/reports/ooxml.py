"""Make .docx/.xlsx bytes reproducible: fixed zip timestamps and document dates.

python-docx and openpyxl stamp the zip entries and ``docProps/core.xml`` with the wall
clock; a report must be the same bytes for the same store and as-of date, so both are
rewritten with the as-of date.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_package(data: bytes, as_of: date) -> bytes:
    """Rewrite an OOXML package with every timestamp set to ``as_of`` (midnight UTC)."""
    stamp = f"{as_of.isoformat()}T00:00:00Z".encode()
    when = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()
