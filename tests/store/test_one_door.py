"""One door: every commit is made by ``Store.commit`` (issue 12, item 1).

Checked twice: no module outside the git layer and ``tracker/store.py`` writes a commit, a
tree or moves a branch by itself (a scan of the source), and the writers a user reaches
(init, a change, a new plan, an import) each pass through ``Store.commit`` exactly once.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import tracker
from tracker import operators
from tracker.git.objects import ObjectStore
from tracker.operators import Operator
from tracker.service import Change, Service
from tracker.store import Store

WRITES = re.compile(r"\.(commit_tree|update_ref|tree_with|tree_with_listing)\(|\"(commit-tree|update-ref|mktree)\"")


def test_only_the_store_writes_commits_trees_or_moves_branches() -> None:
    root = Path(tracker.__file__).parent
    offenders = sorted(
        f"{p.relative_to(root)}:{n}"
        for p in root.rglob("*.py")
        if p.parent.name != "git" and p.name != "store.py" and "bench" not in p.parts
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if WRITES.search(line)
    )
    assert offenders == []


@pytest.fixture
def door(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The function that asked for each commit object (must always be Store.commit)."""
    callers: list[str] = []
    real = ObjectStore.commit_tree

    def recording(self: ObjectStore, *args: object, **kwargs: object) -> str:
        callers.append(inspect.stack()[1].function)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ObjectStore, "commit_tree", recording)
    return callers


def test_init_change_new_plan_and_import_pass_through_the_door(
    tmp_path: Path, door: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(operators, "_os_login", lambda: "office")
    store = Store.init(tmp_path / "store")
    assert door == ["commit"]
    admin = store.operator("office")
    assert isinstance(admin, Operator) and admin.role == "admin"
    task, req = next((t.number, r) for t, r, _ in store.load().plan.assignments())
    unit = next(iter(req.assignments))
    Service(store, admin).apply([Change(task, req.key, unit, "status", "done")])
    Service(store, admin).new_plan(2020)
    files = {p[len("tasks/"):]: d for p, d in store.repo.read_files_at(store.tip(2019), [
        "tasks/plan.toml", "tasks/units.toml", f"tasks/{task:02d}.toml"]).items()}
    files["plan.toml"] = files["plan.toml"].replace(b"2019", b"2021")
    Service(store, admin).import_plan(2021, files, "test")
    assert door == ["commit"] * 4
    assert store.years() == [2019, 2020, 2021]
