"""The HTML report of the bundled plan, with a seeded set of changes, rendered by headless Chromium at A4 width.

Chromium (Debian's ``chromium``, with ``fonts-noto-cjk`` for the Chinese text) is started by
the test when it is installed; without it the test is skipped and says why. The DOM after
loading must hold both charts and the overdue table, and the screenshot must show the page
(not a blank or an error page): enough ink, and the status colours of the charts.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracker.model import Status
from tracker.reports.labels import STATUS_COLOURS
from tracker.service import Change, Service
from tracker.store import Store

AS_OF = "2019-09-02"
CST = timezone(timedelta(hours=8))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4 = (794, 1123)  # CSS pixels of an A4 page at 96 dpi


def seed_changes(store: Store) -> None:
    """A deterministic spread of statuses, notes and evidence over the bundled plan, in two commits."""
    admin = next(op for op in store.operators().values() if op.role == "admin")
    service = Service(store, admin, clock=lambda: datetime(2019, 8, 26, 9, 30, tzinfo=CST))
    plan = store.load().plan
    changes: list[Change] = []
    for i, (task, req, a) in enumerate(plan.assignments()):
        if i % 3 == 0:
            changes.append(Change(task.number, req.key, a.unit, "status", Status.DONE.value))
            changes.append(Change(task.number, req.key, a.unit, "evidence",
                                  f"http://www.shouguang.gov.cn/xxgk/2019/{task.number}-{req.key}.html"))
        elif i % 4 == 1:
            changes.append(Change(task.number, req.key, a.unit, "status", Status.IN_PROGRESS.value))
            changes.append(Change(task.number, req.key, a.unit, "note", f"已制定工作方案,正在整理第{i % 7 + 1}批公开材料"))
        elif i % 29 == 2:
            changes.append(Change(task.number, req.key, a.unit, "status", Status.BLOCKED.value))
            changes.append(Change(task.number, req.key, a.unit, "note", "需上级部门明确公开口径"))
        elif i % 31 == 5:
            changes.append(Change(task.number, req.key, a.unit, "status", Status.NOT_APPLICABLE.value))
    half = len(changes) // 2 // 2 * 2  # keep each status with its note or evidence
    service.apply(changes[:half])
    service.apply(changes[half:])


def png_pixels(data: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, unfiltered rows and bytes per pixel of an 8-bit RGB/RGBA PNG (no Pillow needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = bpp = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, up_left = prev[x], prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'chromium-profile'}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def html_report(store: Store, cli: Callable[..., object], tmp_path: Path) -> Path:
    seed_changes(store)
    for query in ("overdue", "group:各镇(街区) overdue"):
        result = cli("remind", query, "--as-of", AS_OF)
        assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    out = tmp_path / "report.html"
    result = cli("report", "--format", "html", "--as-of", AS_OF, "-o", str(out))
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    return out


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium fonts-noto-cjk)")
def test_chromium_renders_charts_and_overdue_table_at_a4_width(html_report: Path, tmp_path: Path) -> None:
    url = html_report.resolve().as_uri()
    dom = _chromium(tmp_path, f"--window-size={A4[0]},{A4[1]}", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 2
    assert 'id="chart-units"' in dom.stdout and 'id="chart-sections"' in dom.stdout
    assert dom.stdout.count('class="seg-done"') > 10  # bars drawn for the seeded done items
    overdue = dom.stdout.split('id="overdue-table"', 1)[1].split("</table>", 1)[0]
    late = re.search(r"逾期(\d+)项", dom.stdout)
    assert late is not None and int(late.group(1)) > 10
    assert overdue.count("<tr") == 1 + int(late.group(1))
    assert "化龙镇" in overdue and "需上级部门明确公开口径" in overdue
    assert re.search(r'<td class="n">2</td>', overdue)  # towns reminded twice

    shot = tmp_path / "report.png"
    result = _chromium(tmp_path, f"--window-size={A4[0]},{A4[1]}", f"--screenshot={shot}", url)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    keep = os.environ.get("TRACKER_REPORT_SCREENSHOT")  # refresh docs/report-screenshot.png by hand
    if keep:
        shutil.copyfile(shot, keep)
    width, height, rows, bpp = png_pixels(shot.read_bytes())
    assert (width, height) == A4
    ink = colours = 0
    wanted = [bytes.fromhex(STATUS_COLOURS[s][1:]) for s in (Status.DONE, Status.IN_PROGRESS)]
    found = {c: 0 for c in wanted}
    for row in rows:
        for x in range(0, len(row), bpp):
            pixel = row[x : x + 3]
            if min(pixel) < 200:
                ink += 1
            if pixel in found:
                found[pixel] += 1
                colours += 1
    assert ink > width * height * 0.03, "the page looks blank"
    assert all(n > 100 for n in found.values()), found  # chart bars in the status colours

    pdf = tmp_path / "report.pdf"
    result = _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url)
    assert result.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", result.stderr[-2000:]
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf.read_bytes()))
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)  # A4 in points
