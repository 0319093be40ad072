"""``tracker list``: formats, filters, errors, folder and store sources, terminal width, import hygiene."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.query.plans import write_plan_folder
from tracker.cli import app
from tracker.planio import bundled_tasks_dir
from tracker.tabular import text_width

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_plan_folder(tmp_path / "plan" / "tasks").parent


def run(*args: str, env: dict[str, str] | None = None):  # noqa: ANN201
    return runner.invoke(app, list(args), env=env)


def expected_overdue(tasks_dir: Path, today: date) -> set[tuple[int, str, str]]:
    """Computed straight from the TOML files, independently of the tracker's model."""
    found = set()
    for path in sorted(tasks_dir.glob("[0-9]*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, req in data.get("requirements", {}).items():
            for unit, a in req.get("units", {}).items():
                if a.get("status", "not_started") in ("done", "not_applicable"):
                    continue
                if any(d < today for d in req.get("due", [])):
                    found.add((data["number"], f"{data['number']}.{key}", unit))
    return found


def test_overdue_on_the_bundled_plan_folder_matches_the_toml_files() -> None:
    result = run("list", "overdue", "--as-of", "2019-09-01", "--by", "assignment", "--format", "json",
                 "--repo", str(bundled_tasks_dir()))
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    got = {(r["task"], r["requirement"], r["unit"]) for r in rows}
    expected = expected_overdue(bundled_tasks_dir(), date(2019, 9, 1))
    assert len(expected) >= 20  # a real set, not an empty one
    assert got == expected
    assert all(r["overdue"] is True and r["status"] not in ("done", "not_applicable") for r in rows)
    assert all(min(r["due"]) < "2019-09-01" for r in rows)


def test_overdue_on_the_store_after_a_change(cli, store) -> None:  # noqa: ANN001
    before = json.loads(cli("list", "overdue", "--as-of", "2019-09-01", "--by", "assignment", "-f", "json").stdout)
    target = before[0]
    done = cli("set", target["requirement"], "--unit", target["unit"], "--status", "done")
    assert done.exit_code == 0, done.stderr
    result = cli("list", "overdue", "--as-of", "2019-09-01", "--by", "assignment", "--format", "json")
    assert result.exit_code == 0, result.stderr
    after = json.loads(result.stdout)
    key = lambda r: (r["requirement"], r["unit"])  # noqa: E731
    assert {key(r) for r in after} == {key(r) for r in before} - {key(target)}
    tasks_dir = store.path / "tasks"
    assert {(r["task"], r["requirement"], r["unit"]) for r in after} == expected_overdue(tasks_dir, date(2019, 9, 1))


def test_by_requirement_json_carries_the_promised_fields(folder: Path) -> None:
    result = run("list", "--by", "requirement", "--format", "json", "--repo", str(folder))
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    first = rows[0]
    assert {"task", "requirement", "title", "text", "deadline", "due", "leads", "implementers"} <= set(first)
    assert first["task"] == 1 and first["requirement"] == "1.1"
    assert first["leads"] == ["市发改局"] and "营里镇" in first["implementers"]
    by_id = {r["requirement"]: r for r in rows}
    assert by_id["5.1"]["due"] == ["2019-06-30", "2019-12-31"]
    assert by_id["5.1"]["deadline"] == "6月底前/全年"
    assert [r["requirement"] for r in rows] == ["1.1", "2.1", "2.2", "5.1", "9.1", "12.1"]


def test_by_assignment_json_fields_and_filter(folder: Path) -> None:
    result = run("list", "unit:ylz", "--by", "assignment", "--format", "json", "--repo", str(folder),
                 "--as-of", "2019-09-01")
    rows = json.loads(result.stdout)
    assert [(r["requirement"], r["status"]) for r in rows] == [("1.1", "not_started"), ("2.1", "done"),
                                                              ("5.1", "not_applicable")]
    done = rows[1]
    assert {"task", "requirement", "unit", "role", "status", "due", "overdue"} <= set(done)
    assert done["note"] == "已公开耕地计划" and done["evidence"] == ["http://example.gov.cn/a.html"]
    assert done["updated_by"] == "yingli" and done["updated"].startswith("2019-08-01T10:00")
    assert done["role"] == "implementer" and done["overdue"] is False


def test_by_task_status_follows_the_filter(folder: Path) -> None:
    everything = json.loads(run("list", "-f", "json", "--repo", str(folder)).stdout)
    assert [r["task"] for r in everything] == [1, 2, 5, 9, 12]
    mine = json.loads(run("list", "单位:营里镇 状态:已完成", "-f", "json", "--repo", str(folder)).stdout)
    assert [(r["task"], r["status"], r["units"]) for r in mine] == [(2, "done", ["营里镇"])]


def test_csv_has_a_bom_and_one_row_per_item(folder: Path) -> None:
    result = run("list", "--by", "assignment", "--format", "csv", "--repo", str(folder), "task:2")
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 6 and rows[0]["要求"] == "2.1" and rows[0]["单位"] == "市人社局"
    assert rows[1]["佐证"] == "http://example.gov.cn/a.html"
    english = run("list", "--by", "assignment", "--format", "csv", "--repo", str(folder), "task:2", "--lang", "en")
    header = english.stdout_bytes.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("task,requirement,title,unit,role,status,status label")


@pytest.mark.parametrize("columns", [40, 60, 120])
def test_table_lines_fit_the_terminal_width(folder: Path, columns: int) -> None:
    result = run("list", "--by", "requirement", "--repo", str(folder), env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["要求", "状态"]
    assert len(lines) == 2 + 6
    assert max(text_width(line) for line in lines) <= columns
    if columns == 120:
        assert "推进新旧动能转换重大工程信息公开" in result.stdout  # nothing cut when it fits


def test_table_columns_line_up_with_wide_characters(folder: Path) -> None:
    lines = run("list", "--by", "assignment", "task:2", "--repo", str(folder),
                env={"COLUMNS": "200"}).stdout.splitlines()
    # the role column starts at the same display column on every line
    starts = {text_width(line[: line.index(word)]) for line in lines[2:] for word in ["牵头", "落实"] if word in line}
    assert len(starts) == 1


def test_english_table_headers(folder: Path) -> None:
    result = run("list", "--by", "assignment", "--repo", str(folder), "--lang", "en", "task:9")
    assert result.stdout.splitlines()[0].split()[:4] == ["Req", "Unit", "Role", "Status"]
    assert "blocked" in result.stdout


def test_bad_query_prints_a_caret_under_the_token(folder: Path) -> None:
    result = run("list", "task:1 状态:完成了", "--repo", str(folder))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("查询有误: 未知状态 '完成了'")
    assert lines[1:] == ["task:1 状态:完成了", " " * 7 + "^" * 11]
    assert "Traceback" not in result.output


def test_unknown_unit_is_a_user_error(folder: Path) -> None:
    result = run("list", "unit:火星局", "--repo", str(folder))
    assert result.exit_code == 1
    assert "未知单位 '火星局'" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--by", "unit"], "--by 只能是"),
    (["--format", "xml"], "--format 只能是"),
    (["--as-of", "2019-02-30"], "--as-of 不是日期"),
])
def test_bad_options_are_usage_errors(folder: Path, args: list[str], message: str) -> None:
    result = run("list", "--repo", str(folder), *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_store_is_a_user_error(tmp_path: Path) -> None:
    result = run("list", "--repo", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "找不到数据仓库" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("list", "--repo", str(empty))
    assert result.exit_code == 1 and "无法打开数据仓库" in result.stderr


def test_folder_named_by_tracker_repo(folder: Path) -> None:
    result = run("list", "-f", "json", env={"TRACKER_REPO": str(folder)})
    assert [r["task"] for r in json.loads(result.stdout)] == [1, 2, 5, 9, 12]


def test_plan_year_mismatch_on_a_folder(folder: Path) -> None:
    result = run("list", "--repo", str(folder), "--plan", "2020")
    assert result.exit_code == 1 and "2019" in result.stderr


def test_nothing_matches_says_so(folder: Path) -> None:
    result = run("list", "task:99", "--repo", str(folder))
    assert result.exit_code == 0 and result.stdout == "" and "没有符合条件" in result.stderr


def test_listing_does_not_import_textual(folder: Path) -> None:
    code = (f"import sys; from tracker.cli import main; sys.argv = ['tracker', 'list', '--repo', {str(folder)!r}, "
            "'-f', 'json'];\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', ','.join(m for m in ('textual', 'openpyxl', 'pypinyin') if m in sys.modules), "
            "file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout)[0]["task"] == 1
    loaded = result.stderr.strip().splitlines()[-1]
    assert loaded == "LOADED", loaded


def test_plan_year_on_the_store(cli) -> None:  # noqa: ANN001
    ok = cli("list", "--plan", "2019", "-f", "json")
    assert ok.exit_code == 0 and len(json.loads(ok.stdout)) == 41
    missing = cli("list", "--plan", "2030")
    assert missing.exit_code == 1 and "2030" in missing.stderr and "Traceback" not in missing.output
