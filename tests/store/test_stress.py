"""Many writers at once, and kill -9 at random moments (scripts/stress_store.py).

The issue's figures by default: STRESS_PROCS x STRESS_COUNT writers (4 x 100),
STRESS_KILLS kills of a note writer (200) and STRESS_BULK_KILLS kills of a bulk
set, git children included (500); smaller values make a quick local run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.store import Store

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stress_store.py"
PROCS = int(os.environ.get("STRESS_PROCS", "4"))
COUNT = int(os.environ.get("STRESS_COUNT", "100"))
KILLS = int(os.environ.get("STRESS_KILLS", "200"))
BULK_KILLS = int(os.environ.get("STRESS_BULK_KILLS", "500"))

pytestmark = pytest.mark.slow


def run(*args: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=900)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, report
    return report


def test_writers_on_different_assignments_lose_nothing(bare_store: Store) -> None:
    before = int(bare_store.repo.out("rev-list", "--count", "plan/2019"))
    report = run("writers", str(bare_store.path), "--procs", str(PROCS), "--count", str(COUNT))
    assert report["committed"] == report["new_commits"] == PROCS * COUNT
    assert report["conflicts"] == 0 and report["fsck_clean"] is True
    assert int(bare_store.repo.out("rev-list", "--count", "plan/2019")) == before + PROCS * COUNT
    assert bare_store.repo.out("fsck", "--full", "--no-dangling", "--no-progress") == ""


def test_writers_on_one_note_commit_or_hear_of_a_conflict(store: Store) -> None:
    report = run("writers", str(store.path), "--procs", str(PROCS), "--count", str(max(COUNT // 2, 10)), "--same")
    assert report["committed"] + report["conflicts"] == PROCS * max(COUNT // 2, 10)  # type: ignore[operator]
    assert report["every_committed_note_present"] is True and report["all_commits_on_branch"] is True
    assert report["committed"] == report["new_commits"] and report["committed"] > 0  # type: ignore[operator]
    assert store.repo.out("status", "--porcelain") == ""


def test_kill_9_at_random_moments_leaves_the_store_whole(store: Store) -> None:
    report = run("kills", str(store.path), "--kills", str(KILLS))
    assert report["problems"] == [] and report["work_tree_clean"] is True
    assert store.fsck()[0]
    loaded = store.load()
    assert loaded.plan.tasks[5].requirements[0].assignments


def test_kill_9_during_bulk_sets_leaves_every_store_writable_with_its_history(store: Store) -> None:
    before = store.repo.out("rev-list", "plan/2019").split()
    report = run("bulk-kills", str(store.path), "--kills", str(BULK_KILLS))
    assert report["problems"] == [] and report["kills"] == BULK_KILLS
    # every kill was followed by a write that went through (plus what the killed writers committed)
    assert report["commits"] >= len(before) + BULK_KILLS  # type: ignore[operator]
    after = set(store.repo.out("rev-list", "plan/2019").split())
    assert set(before) <= after
    assert store.repo.out("status", "--porcelain") == ""
    assert store.fsck()[0]
    validated = subprocess.run([sys.executable, "-m", "tracker.cli", "validate", "--repo", str(store.path)],
                               capture_output=True, text=True, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr
