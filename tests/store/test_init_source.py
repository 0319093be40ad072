"""``tracker init --source``: a folder without task files is refused, nothing is created."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import i18n
from tracker.cli import app
from tracker.store import Store, StoreError


@pytest.fixture(autouse=True)
def _reset_lang():  # noqa: ANN202
    yield
    i18n.set_lang(None)


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(app, list(args), env={"TRACKER_LANG": None, "LC_ALL": None, "LANG": None})


@pytest.mark.parametrize("make", ["etc", "empty", "missing", "file"])
def test_a_source_without_tasks_is_refused_in_one_line(tmp_path: Path, make: str) -> None:
    source = {"etc": Path("/etc"), "empty": tmp_path / "empty", "missing": tmp_path / "nope",
              "file": tmp_path / "plan.txt"}[make]
    if make == "empty":
        source.mkdir()
        (source / "plan.toml").write_text("year = 2019\n", encoding="utf-8")
    elif make == "file":
        source.write_text("x", encoding="utf-8")
    target = tmp_path / "store"
    result = run("init", str(target), "--source", str(source))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(source) in lines[0], result.stderr
    assert "没有任务文件" in lines[0] or "不是目录" in lines[0]
    assert "Traceback" not in result.output
    assert not target.exists()


def test_the_refusal_speaks_english_under_lang_en(tmp_path: Path) -> None:
    result = run("--lang", "en", "init", str(tmp_path / "store"), "--source", "/etc")
    assert result.exit_code == 1
    assert result.stderr.strip() == "plan source /etc holds no task files (such as 01.toml); no store made"


def test_store_init_raises_before_touching_the_target(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(StoreError, match="没有任务文件"):
        Store.init(tmp_path / "store", source=tmp_path / "src")
    assert not (tmp_path / "store").exists()
