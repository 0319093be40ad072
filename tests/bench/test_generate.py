"""The synthetic-store generator: valid files, reproducible ids, edits identical to the codec's."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from tracker.bench import generate as gen_module
from tracker.bench.generate import _Generator, generate, split_task_text
from tracker.codec import dump_task, load_task
from tracker.planio import plan_from_files


def _files(repo: Path, ref: str = "plan/2019") -> dict[str, bytes]:
    names = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", ref, "tasks/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        n.removeprefix("tasks/"): subprocess.run(
            ["git", "-C", str(repo), "show", f"{ref}:{n}"], capture_output=True, check=True
        ).stdout
        for n in names
    }


def _head(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "plan/2019"], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_same_seed_same_commit_ids_other_seed_other_ids(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", tasks=6, commits=40, seed=7)
    b = generate(tmp_path / "b", tasks=6, commits=40, seed=7)
    c = generate(tmp_path / "c", tasks=6, commits=40, seed=8)
    assert a.head == b.head == _head(tmp_path / "a")
    assert c.head != a.head


def test_store_is_a_valid_plan_with_the_counts_reported(tmp_path: Path) -> None:
    stats = generate(tmp_path / "s", tasks=5, commits=30, seed=1)
    loaded = plan_from_files(_files(tmp_path / "s"))
    assert sorted(loaded.plan.tasks) == [1, 2, 3, 4, 5]
    assert sum(1 for _ in loaded.plan.assignments()) == stats.assignments
    count = subprocess.run(
        ["git", "-C", str(tmp_path / "s"), "rev-list", "--count", "plan/2019"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert int(count) == stats.commits == 30
    for task in loaded.plan.tasks.values():
        assert 1 <= len(task.requirements) <= 5
        for req in task.requirements:
            assert 5 <= len(req.assignments) <= 40
            assert all(a.unit in loaded.registry.units for a in req.assignments.values())
    assert (tmp_path / "s" / "tasks" / "01.toml").is_file()  # checked out
    assert (tmp_path / "s" / ".git" / "objects" / "info" / "commit-graphs").exists() or (
        tmp_path / "s" / ".git" / "objects" / "info" / "commit-graph"
    ).exists()


def test_store_opens_and_loads_through_the_store(tmp_path: Path) -> None:
    store_module = pytest.importorskip("tracker.store")
    generate(tmp_path / "s", tasks=4, commits=10, seed=3)
    loaded = store_module.Store.open(tmp_path / "s").load()
    assert len(loaded.plan.tasks) == 4


def test_commits_carry_the_service_trailers_and_an_operator_author(tmp_path: Path) -> None:
    generate(tmp_path / "s", tasks=3, commits=12, seed=2)
    log = subprocess.run(
        ["git", "-C", str(tmp_path / "s"), "log", "-n", "5", "--format=%ae%n%B%n--"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "@zwgk.local" in log
    for trailer in ("\nTask: ", "\nUnit: ", "\nOperator: op", "\n  > "):
        assert trailer in log
    assert "任务" in log


def test_large_plans_use_the_nested_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gen_module, "FLAT_LAYOUT_LIMIT", 3)
    stats = generate(tmp_path / "s", tasks=5, commits=5, seed=1)
    assert stats.nested
    files = _files(tmp_path / "s")
    assert "000/0004.toml" in files
    assert len(plan_from_files(files).plan.tasks) == 5


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "x").write_text("keep")
    with pytest.raises(FileExistsError):
        generate(tmp_path / "s", tasks=1, commits=1)
    assert (tmp_path / "s" / "x").read_text() == "keep"


@pytest.mark.parametrize("seed", range(6))
def test_spliced_edit_equals_a_full_dump(seed: int) -> None:
    gen = _Generator(3, seed, None, 2019)
    task = gen.make_task(1)
    doc = split_task_text(task, dump_task(task))
    for _ in range(25):
        gen.change(doc)
        assert doc.text() == dump_task(doc.task)
    assert load_task(doc.text()).requirements == doc.task.requirements


def test_statuses_all_occur() -> None:
    gen = _Generator(30, 1, None, 2019)
    statuses = {a.status for n in range(1, 31) for _, a in gen.make_task(n).assignments()}
    assert len(statuses) == 5
    assert random.Random(1).random() == random.Random(1).random()
