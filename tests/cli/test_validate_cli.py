"""``tracker validate``: every problem as file:line: message; exit 1 if any."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    folder = tmp_path / "tasks"
    shutil.copytree(REPO / "tasks", folder)
    return folder


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_bundled_plan_is_valid() -> None:
    result = runner.invoke(app, ["validate", str(REPO / "tasks")])
    assert result.exit_code == 0, result.output
    assert "没有发现问题(41 个任务文件)" in result.output


def test_default_is_tasks_under_the_current_folder(plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(plan.parent)
    assert runner.invoke(app, ["validate"]).exit_code == 0
    _edit(plan / "05.toml", 'status = "not_started"', 'status = "finished"')
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert result.output.startswith("tasks/05.toml:")


def test_every_problem_is_listed_with_file_and_line(plan: Path) -> None:
    _edit(plan / "05.toml", 'status = "not_started"', 'status = "finished"')
    _edit(plan / "06.toml", "due = [2019-12-31]", 'due = ["2019-12-31"]')
    _edit(plan / "09.toml", "due = [2019-12-31]", "due = [2019-11-30]")
    _edit(plan / "10.toml", '[requirements.1.units."化龙镇"]', '[requirements.1.units."火星镇"]')
    _edit(plan / "11.toml", 'title = "', 'title = "\n')
    _edit(plan / "26.toml", "due = []", "due = [2019-12-31]")
    shutil.copy(plan / "12.toml", plan / "012.toml")
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    p = str(plan)

    def line_of(name: str, needle: str) -> int:
        return next(i for i, text in enumerate((plan / name).read_text(encoding="utf-8").splitlines(), 1) if needle in text)

    assert f"{p}/05.toml:{line_of('05.toml', 'finished')}: 单位 市政府办公室: 未知状态 'finished'" in result.output
    assert f"{p}/06.toml:{line_of('06.toml', 'due = [')}: due 里的 '2019-12-31' 不是日期(应写作 2019-12-31)" in lines
    assert f"{p}/09.toml:{line_of('09.toml', 'due = [')}: due(2019-11-30)与时限“全年”不符,应为 2019-12-31" in lines
    assert f"{p}/10.toml:{line_of('10.toml', '火星镇')}: 单位“火星镇”既不在 units.toml 中,也不是分组" in lines
    assert any(line.startswith(f"{p}/11.toml:3: TOML 格式错误") for line in lines)
    assert f"{p}/26.toml:{line_of('26.toml', 'due = [')}: due(2019-12-31)不应有日期: 未规定时限" in lines
    assert f"{p}/12.toml:2: 任务编号 12 重复(另见 {p}/012.toml)" in lines
    assert "发现 " in result.output


def test_broken_meta_files_and_stray_files(plan: Path) -> None:
    _edit(plan / "units.toml", 'kind = "镇"', 'kind = "村"')
    (plan / "notes.toml").write_text("a = 1\n", encoding="utf-8")
    _edit(plan / "operators.toml", "# [operators.zhangsan]", '[operators.zhangsan]\nrole = "boss"\nunits = ["火星镇"]\n#')
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    assert "units.toml:" in result.output and "未知单位类别 '村'" in result.output
    assert f"{plan}/notes.toml:1: 文件名不是任务编号" in result.output
    assert "操作员 zhangsan 的角色 'boss' 不对" in result.output


def test_operators_units_are_checked_against_the_registry(plan: Path) -> None:
    _edit(plan / "operators.toml", "# [operators.zhangsan]", '[operators.zhangsan]\nunits = ["火星镇", "营里镇"]\n#')
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{plan}/operators.toml:5: 操作员 zhangsan 的单位 '火星镇' 不在 units.toml 中"
    assert "营里镇" not in result.output


def test_missing_folder_and_empty_folder(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", str(tmp_path / "nope")]).exit_code == 1
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "缺少 plan.toml" in result.output


def test_validate_reads_the_store_branch_not_the_folder(cli, store) -> None:
    """Without PATH, the plan branch of the store is checked at its tip (a hand-made bad commit shows)."""
    import subprocess

    assert cli("validate").exit_code == 0
    path = store.path / "tasks" / "05.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('status = "not_started"', 'status = "完成了"', 1), encoding="utf-8")
    git = ["git", "-C", str(store.path), "-c", "core.hooksPath=/dev/null", "-c", "user.name=x", "-c", "user.email=x@y"]
    subprocess.run([*git, "commit", "-qam", "hand edit"], check=True)
    result = cli("validate")
    assert result.exit_code == 1
    bad_line = next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "完成了" in line)
    assert f"plan/2019:tasks/05.toml:{bad_line}:" in result.stdout
