"""``scripts/bench_import.py`` runs and prints its table (no timing asserted: figures go to docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_import.py"


def test_bench_import_prints_a_row_per_form() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--rows", "12", "--repeats", "1"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[0] == "| import | rows | tasks | requirements | seconds (median) | target |"
    assert lines[2].startswith("| .docx table | 12 | 4 | 12 | ")
    assert lines[3].startswith(("| .pdf table (text layer, Chromium print) | 12 | 4 | 12 | ", "| .pdf table | 12 | - |"))
