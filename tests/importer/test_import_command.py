"""``tracker import --dry-run / --columns / --allow-unknown-units`` and its one-line errors (issue 11, item 4)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import i18n
from tracker.cli import app

REPO = Path(__file__).resolve().parents[2]
FLATTENED = REPO / "tests" / "data" / "notices" / "chizhou-xfj" / "notice.txt"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _chinese() -> object:
    i18n.set_lang(None)
    yield
    i18n.set_lang(None)


def _import(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["import", *args], env={"LANG": "C", **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_names_the_reader_the_columns_and_each_task(tmp_path: Path) -> None:
    code, out, _ = _import(str(FLATTENED), "--plan", "2023", "--dry-run", "--into", str(tmp_path / "p"))
    assert code == 0, out
    assert not (tmp_path / "p").exists()
    lines = out.splitlines()
    assert lines[0] == "读取方式: 逐格一行的表格(竖线分隔) (flattened)"
    assert lines[1].startswith("列: 第1列“工作任务”→工作任务;第2列“(无表头)”→序号;第3列“具体要求”→具体要求")
    assert "任务1 强化行政规范性文件集中规范公开 | 要求1条 | 单位: 已知0 新1 统称0 | 时限: 2023-12-31" in lines
    assert "任务2 深化政策解读形式 | 要求1条 | 单位: 已知0 新0 统称1 | 时限: 持续推进" in lines
    # the new names, with the tasks and lines that name them, and what a real import would do
    assert "  办公室(新单位): 任务 1(notice.txt:9)、4(notice.txt:39)、6(notice.txt:57)、8(notice.txt:77)" in lines
    assert any(line.startswith("  各科室(统称,作为分组): 任务 2(") for line in lines)
    assert any("--allow-unknown-units" in line for line in lines)


def test_dry_run_in_english(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "import", str(FLATTENED), "--plan", "2023", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "reader: table flattened one cell per line (flattened)"
    assert "task 2 深化政策解读形式 | 1 requirement(s) | units: 0 known, 0 new, 1 collective | due: 持续推进" in result.stdout


def test_rows_not_placed_are_listed_with_their_row(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<table><tr><th>工作任务</th><th>具体要求</th><th>责任单位</th><th>时限要求</th></tr>"
        "<tr><td></td><td></td><td>市财政局落实</td><td>全年</td></tr>"
        "<tr><td>1.公开预算</td><td>公开部门预算。</td><td>市财政局落实</td><td>全年</td></tr></table>",
        encoding="utf-8",
    )
    code, out, _ = _import(str(page), "--plan", "2023", "--dry-run")
    assert code == 0, out
    assert "无法归类的行(1):" in out
    assert "  page.html 表格第2行: 出现在第一个任务之前,未保存 “市财政局落实”" in out


def test_columns_option_reads_headers_no_synonym_names(tmp_path: Path) -> None:
    table = tmp_path / "plan.csv"
    table.write_text("事项名称,办理事项说明,承担科室,办结时间\n信息公开,按时公开。,市财政局,6月底前\n", encoding="utf-8")
    code, _, err = _import(str(table), "--plan", "2023", "--dry-run")
    assert code == 1
    assert err.startswith("plan.csv: 找不到表头(找的是 工作任务(")
    assert "看到的表头/首行: 事项名称 | 办理事项说明 | 承担科室 | 办结时间" in err
    code, out, err = _import(
        str(table), "--plan", "2023", "--dry-run", "--columns", "task=事项名称,requirement=办理事项说明,units=承担科室"
    )
    assert code == 0, err
    assert "列: 第1列“事项名称”→工作任务;第2列“办理事项说明”→具体要求;第3列“承担科室”→责任单位;第4列“办结时间”→时限要求" in out
    assert "任务1 信息公开 | 要求1条 | 单位: 已知1 新0 统称0 | 时限: 2023-06-30" in out


def test_bad_columns_option_is_one_line(tmp_path: Path) -> None:
    code, out, err = _import(str(FLATTENED), "--plan", "2023", "--dry-run", "--columns", "title=工作任务")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == ["--columns: 看不懂“title=工作任务”(应写作 task=工作任务,units=责任科室;"
                                        "可用的列: task, requirement, text, units, lead, partner, deadline, number)"]


def test_allow_unknown_units_adds_them_to_the_new_plans_units(tmp_path: Path) -> None:
    out_dir = tmp_path / "plan"
    code, _, err = _import(str(FLATTENED), "--plan", "2023", "--into", str(out_dir))
    assert code == 1 and not out_dir.exists()
    assert "任务1 的单位“办公室”不在单位名录中" in err and "任务2 的统称“各科室”不在单位名录中" in err
    code, out, err = _import(str(FLATTENED), "--plan", "2023", "--allow-unknown-units", "--into", str(out_dir))
    assert code == 0, err
    units = (out_dir / "units.toml").read_text(encoding="utf-8")
    assert units.startswith((REPO / "tasks" / "units.toml").read_text(encoding="utf-8").rstrip("\n"))
    assert '[units."办公室"]\nkind = "其他"' in units
    assert '[groups."各科室"]\naliases = []\nmembers = []' in units
    validated = runner.invoke(app, ["validate", str(out_dir)])
    assert validated.exit_code == 0, validated.output


def test_unreadable_document_is_exit_1_and_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "notice.docx"
    junk.write_bytes(b"PK\x03\x04" + os.urandom(200))
    code, out, err = _import(str(junk), "--plan", "2023", "--dry-run")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("notice.docx: ")
    assert "Traceback" not in err


def test_old_word_file_without_libreoffice_asks_for_docx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "通知.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(512))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, out, err = _import(str(doc), "--plan", "2023", "--dry-run")
    assert code == 1 and out == ""
    assert err.strip() == (
        "通知.doc: 这是旧版 Word/WPS 文件(.doc/.wps),本机没有安装 LibreOffice,无法转换;"
        "请在 Word 或 WPS 中“另存为”.docx 后再导入"
    )


def test_old_word_file_goes_through_libreoffice_when_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in ``soffice`` on PATH proves the conversion is called as LibreOffice is."""
    from tests.importer.forms import bundled_plan, word_document

    converted = word_document(bundled_plan(), tmp_path / "converted.docx")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        'for last; do :; done\n'
        'while [ "$1" != "--outdir" ]; do shift; done\n'
        f'mkdir -p "$2" && cp {converted} "$2/$(basename "$last" .doc).docx"\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    doc = tmp_path / "shouguang.wps"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(512))
    code, out, err = _import(str(doc), "--plan", "2019", "--dry-run")
    assert code == 0, err
    assert out.splitlines()[0] == "读取方式: Word 表格 (docx)"
    assert "共 41 项任务、62 条要求、762 条单位分工。各单位分工数:" in out
