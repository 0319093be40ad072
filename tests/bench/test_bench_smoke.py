"""`python -m tracker.bench run --quick` completes and prints the table (no timing asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tracker.bench.run import HEADER, LABELS


def test_quick_run_prints_the_table(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKER_BENCH_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "tracker.bench", "run", "--quick", "--json", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert HEADER in lines
    for label in LABELS.values():
        assert any(line.startswith(f"| {label} | T |") for line in lines), label
    assert (tmp_path / "r.json").exists()


def test_generate_command_reports_the_store(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker.bench",
            "generate",
            str(tmp_path / "s"),
            "--tasks",
            "3",
            "--commits",
            "4",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 项任务" in proc.stdout and "4 次提交" in proc.stdout
    again = subprocess.run(
        [sys.executable, "-m", "tracker.bench", "generate", str(tmp_path / "s"), "--tasks", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1 and "不是空目录" in again.stderr
