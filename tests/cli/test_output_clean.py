"""Text from a hand-committed file reaches no output raw: every command, every format.

An attacker with plain git (no tracker) commits a task file whose title, note,
note author, ``updated_by``, unit name and evidence carry terminal escapes (ESC,
an OSC title sequence, BEL, U+009B CSI), a bidi override, and formula starters.
Every output must come out with the control characters gone, and spreadsheets
must never hold a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli
from tracker.store import Store

ESCAPES = "\x1b[31m\x1b]0;pwn\x07\u009b2J\u202e\u2066\x00"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UNIT = "=单位" + ESCAPES + "甲"
TITLE = "=HYPERLINK(1)" + ESCAPES + "标题"


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def hand_commit(store: Store) -> None:
    """Task 5 rewritten and committed with plain git, as an attacker would."""
    path = store.path / "tasks" / "05.toml"
    text = path.read_text(encoding="utf-8")
    first = '[requirements.1.units."市政府办公室"]\nrole = "lead"\nstatus = "not_started"\nevidence = []'
    assert first in text
    text = text.replace('title = "优化涉企服务"', f"title = {q(TITLE)}")
    text = text.replace(first, (
        f'[requirements.1.units."市政府办公室"]\nrole = "lead"\nstatus = "in_progress"\n'
        f'evidence = [{q("+http://x.gov.cn/" + ESCAPES)}]\n'
        f'notes = [{{at = 2019-08-01T10:00:00+08:00, by = {q("-by" + ESCAPES)}, text = {q("@note" + ESCAPES + "进展")}}}]\n'
        f"updated = 2019-08-01T10:00:00+08:00\nupdated_by = {q('=upd' + ESCAPES)}"
    ))
    text = text.replace('[requirements.1.units."市财政局"]', f"[requirements.1.units.{q(UNIT)}]")
    path.write_text(text, encoding="utf-8")
    plan = store.path / "tasks" / "plan.toml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        'title = "寿光市2019年政务公开重点工作任务分工"', f"title = {q('@计划标题' + ESCAPES)}"), encoding="utf-8")
    ops = store.path / "tasks" / "operators.toml"
    ops.write_text(ops.read_text(encoding="utf-8") + f'\n[operators.mallory]\nname = {q("=姓名" + ESCAPES)}\n'
                   f'units = [{q(UNIT)}]\nrole = "operator"\n', encoding="utf-8")
    argv_safe = ESCAPES.replace("\x00", "")  # NUL cannot pass through argv
    git = ["git", "-C", str(store.path), "-c", "user.name=-攻击者" + argv_safe, "-c", "user.email=a@x",
           "-c", "core.hooksPath=/dev/null"]
    subprocess.run([*git, "commit", "-qam", "evil" + argv_safe], check=True)


@pytest.fixture
def hostile(store: Store) -> Store:
    hand_commit(store)
    return store


def assert_clean(text: str, what: str) -> None:
    found = FORBIDDEN.findall(text)
    assert not found, f"{what}: {found!r}"


def check(cli: Cli, *args: str, contains: str = "标题") -> str:
    result = cli(*args)
    assert result.exit_code == 0, (args, result.output)
    assert_clean(result.stdout, " ".join(args))
    assert_clean(result.stderr, " ".join(args) + " (stderr)")
    assert contains in result.stdout, (args, result.stdout[:500])
    return result.stdout


def no_formula_cells(rows: list[list[str]], what: str) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), f"{what}: {cell!r}"


@pytest.mark.parametrize("args", [
    ("show", "5"), ("show", "5.1"), ("show", "5", "--format", "json"),
    ("list",), ("list", "--format", "json"),
    ("list", "--by", "requirement"), ("list", "--by", "assignment", "--format", "json"),
    ("history", "5"), ("history", "5", "--format", "json"), ("history", "5", "--patch"),
    ("report", "--format", "table"), ("report", "--format", "markdown"), ("report", "--format", "json"),
    ("report", "--format", "html"),
])
def test_terminal_and_text_formats_carry_no_control_characters(cli: Cli, hostile: Store, args: tuple[str, ...]) -> None:
    contains = "进展" if args[0] == "history" else "标题"
    assert contains in check(cli, *args, contains=contains)


@pytest.mark.parametrize("args", [
    ("list", "--format", "csv"), ("list", "--by", "assignment", "--format", "csv"),
    ("history", "5", "--format", "csv"), ("export", "--format", "csv"),
])
def test_csv_has_no_control_characters_and_no_formula(cli: Cli, hostile: Store, args: tuple[str, ...]) -> None:
    text = check(cli, *args, contains="进展" if args[0] != "list" or "assignment" in args else "标题")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) > 1  # a header and rows to look at
    no_formula_cells(rows, " ".join(args))


def test_verify_names_the_hand_commit_cleanly(cli: Cli, hostile: Store) -> None:
    result = cli("verify")
    assert "攻击者" in result.output and result.exit_code == 1
    assert_clean(result.output, "verify")


def test_remind_notices_are_clean(cli: Cli, hostile: Store, tmp_path: Path) -> None:
    result = cli("remind", "--as-of", "2020-01-15", "--dry-run")
    assert result.exit_code == 0, result.output
    assert_clean(result.output, "remind")
    out = tmp_path / "notices"
    result = cli("remind", "--as-of", "2020-01-15", "--dry-run", "--format", "markdown", "-o", str(out))
    assert result.exit_code == 0, result.output
    files = list(out.iterdir())
    assert files
    for file in files:
        assert_clean(file.name, "remind file name")
        assert_clean(file.read_text(encoding="utf-8"), str(file))


@pytest.mark.parametrize("command", [("export",), ("report", "--format", "xlsx")])
def test_workbooks_hold_no_formula_and_no_control_character(cli: Cli, hostile: Store, tmp_path: Path,
                                                            command: tuple[str, ...]) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "out.xlsx"
    result = cli(*command, "-o", str(target))
    assert result.exit_code == 0, result.output
    seen = []
    for ws in load_workbook(target).worksheets:
        assert_clean(ws.title, "sheet title")
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    assert_clean(cell.value, f"{ws.title}!{cell.coordinate}")
                    seen.append(cell.value)
    assert any("标题" in v for v in seen)
    with zipfile.ZipFile(target) as zf:
        for name in zf.namelist():
            assert b"<f>" not in zf.read(name) or name.endswith("styles.xml"), name


def test_docx_report_is_clean(cli: Cli, hostile: Store, tmp_path: Path) -> None:
    target = tmp_path / "r.docx"
    result = cli("report", "--format", "docx", "-o", str(target))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as zf:
        body = zf.read("word/document.xml").decode("utf-8")
    assert "标题" in body
    assert_clean(body, "document.xml")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_operator_and_plan_lists_are_clean(cli: Cli, hostile: Store, fmt: str) -> None:
    text = check(cli, "operator", "list", "--format", fmt, contains="姓名")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert len(rows) > 1
        no_formula_cells(rows, "operator list")
    plans = check(cli, "plan", "list", *(["--format", "json"] if fmt == "json" else []), contains="计划标题")
    assert "2019" in plans
