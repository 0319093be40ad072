"""The history record (field events per commit and file, the commits that changed each file) changes nothing shown.

Whatever happened to a store (sets through the door, commits made with git by hand, a
merge, a bulk commit) and whatever is asked (a task, a unit, a limit), ``walk`` gives
the events of the full parse (:func:`tests.audit.test_history_fast.reference`), and a
second ask reads what the first recorded instead of diffing the commits again.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.audit.conftest import git
from tests.audit.helpers import NDRC, OFFICE
from tests.audit.test_history_fast import AS_ZHANGSAN, hand_commit, reference
from tracker.git import log as git_log
from tracker.history import HistoryFilter, event_record, walk
from tracker.history import git_walk as history_walk
from tracker.history.event_record import EventRecord, record_path
from tracker.model import Status
from tracker.service import Change, Service
from tracker.store import Store

STATUSES = [s.value for s in Status]
REAL_CHANGES = git_log.commit_changes
STEP = st.one_of(
    st.tuples(st.just("set"), st.sampled_from([5, 6]), st.sampled_from(STATUSES)),
    st.tuples(st.just("note"), st.sampled_from([5, 6]), st.text("进展abc", min_size=1, max_size=6)),
    st.tuples(st.just("hand"), st.just(5), st.sampled_from(["甲", "乙"])),
    st.tuples(st.just("bulk"), st.just(0), st.sampled_from(STATUSES)),
    st.tuples(st.just("ask"), st.sampled_from([5, 6]), st.sampled_from([None, NDRC, OFFICE, "1", "3"])),
)


def ask(store: Store, task: int, choice: str | None) -> list[dict[str, object]]:
    """History of ``task`` (a unit, or a limit when ``choice`` is a number) equals the full parse."""
    limit = int(choice) if choice and choice.isdigit() else None
    unit = None if choice is None or limit is not None else choice
    flt = HistoryFilter(task=task, unit=unit, limit=limit)
    path = f"tasks/0{task}.toml"
    got = [e.to_json() for e in walk(store.repo, store.tip(2019), flt, task_path=path).events]
    counting = git_log.commit_changes
    git_log.commit_changes = REAL_CHANGES  # the reference's own diffs are not the walk's
    try:
        want = reference(store, flt, path)
    finally:
        git_log.commit_changes = counting
    assert got == want
    return got


@pytest.fixture
def diffs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commits the walk diffs (what the record does not hold)."""
    seen: list[str] = []
    real = REAL_CHANGES

    def counted(repo, commits, paths=()):  # type: ignore[no-untyped-def]
        commits = list(commits)
        seen.extend(c.sha for c in commits)
        return real(repo, commits, paths)

    monkeypatch.setattr(git_log, "commit_changes", counted)
    return seen


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(STEP, min_size=1, max_size=10))
def test_any_story_gives_the_full_parses_events(store: Store, steps: list[tuple[str, int, str | None]]) -> None:
    top = Path(tempfile.mkdtemp(prefix="record-"))
    try:
        shutil.copytree(store.path, top / "s", symlinks=True)
        copy = Store.open(top / "s")
        zhang = Service(copy, copy.operator("zhangsan"), 2019)
        admin = Service(copy, copy.operator("admin"), 2019)
        ask(copy, 5, None)  # the record exists from the start, so every commit below teaches it
        for kind, task, value in steps:
            if kind == "set":
                zhang.apply([Change(task, "1", NDRC, "status", str(value))])
            elif kind == "note":
                admin.apply([Change(task, "1", OFFICE, "note", str(value))], on_behalf_of=OFFICE)
            elif kind == "hand":
                path = copy.path / "tasks" / "05.toml"
                hand_commit(copy, path.read_text(encoding="utf-8") + f"# {value}\n")
            elif kind == "bulk":
                admin.apply([Change(n, "1", NDRC, "status", str(value)) for n in (5, 6)], on_behalf_of=NDRC)
            else:
                ask(copy, task, value)
        events = ask(copy, 5, None)
        if any(kind == "note" and task == 5 for kind, task, _ in steps):
            assert events  # a note always changes the file: the history cannot be empty
        ask(copy, 6, NDRC)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_a_second_ask_diffs_nothing_and_each_commit_is_worked_out_once(
    store: Store, diffs: list[str]
) -> None:
    zhang = Service(store, store.operator("zhangsan"), 2019)
    for status in ("in_progress", "blocked", "done"):
        zhang.apply([Change(5, "1", NDRC, "status", status)])
    ask(store, 5, NDRC)
    assert diffs  # the first ask works the versions out ...
    assert record_path(store.repo.git_dir).is_file()
    diffs.clear()
    ask(store, 5, None)
    ask(store, 5, "1")
    assert diffs == []  # ... the next ones read them
    zhang.apply([Change(5, "1", NDRC, "status", "in_progress")])  # Store.commit records which files it changed
    ask(store, 5, NDRC)
    assert diffs == [store.tip(2019)]  # its events worked out on this first ask ...
    diffs.clear()
    ask(store, 5, None)
    assert diffs == []  # ... and kept
    hand_commit(store, (store.path / "tasks" / "05.toml").read_text(encoding="utf-8") + "# 手工\n")
    ask(store, 5, None)
    assert diffs == [store.tip(2019)]  # a commit made behind the door's back, likewise


def test_a_merge_falls_back_to_the_whole_log(store: Store) -> None:
    zhang = Service(store, store.operator("zhangsan"), 2019)
    zhang.apply([Change(5, "1", NDRC, "status", "in_progress")])
    ask(store, 5, None)
    ask(store, 6, None)
    base = store.tip(2019)
    git(store.path, "checkout", "-q", "-b", "side", base)
    path = store.path / "tasks" / "06.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('title = "', 'title = "旁支', 1), encoding="utf-8")
    git(store.path, "commit", "-q", "-am", "旁支", env=AS_ZHANGSAN)
    git(store.path, "checkout", "-q", "plan/2019")
    zhang.apply([Change(5, "1", NDRC, "status", "done")])
    git(store.path, "merge", "-q", "--no-ff", "-m", "合并", "side", env=AS_ZHANGSAN)
    for task in (5, 6):
        flt, path = HistoryFilter(task=task), f"tasks/0{task}.toml"
        with patch.object(history_walk.EventRecord, "open", lambda *args, **kwargs: None):
            want = [e.to_json() for e in walk(store.repo, store.tip(2019), flt, task_path=path).events]
        assert task == 5 or any(e["subject"] == "旁支" for e in want)
        for _ in range(2):  # the first walk records, the second reads
            got = [e.to_json() for e in walk(store.repo, store.tip(2019), flt, task_path=path).events]
            assert got == want


def test_a_reader_neither_makes_nor_changes_the_record(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_record, "is_writer", lambda git_dir: False)
    ask(store, 5, None)
    assert not record_path(store.repo.git_dir).exists()
    monkeypatch.undo()
    ask(store, 5, None)  # the writer records
    made = record_path(store.repo.git_dir).read_bytes()
    monkeypatch.setattr(event_record, "is_writer", lambda git_dir: False)
    record = EventRecord.open(store.repo.git_dir)
    assert record is not None and not record.writable
    record.close()
    hand_commit(store, (store.path / "tasks" / "05.toml").read_text(encoding="utf-8") + "# 读者之后\n")
    ask(store, 5, None)
    assert record_path(store.repo.git_dir).read_bytes() == made
