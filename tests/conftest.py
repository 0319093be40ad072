"""Shared fixtures: a fresh store per test, built from the bundled 2019 plan.

- ``store``: a :class:`Store` (non-bare, ``plan/2019`` checked out) in ``tmp_path``;
  ``bare_store``: the same as a bare repository.
- ``admin``, ``auditor``, ``operator_for(unit)``: :class:`Operator` objects listed in
  the store's ``tasks/operators.toml`` (login ``admin``, ``auditor``, and one
  operator per unit, ``op01``.., see ``login_for``).
- ``cli``: ``cli("set", "5.1", "--unit", "市发改局", "--status", "done", login="op01")``
  runs the typer app against ``store`` (``TRACKER_REPO``) as that login and returns
  the click ``Result`` (``.exit_code``, ``.stdout``, ``.stderr``).
- ``as_login(login)``: make :func:`tracker.operators.current_login` return ``login``
  (a test hook: nothing a shell user controls reaches it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tracker import operators as operators_module
from tracker.operators import Operator, add_operator
from tracker.planio import bundled_tasks_dir, load_plan_folder, read_folder
from tracker.store import Store

# CI runs the property tests with a fixed seed, so a submission's result does not depend on
# which random examples came up; local runs keep exploring new ones (and keep what they find).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ADMIN_LOGIN = "admin"
AUDITOR_LOGIN = "auditor"


def _plan_units() -> list[str]:
    loaded = load_plan_folder(bundled_tasks_dir())
    return sorted({a.unit for _, _, a in loaded.plan.assignments()})


def login_for_unit(units: list[str], unit: str) -> str:
    """The test login of the operator of ``unit``: ``op01``, ``op02``.. in unit order."""
    return f"op{units.index(unit) + 1:02d}"


def build_plan_source(folder: Path) -> Path:
    """The bundled plan plus an operators file listing admin, auditor and one operator per unit."""
    folder.mkdir(parents=True, exist_ok=True)
    for rel, data in read_folder(bundled_tasks_dir()).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    text = ""
    text = add_operator(text, Operator(ADMIN_LOGIN, "管理员", (), "admin"))
    text = add_operator(text, Operator(AUDITOR_LOGIN, "审计员", (), "auditor"))
    units = _plan_units()
    for unit in units:
        text = add_operator(text, Operator(login_for_unit(units, unit), f"{unit}填报员", (unit,), "operator"))
    (folder / "operators.toml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def plan_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as ``tasks/``: the bundled plan with test operators."""
    return build_plan_source(tmp_path_factory.mktemp("plan-source"))


@pytest.fixture(scope="session")
def _store_templates(tmp_path_factory: pytest.TempPathFactory, plan_source: Path) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("store-templates")
    Store.init(base / "work", source=plan_source)
    Store.init(base / "bare", source=plan_source, bare=True)
    return {"work": base / "work", "bare": base / "bare"}


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No test may find or create a store in the real home directory.
    monkeypatch.delenv("TRACKER_REPO", raising=False)
    # ... nor the machine's /etc/zwgk-tracker.toml: a setting file that does not exist names no store
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "no-such-zwgk-tracker.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    # Tables are cut to the terminal width; under xdist or CI stdout is no terminal, so fix it.
    monkeypatch.setenv("COLUMNS", "160")
    # A command run with --lang en fixes the language for the process: start each test undecided.
    from tracker.i18n import set_lang

    set_lang(None)


@pytest.fixture
def store(_store_templates: dict[str, Path], tmp_path: Path) -> Store:
    """A fresh non-bare store (``plan/2019`` checked out) holding the bundled plan."""
    target = tmp_path / "store"
    shutil.copytree(_store_templates["work"], target, symlinks=True)
    return Store.open(target)


@pytest.fixture
def bare_store(_store_templates: dict[str, Path], tmp_path: Path) -> Store:
    """A fresh bare store holding the bundled plan."""
    target = tmp_path / "bare.git"
    shutil.copytree(_store_templates["bare"], target, symlinks=True)
    return Store.open(target)


@pytest.fixture
def units() -> list[str]:
    """Every unit named by an assignment of the bundled plan, sorted."""
    return _plan_units()


@pytest.fixture
def admin(store: Store) -> Operator:
    return store.operators()[ADMIN_LOGIN]


@pytest.fixture
def auditor(store: Store) -> Operator:
    return store.operators()[AUDITOR_LOGIN]


@pytest.fixture
def operator_for(store: Store, units: list[str]) -> Callable[[str], Operator]:
    """``operator_for("市发改局")``: the listed operator of that unit."""
    ops = store.operators()

    def get(unit: str) -> Operator:
        return ops[login_for_unit(units, unit)]

    return get


@pytest.fixture
def as_login(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Act as ``login`` for :func:`tracker.operators.current_login`."""

    def set_login(login: str) -> None:
        monkeypatch.setattr(operators_module, "_os_login", lambda: login)

    return set_login


class Cli:
    """Runs ``tracker ...`` in-process against one store, as a chosen login."""

    def __init__(self, store: Store, as_login: Callable[[str], None]) -> None:
        self.store = store
        self._as_login = as_login

    def __call__(self, *args: str, login: str = ADMIN_LOGIN, input: str | None = None, env: dict[str, str] | None = None):  # noqa: ANN204
        from typer.testing import CliRunner

        from tracker.cli import app

        self._as_login(login)
        runner = CliRunner()
        return runner.invoke(app, list(args), input=input, env={"TRACKER_REPO": str(self.store.path), **(env or {})})


@pytest.fixture
def cli(store: Store, as_login: Callable[[str], None]) -> Iterator[Cli]:
    yield Cli(store, as_login)
