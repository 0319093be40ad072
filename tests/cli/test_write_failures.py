"""No traceback when input is huge or the disk is full: one clear line, nothing half-written.

The full disk is a tiny tmpfs filled to the last byte (mounted when the tests run as
root); elsewhere the same ENOSPC is raised from inside the real write calls.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import pathlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tracker.store import Store


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text and "Exception" not in text
    return lines[0]


def test_apply_of_a_csv_with_a_million_character_cell_names_file_and_row(cli: Cli, store: Store,
                                                                        tmp_path: Path) -> None:
    exported = cli("export", "--format", "csv")
    assert exported.exit_code == 0
    rows = list(csv.reader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    rows[3][7] = "进" * 1_000_000
    sheet = tmp_path / "填报.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    before = store.tip(2019)
    result = cli("apply", str(sheet))
    assert result.exit_code == 1
    line = one_line(result.output)
    assert "填报.csv" in line and "第 4 行" in line
    assert store.tip(2019) == before


class _FullFile(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on a full file system."""
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    ).returncode == 0
    if mounted:
        with contextlib.suppress(OSError), (folder / ".filler").open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    else:  # the same error, raised inside the real write calls for files in that folder
        real_fdopen, real_write_bytes = os.fdopen, pathlib.Path.write_bytes

        def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder)):
                os.close(fd)
                return io.BufferedWriter(_FullFile())
            return real_fdopen(fd, *args, **kwargs)

        def write_bytes(self: Path, data: bytes) -> int:
            if str(self).startswith(str(folder)):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write_bytes(self, data)

        monkeypatch.setattr(os, "fdopen", fdopen)
        monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def left_over(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name != ".filler")


@pytest.mark.parametrize("args", [
    ("export", "-o", "{}/填报.xlsx"),
    ("export", "--format", "csv", "-o", "{}/填报.csv"),
    ("report", "--format", "markdown", "-o", "{}/报告.md"),
    ("report", "--format", "html", "-o", "{}/报告.html"),
    ("report", "--format", "xlsx", "-o", "{}/报告.xlsx"),
    ("report", "--format", "docx", "-o", "{}/报告.docx"),
    ("remind", "--dry-run", "--as-of", "2020-01-10", "-o", "{}/催办"),
])
def test_a_full_disk_is_one_line_and_leaves_no_partial_file(cli: Cli, full_disk: Path, args: tuple[str, ...]) -> None:
    result = cli(*(a.format(full_disk) for a in args))
    assert result.exit_code == 1, result.output
    line = one_line(result.output)
    assert str(full_disk) in line and ("No space left" in line or "空间" in line)
    assert [name for name in left_over(full_disk) if name != "催办"] == []
    if (full_disk / "催办").exists():
        assert left_over(full_disk / "催办") == []


def test_import_into_a_full_disk_is_one_line(cli: Cli, full_disk: Path) -> None:
    notice = Path(__file__).resolve().parents[1] / "data" / "shouguang-2019.txt"
    result = cli("import", str(notice), "--plan", "2019", "--into", str(full_disk / "plan"))
    assert result.exit_code == 1, result.output
    line = one_line(result.output)
    assert str(full_disk / "plan") in line
    assert left_over(full_disk) == []
