"""Fixtures for the interface tests: a store holding the bundled 2019 plan, its operators, a fixed day."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tracker.operators import Operator, current_login
from tracker.service import Service
from tracker.store import Store

TODAY = date(2019, 9, 1)
TZ = timezone(timedelta(hours=8))
CLERK = "clerk"  # operator of 营里镇
OTHER = "other"  # operator of 营里镇 too: the "someone else" of conflict tests
OFFICE = "office"  # admin
TOWN = "营里镇"


def fixed_clock() -> datetime:
    return datetime(2019, 9, 1, 9, 30, tzinfo=TZ)


@pytest.fixture(scope="session")
def _template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store"
    store = Store.init(path)
    admin = store.operator(current_login())
    service = Service(store, admin, 2019, clock=fixed_clock)
    service.add_operator(CLERK, [TOWN], "operator", name="王芳")
    service.add_operator(OTHER, [TOWN], "operator", name="李强")
    service.add_operator(OFFICE, [], "admin", name="市政务公开办")
    return path


@pytest.fixture
def store_path(_template_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(_template_store, path, symlinks=True)
    return path


@pytest.fixture
def store(store_path: Path) -> Store:
    return Store.open(store_path)


def service_factory(store: Any, operator: Operator, year: int | None) -> Service:
    return Service(store, operator, year, clock=fixed_clock)


@pytest.fixture
def make(store: Store) -> Callable[..., Any]:
    """``make(login, **kw)``: the app as that login sees it, on the fixed day."""
    from tracker.ui.app import make_app

    def build(login: str = CLERK, **kwargs: Any) -> Any:
        kwargs.setdefault("today", TODAY)
        kwargs.setdefault("service_factory", service_factory)
        kwargs.setdefault("refresh_seconds", 0)
        return make_app(store, store.operator(login), **kwargs)

    return build


def git(store_path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(store_path), *args], check=True, capture_output=True, text=True
    ).stdout.strip()
