"""``tracker import``: the bundled tasks/ is exactly what importing the 2019 notice writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker.cli import app

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
NOTICE = DATA / "shouguang-2019.txt"
SHARED_NOTICE = REPO.parent / "shared" / "notices" / "shouguang-2019.txt"
runner = CliRunner()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_importing_the_notice_reproduces_tasks_byte_for_byte(tmp_path: Path) -> None:
    notice = NOTICE
    if SHARED_NOTICE.exists():  # CI and dev machines have ../shared beside the checkout
        assert SHARED_NOTICE.read_bytes() == NOTICE.read_bytes()
        notice = SHARED_NOTICE
    out = tmp_path / "plan"
    result = runner.invoke(app, ["import", str(notice), "--plan", "2019", "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导入 41 项任务、62 条要求、762 条单位分工" in result.output
    written = _files(out)
    assert len(written) == 44
    assert written == _files(REPO / "tasks")


def test_summary_reports_fixes_inheritance_and_junk(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(NOTICE), "--plan", "2019", "--into", str(tmp_path / "p")])
    assert "shouguang-2019.txt:387: [已更正]" in result.output
    assert "shouguang-2019.txt:421: [注意] 任务32.2 没有自己的责任单位" in result.output
    assert "shouguang-2019.txt:654: [已忽略(文件名/页码等)]" in result.output


def test_dry_run_writes_nothing_and_lists_everything(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(NOTICE), "--plan", "2019", "--dry-run", "--into", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "p").exists()
    out = result.output
    assert "任务5 优化涉企服务" in out
    assert "  7.1 时限: 6月底前/全年 -> 2019-06-30、2019-12-31" in out
    assert "  营里镇\t" in out
    assert "shouguang-2019.txt:4: [通知正文(不属于任何任务)]" in out
    assert "没有无法归类的内容。" in out


def test_dry_run_shows_unplaced_lines(tmp_path: Path) -> None:
    notice = tmp_path / "n.txt"
    notice.write_text("1.任务一\n没有单位的段落。\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(notice), "--plan", "2019", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "未归类: 没有单位的段落。" in result.output
    assert "n.txt:2: [无法归类]" in result.output


def test_issued_option_and_unknown_date(tmp_path: Path) -> None:
    text = NOTICE.read_text(encoding="utf-8").replace("20197 9", "")
    notice = tmp_path / "n.txt"
    notice.write_text(text, encoding="utf-8")
    unknown = runner.invoke(app, ["import", str(notice), "--plan", "2019", "--into", str(tmp_path / "a")])
    assert unknown.exit_code == 0
    assert "印发日期不详" in unknown.output
    assert "issued" not in (tmp_path / "a" / "plan.toml").read_text(encoding="utf-8").replace("印发", "")
    given = runner.invoke(app, ["import", str(notice), "--plan", "2019", "--issued", "2019-07-09",
                                "--into", str(tmp_path / "b")])
    assert given.exit_code == 0
    assert (tmp_path / "b" / "41.toml").read_bytes() == (REPO / "tasks" / "41.toml").read_bytes()


def test_unknown_units_stop_unless_allowed(tmp_path: Path) -> None:
    notice = tmp_path / "n.txt"
    notice.write_text("1.任务一\n要求。\n市火星局牵头落实\n全年\n", encoding="utf-8")
    refused = runner.invoke(app, ["import", str(notice), "--plan", "2019", "--into", str(tmp_path / "a")])
    assert refused.exit_code == 1
    assert "n.txt:3: 任务1 的单位“市火星局”不在单位名录中" in refused.output
    assert not (tmp_path / "a").exists()
    allowed = runner.invoke(app, ["import", str(notice), "--plan", "2019", "--allow-unknown-units",
                                  "--into", str(tmp_path / "b")])
    assert allowed.exit_code == 0, allowed.output
    assert "unknown_unit = true" in (tmp_path / "b" / "01.toml").read_text(encoding="utf-8")


def test_refuses_a_folder_with_plan_files(tmp_path: Path) -> None:
    (tmp_path / "plan.toml").write_text("year = 2019\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(NOTICE), "--plan", "2019", "--into", str(tmp_path)])
    assert result.exit_code == 1
    assert "已有计划文件" in result.output
    assert (tmp_path / "plan.toml").read_text(encoding="utf-8") == "year = 2019\n"


@pytest.mark.parametrize(
    "args",
    [["--plan", "1800", "--dry-run"], ["--plan", "2019", "--issued", "2019-13-01", "--dry-run"], ["--plan", "abc", "--dry-run"]],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, ["import", str(NOTICE), *args])
    assert result.exit_code == 2


def test_unreadable_notice_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "missing.txt"), "--plan", "2019", "--dry-run"])
    assert result.exit_code == 1
    assert "无法读取" in result.output
