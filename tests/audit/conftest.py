"""A small store per test: plan 2019 with tasks 5 and 6, an admin and two unit operators."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.audit.helpers import NDRC, OFFICE, sample_task, text
from tracker import operators
from tracker.cli import app
from tracker.codec import dump_plan_info
from tracker.model import PlanInfo
from tracker.service import Service
from tracker.store import Store
from tracker.units import Registry, Unit, dump_registry

GIT = ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false"]


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Switch the OS login the tracker sees."""

    def use(name: str) -> None:
        monkeypatch.setattr(operators, "_os_login", lambda: name)

    use("admin")
    return use


@pytest.fixture
def store(tmp_path: Path, login: Callable[[str], None]) -> Store:
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "plan.toml").write_text(dump_plan_info(PlanInfo(year=2019, title="测试计划")), encoding="utf-8")
    registry = Registry(units={OFFICE: Unit(OFFICE), NDRC: Unit(NDRC, aliases=["发改局"])})
    (folder / "units.toml").write_text(dump_registry(registry), encoding="utf-8")
    (folder / "05.toml").write_bytes(text(sample_task(5)))
    (folder / "06.toml").write_bytes(text(sample_task(6)))
    created = Store.init(tmp_path / "store", year=2019, source=folder)
    admin = Service(created, created.operator("admin"), 2019)
    admin.add_operator("zhangsan", [NDRC], "operator", "张三")
    admin.add_operator("lisi", [OFFICE], "operator", "李四")
    return Store.open(tmp_path / "store")


@pytest.fixture
def cli(store: Store, login: Callable[[str], None]) -> Callable[..., object]:
    """Run ``tracker ARGS --repo STORE`` as a login; returns the click Result."""
    runner = CliRunner()

    def run(as_login: str, *args: str) -> object:
        login(as_login)
        return runner.invoke(app, [*args, "--repo", str(store.path)], catch_exceptions=False)

    return run


def git(
    repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Plain git, as a person at a terminal would run it."""
    import os

    full_env = {**os.environ, "LC_ALL": "C", **(env or {})}
    return subprocess.run(
        [*GIT, "-C", str(repo), *args], capture_output=True, text=True, env=full_env, check=check
    )
