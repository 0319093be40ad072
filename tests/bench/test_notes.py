"""The bench's notes stay one short line, and a failing command or peer says how it failed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tracker.bench import peers
from tracker.bench.run import FLOOR_LIST, Result, Skip, run_checked, table


def test_a_failing_script_is_named_not_printed() -> None:
    with pytest.raises(Skip) as caught:
        run_checked([sys.executable, "-c", FLOOR_LIST, "/nonexistent", "plan/2019", ""])
    message = str(caught.value)
    assert "\n" not in message and "import json" not in message
    assert "-c SCRIPT /nonexistent" in message and "exit 1" in message


def test_table_rows_are_one_line_whatever_the_note() -> None:
    note = "10328 条(4.3%) `\nimport json, subprocess\nrows = [] | x\n" + "同行: 很长的说明 " * 40
    lines = table([Result("list", "L", "ms", ours=5491.2, note=note)]).splitlines()
    assert len(lines) == 3  # header, rule, the one row
    row = lines[2]
    assert row.count("|") == 10  # a bar in the note would add a column
    assert "import json" in row and len(row.split("|")[-2]) <= 162


def test_peer_failure_names_the_command_and_the_signal() -> None:
    line = peers.failure(["task", "rc.confirmation=off", "rc.bulk=0", "import", "/tmp/x.json"], -9, b"")
    assert line == "`task import /tmp/x.json` 信号 9(内存不足时被杀?)"
    line = peers.failure(["task", "rc.gc=off", "modify"], 2, b"first\nNo matches.\n\n")
    assert line == "`task modify` 退出码 2: No matches."


@pytest.mark.skipif(shutil.which("task") is None, reason="Taskwarrior is not installed (apt-get install taskwarrior)")
def test_taskwarrior_loads_in_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(peers, "IMPORT_BATCH", 3)
    items = [{"task": n, "key": "1", "unit": f"单位{n}", "tag": f"u{n:03d}", "text": "做好公开"} for n in range(7)]
    warrior = peers.Taskwarrior(tmp_path / "tw")
    warrior.load(items)
    assert len(warrior.uuids) == 7 == len(set(warrior.uuids))
    assert not (tmp_path / "tw" / "import.json").exists()
    warrior.show(6)  # the last batch's item is there
