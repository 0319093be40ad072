"""The shared store is found without --repo (``/etc/zwgk-tracker.toml``); no private store appears by surprise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tracker.store import Store, StoreError
from tracker.store_discovery import NoStoreYet, configured_or_default, read_setting, resolve_store

Run = Callable[..., Result]


@pytest.fixture
def setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The setting file TRACKER_CONFIG points at (not written yet); the test runs outside any store."""
    path = tmp_path / "etc" / "zwgk-tracker.toml"
    path.parent.mkdir()
    monkeypatch.setenv("TRACKER_CONFIG", str(path))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    return path


@pytest.fixture
def run(as_login: Callable[[str], None]) -> Run:
    def invoke(*args: str, login: str = "admin") -> Result:
        from tracker.cli import app

        as_login(login)
        return CliRunner().invoke(app, list(args), env={"TRACKER_REPO": None})

    return invoke


def default_store(tmp_path: Path) -> Path:
    return tmp_path / "xdg-data" / "zwgk-tracker" / "store"


def test_the_setting_names_the_shared_store_for_reads_and_writes(setting: Path, store: Store, run: Run,
                                                                 tmp_path: Path) -> None:
    setting.write_text(f'store = "{store.path}"\n', encoding="utf-8")
    assert resolve_store(None).path == store.path
    listed = run("list", "unit:营里镇", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    wrote = run("set", "6.1", "--unit", "营里镇", "--status", "推进中")
    assert wrote.exit_code == 0, wrote.stderr
    assert store.load(2019).plan.tasks[6].requirements[0].assignments["营里镇"].status.value == "in_progress"
    # even the interface's first start takes the shared store and makes no private one
    assert configured_or_default(create_default=True).path == store.path
    assert not default_store(tmp_path).exists()


def test_a_named_store_the_current_folder_and_TRACKER_REPO_come_first(setting: Path, store: Store,
                                                                      tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    setting.write_text('store = "/nonexistent/zwgk"\n', encoding="utf-8")
    monkeypatch.chdir(store.path / "tasks")
    assert resolve_store(None).path == store.path
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setenv("TRACKER_REPO", str(store.path))
    assert resolve_store(None).path == store.path


def test_a_relative_path_is_relative_to_the_setting_file(setting: Path) -> None:
    setting.write_text('store = "../srv/zwgk"\n', encoding="utf-8")
    assert read_setting().store == setting.parent / "../srv/zwgk"


@pytest.mark.parametrize(("text", "says"), [
    ('store = "/x', "不是有效的 TOML"),
    ("plan = 2019\n", "缺少 store"),
    ('store = ""\n', "缺少 store"),
    ('store = "/nonexistent/zwgk"\n', "指定的数据仓库无法打开"),
])
def test_a_broken_setting_is_one_line_naming_the_file(setting: Path, run: Run, tmp_path: Path,
                                                      text: str, says: str) -> None:
    setting.write_text(text, encoding="utf-8")
    result = run("list")
    assert result.exit_code == 1
    assert says in result.stderr and str(setting) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not default_store(tmp_path).exists()


def test_a_write_without_any_store_says_how_to_get_one(setting: Path, run: Run, tmp_path: Path) -> None:
    result = run("set", "6.1", "--unit", "营里镇", "--status", "done")
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "tracker init" in line and "/etc/zwgk-tracker.toml" in line and "--repo" in line
    assert not default_store(tmp_path).exists()
    with pytest.raises(NoStoreYet):
        resolve_store(None)
    english = run("set", "6.1", "--unit", "营里镇", "--status", "done", "--lang", "en")
    assert english.stderr.startswith("no store yet: run tracker")


def test_the_interface_first_start_creates_the_default_store_and_says_so(setting: Path, tmp_path: Path) -> None:
    said: list[str] = []
    created = configured_or_default(said.append, create_default=True)
    assert created.path == default_store(tmp_path).resolve()
    assert len(said) == 1 and str(created.path) in said[0] and "已新建默认数据仓库" in said[0]
    assert resolve_store(None).path == created.path  # later commands find it, and nothing is said again
    with pytest.raises(StoreError):
        Store.open(tmp_path / "elsewhere")
