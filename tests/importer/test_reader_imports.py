"""A reader's library loads only when its format is read: ``tracker list`` and ``tracker set`` never load them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tracker.store import Store

READER_LIBRARIES = ("pypdfium2", "docx", "openpyxl", "html.parser", "tracker.importer")


def _loaded_after(args: list[str]) -> tuple[str, str]:
    code = (
        "import sys\n"
        "from tracker.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"print('LOADED=' + ','.join(m for m in {READER_LIBRARIES!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout, result.stderr.strip().splitlines()[-1]


def test_list_and_set_load_no_reader_library(store: Store) -> None:
    out, loaded = _loaded_after(["list", "--repo", str(store.path), "--format", "json"])
    assert '"task": 41' in out
    assert loaded == "LOADED="
    out, loaded = _loaded_after(
        ["set", "5.1", "--unit", "市发改局", "--status", "推进中", "--dry-run", "--repo", str(store.path)]
    )
    assert "5.1" in out
    assert loaded == "LOADED="


def test_each_reader_loads_its_own_library_only(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<table><tr><th>工作任务</th><th>具体要求</th><th>责任单位</th></tr>"
                    "<tr><td>1.任务</td><td>要求。</td><td>市财政局</td></tr></table>", encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tracker.importer import import_file\n"
        f"import_file(Path({str(page)!r}), 2023)\n"
        "print(','.join(m for m in ('pypdfium2', 'docx', 'openpyxl') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
