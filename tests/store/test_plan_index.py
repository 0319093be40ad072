"""The query index gives the rows the whole plan gives, follows commits by their changed files, and is only a speed-up."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.indexed_listing import indexed_rows
from tracker.listing import list_rows
from tracker.operators import Operator
from tracker.plan_index import PlanIndex, index_path
from tracker.query import MatchContext, parse
from tracker.service import Change, Service
from tracker.store import Store

TODAY = date(2019, 7, 1)


def rows_both_ways(store: Store, text: str, by: str = "task", today: date = TODAY) -> tuple[object, object]:
    year = store.default_year()
    snap = store.snapshot(year, tasks=())
    ctx = MatchContext(today=today, registry=snap.loaded.registry)
    fast = indexed_rows(store, year, snap.commit, snap.loaded.plan.info, parse(text, ctx.registry), by, ctx)
    whole = Store.open(store.path).load(year).plan
    slow = list_rows(whole, parse(text, ctx.registry), by, ctx)
    return fast, slow


def test_the_index_lives_in_the_cache_folder_and_lists_what_the_plan_lists(store: Store) -> None:
    fast, slow = rows_both_ways(store, "")
    assert fast == slow and len(slow) == len(store.load().plan.tasks)
    path = index_path(store, store.default_year())
    assert path.is_file() and path.parent.parent.name == "tracker-cache"


QUERIES = st.lists(
    st.sampled_from([
        "unit:市发改局", "unit:营里镇", "group:各镇(街区)", "status:done", "status:in_progress", "-status:done",
        "task:3..9", "task:12", "role:lead", "overdue", "text:公开", "section:一", "due<2019-09-01",
    ]),
    min_size=1, max_size=3,
).map(lambda terms: " ".join(terms))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=QUERIES, second=st.one_of(st.none(), QUERIES), by=st.sampled_from(["task", "requirement", "assignment"]),
       day=st.dates(min_value=date(2019, 1, 1), max_value=date(2020, 3, 1)))
def test_any_query_gives_the_rows_of_the_whole_plan(
    store: Store, first: str, second: str | None, by: str, day: date
) -> None:
    text = first if second is None else f"{first} or {second}"
    fast, slow = rows_both_ways(store, text, by, day)
    assert fast == slow


def test_one_set_updates_the_changed_rows_only(store: Store, admin: Operator, monkeypatch: pytest.MonkeyPatch) -> None:
    rows_both_ways(store, "")  # builds it
    year = store.default_year()

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt after one set")

    monkeypatch.setattr(PlanIndex, "_build", classmethod(no_rebuild))
    task = store.load().plan.tasks[5]
    req = task.requirements[0]
    unit = next(iter(req.assignments))
    result = Service(store, admin, year).apply([Change(5, req.key, unit, "status", "blocked")])
    assert result.commit is not None
    index = PlanIndex.open(store, year, result.commit)
    assert index._meta("commit") == result.commit
    index.close()
    fast, slow = rows_both_ways(store, f"unit:{unit}")
    assert fast == slow
    assert next(r for r in fast if r["task"] == 5)["status"] == "blocked"  # type: ignore[union-attr, index]


def test_a_commit_made_outside_the_door_is_caught_up_by_the_changed_files(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_both_ways(store, "")
    rel = store.load().paths[7]
    file = store.path / "tasks" / rel
    file.write_text(file.read_text(encoding="utf-8").replace('status = "not_started"', 'status = "done"', 1),
                    encoding="utf-8")
    env = {"GIT_AUTHOR_NAME": "hand", "GIT_AUTHOR_EMAIL": "h@x", "GIT_COMMITTER_NAME": "hand",
           "GIT_COMMITTER_EMAIL": "h@x", "PATH": "/usr/bin:/bin", "HOME": str(store.path)}
    subprocess.run(["git", "-C", str(store.path), "commit", "-qam", "by hand"], check=True, env=env)

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt for one changed file")

    monkeypatch.setattr(PlanIndex, "_build", classmethod(no_rebuild))
    fast, slow = rows_both_ways(store, "")
    assert fast == slow


def test_a_damaged_index_is_rebuilt(store: Store) -> None:
    rows_both_ways(store, "")
    path = index_path(store, store.default_year())
    path.write_bytes(b"not a database" * 100)
    fast, slow = rows_both_ways(store, "status:done")
    assert fast == slow


def test_without_write_access_the_plan_is_read_instead(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    year = store.default_year()
    snap = store.snapshot(year, tasks=())
    ctx = MatchContext(today=TODAY, registry=snap.loaded.registry)
    assert indexed_rows(store, year, snap.commit, snap.loaded.plan.info, parse(""), "task", ctx) is None
    assert not index_path(store, year).exists()


def test_the_cli_list_reads_the_index(store: Store, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("list", "unit:市发改局", "--format", "json", "--as-of", "2019-07-01")
    assert result.exit_code == 0
    assert index_path(store, store.default_year()).is_file()


@pytest.mark.parametrize(("by", "query"), [("requirement", ""), ("task", ""), ("task", "unit:营里镇"),
                                           ("requirement", "-status:done"), ("assignment", "")])
def test_a_page_of_rows_is_that_part_of_all_rows(store: Store, by: str, query: str) -> None:
    year = store.default_year()
    snap = store.snapshot(year, tasks=())
    ctx = MatchContext(today=TODAY, registry=snap.loaded.registry)
    everything = indexed_rows(store, year, snap.commit, snap.loaded.plan.info, parse(query, ctx.registry), by, ctx)
    assert everything is not None and len(everything) > 20
    for offset, limit in ((0, 7), (5, 13), (len(everything) - 3, 10), (len(everything) + 5, 4)):
        page = indexed_rows(store, year, snap.commit, snap.loaded.plan.info, parse(query, ctx.registry), by, ctx,
                            limit=limit, offset=offset)
        assert page == everything[offset : offset + limit]
