"""``tracker import --dry-run`` of every real notice in tests/data/notices prints a summary a clerk can check."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import i18n
from tracker.cli import app

NOTICES = Path(__file__).resolve().parents[1] / "data" / "notices"
FOLDERS = sorted(p for p in NOTICES.iterdir() if (p / "expected.toml").is_file())
runner = CliRunner()


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_dry_run_summary_of_a_real_notice(folder: Path) -> None:
    i18n.set_lang(None)
    expected = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    document = folder / str(expected.get("document", "notice.txt"))
    result = runner.invoke(app, ["import", str(document), "--plan", str(expected["year"]), "--dry-run"], env={"LANG": "C"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("读取方式: ")
    task_lines = [line for line in lines if line.startswith("任务") and " | 要求" in line]
    assert [int(line[2:].split(" ", 1)[0]) for line in task_lines] == [t["number"] for t in expected["tasks"]]
    for line, task in zip(task_lines, expected["tasks"], strict=True):
        assert f" | 要求{task['requirements']}条 | " in line
    if not expected["complete"]:
        # the cut row is named with its line or row number
        assert "无法归类的行(" in result.stdout or "编号段落没有责任单位" in result.stdout
