"""kill -9 of a bulk set after the branch moved and before the work tree followed.

The kill is placed exactly in that window by the store's fault-injection point
(``tracker.store._fault``), set only in the child process a test runs. What a
``git checkout`` killed midway leaves behind is reproduced as git leaves it (it
unlinks a file, then writes the new one; the index is written last, through
``index.lock``): some files new, one cut short, one missing, the index old, a
stale ``index.lock``. The next write must finish the checkout (files equal to the
new commit are no hand edits), keep the bulk change, and leave a clean tree.
Many kills at random moments: tests/store/test_stress.py (``bulk-kills``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from tracker.cli import app
from tracker.operators import Operator
from tracker.service import Change, HandEdits, Service
from tracker.store import Store

CHILD = textwrap.dedent(
    """
    import json, os, signal, sys
    from pathlib import Path
    import tracker.store as store_module
    from tracker.service import Change, Service

    path, mode, changes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    store = store_module.Store.open(Path(path))
    rels = sorted({f"tasks/{c[0]:02d}.toml" for c in changes})

    def fault(point):
        if point != "ref-moved":
            return
        if mode == "mid-checkout":
            new = {rel: store.repo.run("cat-file", "blob", "plan/2019:" + rel).stdout for rel in rels}
            (store.repo.git_dir / "index.lock").write_bytes(b"DIRC")
            (store.path / rels[0]).write_bytes(new[rels[0]])
            (store.path / rels[1]).unlink()
            (store.path / rels[1]).write_bytes(new[rels[1]][: len(new[rels[1]]) // 2])
            (store.path / rels[2]).unlink()
        os.kill(os.getpid(), signal.SIGKILL)

    store_module._fault = fault
    Service(store, store.operator()).apply([Change(*c) for c in changes])
    """
)


def bulk(store: Store, count: int = 4) -> list[Change]:
    """A bulk set over ``count`` task files: each one's first assignment is done."""
    changes = []
    for task in store.load().plan.sorted_tasks():
        req = next(r for r in task.requirements if r.assignments)
        changes.append(Change(task.number, req.key, next(iter(req.assignments)), "status", "done"))
        if len(changes) == count:
            return changes
    raise AssertionError("plan too small")


def kill_in_window(store: Store, changes: list[Change], mode: str) -> str:
    """Run the bulk set in a child killed at the window; return the commit it left on the branch."""
    before = store.tip(2019)
    args = json.dumps([[c.task, c.requirement, c.unit, c.field, c.value] for c in changes])
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store.path), mode, args], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    after = store.tip(2019)
    assert after != before and store.repo.out("rev-parse", f"{after}^") == before
    return after


def statuses(store: Store, changes: list[Change], ref: str | None = None) -> list[str]:
    plan = store.load(ref=ref).plan
    return [plan.tasks[c.task].requirement(c.requirement).assignments[c.unit].status.value for c in changes]  # type: ignore[union-attr]


def tip_equals_work_tree(store: Store, changes: list[Change]) -> None:
    rels = sorted({f"{c.task:02d}.toml" for c in changes})
    at_tip = store.read_files(store.tip(2019), rels)
    for rel in rels:
        assert (store.path / "tasks" / rel).read_bytes() == at_tip[rel], rel


@pytest.mark.parametrize("mode", ["ref-moved", "mid-checkout"])
def test_the_next_write_finishes_the_checkout_and_keeps_the_bulk_change(store: Store, admin: Operator, mode: str) -> None:
    changes = bulk(store)
    bulk_commit = kill_in_window(store, changes, mode)
    if mode == "mid-checkout":
        assert (store.repo.git_dir / "index.lock").exists()
    assert store.repo.out("status", "--porcelain", "--untracked-files=no") != ""  # the window, as found
    notes = [Change(c.task, c.requirement, c.unit, "note", "之后的进展") for c in changes]
    result = Service(store, admin).apply(notes)
    assert store.repo.out("rev-parse", f"{result.commit}^") == bulk_commit
    assert store.repo.out("status", "--porcelain") == ""
    assert statuses(store, changes) == ["done"] * len(changes)
    tip_equals_work_tree(store, changes)
    assert not (store.repo.git_dir / "index.lock").exists()
    assert not (store.repo.git_dir / "tracker-locks" / "sync.json").exists()
    validated = CliRunner().invoke(app, ["validate", "--repo", str(store.path)])
    assert validated.exit_code == 0, validated.output
    assert store.fsck()[0]


def test_every_later_write_to_those_files_goes_through(store: Store, admin: Operator) -> None:
    changes = bulk(store)
    kill_in_window(store, changes, "mid-checkout")
    service = Service(store, admin)
    for n in range(3):
        service.apply([Change(c.task, c.requirement, c.unit, "note", f"第{n}次") for c in changes])
    assert store.repo.out("status", "--porcelain") == ""
    assert statuses(store, changes) == ["done"] * len(changes)


def test_a_hand_edit_made_after_the_kill_is_kept_and_reported(store: Store, admin: Operator) -> None:
    changes = bulk(store)
    kill_in_window(store, changes, "ref-moved")
    edited_path = store.path / "tasks" / f"{changes[0].task:02d}.toml"
    edited = edited_path.read_text(encoding="utf-8") + "\n# 手工修改\n"
    edited_path.write_text(edited, encoding="utf-8")
    with pytest.raises(HandEdits, match=f"tasks/{changes[0].task:02d}.toml") as refused:
        Service(store, admin).apply([Change(c.task, c.requirement, c.unit, "note", "x") for c in changes])
    assert refused.value.paths == [f"tasks/{changes[0].task:02d}.toml"]
    assert edited_path.read_text(encoding="utf-8") == edited
    # the other files were brought to the bulk commit, not left for the person to "commit"
    for c in changes[1:]:
        rel = f"{c.task:02d}.toml"
        assert (store.path / "tasks" / rel).read_bytes() == store.read_files(store.tip(2019), [rel])[rel]
    status = store.repo.out("status", "--porcelain", "--untracked-files=no")
    assert status == f" M tasks/{changes[0].task:02d}.toml"


def test_a_write_to_other_files_recovers_the_killed_ones_too(store: Store, admin: Operator) -> None:
    changes = bulk(store, 5)
    kill_in_window(store, changes[:4], "mid-checkout")
    Service(store, admin).apply([changes[4]])
    assert store.repo.out("status", "--porcelain") == ""
    tip_equals_work_tree(store, changes)


def test_the_fault_point_is_off_unless_a_test_sets_it() -> None:
    import tracker.store as store_module

    assert store_module._fault is None
