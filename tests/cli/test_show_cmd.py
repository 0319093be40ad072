"""``tracker show TASK``: text, requirements, every assignment with status, note, evidence, last change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.query.plans import write_plan_folder
from tracker.cli import app
from tracker.tabular import text_width

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_plan_folder(tmp_path / "tasks")


def test_show_prints_every_assignment_with_its_details(folder: Path) -> None:
    result = runner.invoke(app, ["show", "2", "--repo", str(folder), "--as-of", "2019-09-01"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == "任务2 推进乡村振兴信息公开"
    assert lines[1] == "一、扎实做好重点领域信息公开 / (一)做好助推高质量发展信息公开"
    assert "2.1  状态: 推进中  时限: 6月底前(2019-06-30)" in lines
    assert "  重点公开耕地质量提升计划和征地信息。" in lines
    yingli = next(line for line in lines if line.strip().startswith("营里镇"))
    assert yingli.split() == ["营里镇", "落实", "已完成", "2019-08-01", "10:00", "yingli"]
    assert "      进展 2019-08-01 yingli: 已公开耕地计划" in lines
    assert "      佐证: http://example.gov.cn/a.html" in lines
    assert next(line for line in lines if line.strip().startswith("化龙镇")).split() == ["化龙镇", "落实", "推进中", "逾期"]
    assert "2.2  状态: 未启动  时限: 未写明(未定)" in lines
    assert max(text_width(line) for line in lines) <= 100


def test_show_one_requirement_and_json(folder: Path) -> None:
    one = runner.invoke(app, ["show", "2.2", "--repo", str(folder)])
    assert one.exit_code == 0 and "2.1" not in one.stdout and "市直相关部门" in one.stdout
    data = json.loads(runner.invoke(app, ["show", "2", "-f", "json", "--repo", str(folder),
                                          "--as-of", "2019-09-01"]).stdout)
    assert data["task"] == 2 and [r["requirement"] for r in data["requirements"]] == ["2.1", "2.2"]
    yingli = next(a for a in data["requirements"][0]["assignments"] if a["unit"] == "营里镇")
    assert (yingli["status"], yingli["note"], yingli["updated_by"]) == ("done", "已公开耕地计划", "yingli")


def test_show_in_english(folder: Path) -> None:
    result = runner.invoke(app, ["show", "9", "--repo", str(folder), "--lang", "en", "--as-of", "2019-09-01"])
    assert result.stdout.splitlines()[0] == "Task 9 做好征地信息公开"
    assert "status: blocked" in result.stdout and "overdue" in result.stdout


def test_show_on_the_store(cli) -> None:  # noqa: ANN001
    assert cli("set", "1.1", "--unit", "营里镇", "--status", "done", "--note", "已办结").exit_code == 0
    result = cli("show", "1")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("任务1 推进新旧动能转换重大工程信息公开")
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("营里镇"))
    assert "已完成" in line and "admin" in line
    assert "已办结" in result.stdout


@pytest.mark.parametrize(("arg", "code", "message"), [
    ("99", 1, "没有任务 99"), ("2.9", 1, "任务2 没有要求 2.9"), ("../5", 2, "任务编号"), ("x", 2, "任务编号"),
])
def test_show_errors(folder: Path, arg: str, code: int, message: str) -> None:
    result = runner.invoke(app, ["show", arg, "--repo", str(folder)])
    assert result.exit_code == code
    assert message in result.stderr


def test_show_missing_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", "1", "--repo", str(tmp_path / "none")])
    assert result.exit_code == 1 and "找不到数据仓库" in result.stderr
