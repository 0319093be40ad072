"""Sites and a shared bare remote for the sync tests.

``network`` gives an office store pushed to a bare remote, with one unit
operator per unit of a small pool; ``network.clone(name)`` is a plain
``git clone`` of the remote made into a site by the tracker itself.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tracker import operators
from tracker.service import Change, Service
from tracker.store import Store
from tracker.sync import add_remote, prepare_clone, sync

GIT = ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false"]
# (task, requirement, unit) slots edited by the tests, each unit with its own operator
SLOTS = [
    (5, "1", "市政府办公室"),
    (5, "1", "市行政审批服务局"),
    (5, "1", "市财政局"),
    (2, "2", "化龙镇"),
    (2, "2", "营里镇"),
]
OWNERS = {unit: f"u{i}" for i, (_, _, unit) in enumerate(SLOTS)}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@dataclass
class Network:
    """A bare remote and the sites syncing with it."""

    root: Path
    remote: Path
    office: Store
    sites: dict[str, Store] = field(default_factory=dict)

    def clone(self, name: str) -> Store:
        """``git clone`` the remote, then let the tracker make it a site."""
        path = self.root / name
        git("clone", "-q", str(self.remote), str(path))
        prepare_clone(path)
        store = Store.open(path)
        self.sites[name] = store
        return store

    def edit(self, store: Store, task: int, req: str, unit: str, fld: str, value: str) -> None:
        """One change by the unit's own operator."""
        op = store.operator(OWNERS[unit], 2019)
        Service(store, op, 2019).apply([Change(task, req, unit, fld, value)])

    def sync(self, store: Store, login: str = "u0"):  # noqa: ANN201 - SyncResult
        return sync(store, store.operator(login, 2019))


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Switch the OS login the tracker sees."""

    def use(name: str) -> None:
        monkeypatch.setattr(operators, "_os_login", lambda: name)

    use("office")
    return use


def make_network(root: Path) -> Network:
    """Office store (admin ``office``, operators u0..u4) pushed to ``root/remote.git``."""
    remote = root / "remote.git"
    git("init", "-q", "--bare", "--initial-branch=plan/2019", str(remote))
    office = Store.init(root / "office", year=2019)
    admin = Service(office, office.operator("office", 2019), 2019)
    for unit, who in OWNERS.items():
        admin.add_operator(who, [unit], "operator")
    add_remote(office, office.operator("office", 2019), "origin", str(remote))
    sync(office, office.operator("office", 2019))
    return Network(root, remote, office)


@pytest.fixture(scope="session")
def network_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: copying it is much cheaper than a new store and five operator commits."""
    root = tmp_path_factory.mktemp("network")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(operators, "_os_login", lambda: "office")
        make_network(root)
    return root


@pytest.fixture
def network(tmp_path: Path, login: Callable[[str], None], network_template: Path) -> Iterator[Network]:
    root = tmp_path / "net"
    shutil.copytree(network_template, root, symlinks=True)
    office = Store.open(root / "office")
    office.repo.set_config("remote.origin.url", str(root / "remote.git"))
    yield Network(root, root / "remote.git", office)
