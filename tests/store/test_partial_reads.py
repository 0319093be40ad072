"""Reading or writing a few tasks lists only the folders on their paths, and agrees with a whole read."""

from __future__ import annotations

from pathlib import Path

import pytest

import tracker.bench.generate as gen_module
from tracker.bench.generate import ADMIN_LOGIN, generate
from tracker.operators import Operator
from tracker.service import Change, Service
from tracker.store import Store


@pytest.fixture
def nested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(gen_module, "FLAT_LAYOUT_LIMIT", 3)
    generate(tmp_path / "s", tasks=250, commits=3, seed=2, assignments=600)
    return Store.open(tmp_path / "s")


def test_folder_listings_agree_with_the_whole_listing(nested: Store) -> None:
    commit = nested.tip(nested.default_year())
    whole = nested.repo.tree_listing(commit)
    some = nested.repo.folder_listings(commit, ["", "tasks", "tasks/001", "tasks/nope"])
    assert set(some) == {"", "tasks", "tasks/001"}
    for folder, entries in some.items():
        assert entries == whole[folder]


def test_a_partial_read_reads_only_the_task_asked_for(nested: Store) -> None:
    year = nested.default_year()
    snap = nested.snapshot(year, tasks=[150])
    assert list(snap.loaded.plan.tasks) == [150]
    assert snap.loaded.paths[150] == "001/0150.toml"
    assert set(snap.listing) <= {"tasks", "tasks/001"}
    assert snap.loaded.plan.tasks[150] == Store.open(nested.path).load(year).plan.tasks[150]
    assert nested.task_numbers(snap.commit) == list(range(1, 251))


def test_a_missing_task_in_a_nested_plan_looks_everywhere(nested: Store) -> None:
    snap = nested.snapshot(nested.default_year(), tasks=[999])
    assert snap.loaded.plan.tasks == {}


def test_a_commit_from_a_partial_read_builds_the_tree_a_whole_read_would(nested: Store) -> None:
    year = nested.default_year()
    task = nested.snapshot(year, tasks=[150]).loaded.plan.tasks[150]
    req = task.requirements[0]
    unit = next(iter(req.assignments))
    admin = Operator(login=ADMIN_LOGIN, name="政务公开办", units=(), role="admin")
    fresh = Store.open(nested.path)
    result = Service(fresh, admin, year).apply([Change(150, req.key, unit, "note", "部分读取")])
    assert result.commit is not None
    assert fresh._listings.get(result.commit) is None  # the whole tree was never listed
    # git itself agrees: the new tree differs from the old one in that one file only
    changed = fresh.repo.run("diff-tree", "-r", "--name-only", "--no-commit-id", result.commit).stdout.split()
    assert changed == [b"tasks/001/0150.toml"]
    assert fresh.repo.run("fsck", "--no-progress", "--connectivity-only").returncode == 0
    reread = Store.open(nested.path).load(year).plan.tasks[150]
    assert reread.requirements[0].assignments[unit].notes[-1].text == "部分读取"
