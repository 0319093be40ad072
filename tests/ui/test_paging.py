"""The task table builds rows for what it shows: a page at start, the next pages on scrolling, never the whole plan up front."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracker.ui.paging as paging
import tracker.ui.rows as rows_module
from tracker.bench.generate import ADMIN_LOGIN, generate
from tracker.operators import Operator
from tracker.store import Store
from tracker.ui.app import make_app
from tracker.ui.paging import PlanPages, RowFeed
from tracker.ui.rows import AssignmentMatcher, FilterContext, build_rows
from tracker.ui.widgets.task_table import TaskTable

from .helpers import ready, settle

TODAY = date(2019, 9, 1)
QUERIES = ["", "overdue", "status:not_started", "task:20..60", "公开", "role:lead", "-status:done"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated plan of 150 tasks and a few thousand assignments (far more rows than a screen)."""
    path = tmp_path_factory.mktemp("paging") / "store"
    generate(path, tasks=300, commits=1, seed=3, assignments=6000)
    return path


_WHOLE: dict[tuple[Path, str], list[Any]] = {}


def whole_rows(store: Store, text: str) -> list[Any]:
    """The rows of the plan read whole (what the table showed before paging), once per query."""
    if (store.path, text) not in _WHOLE:
        loaded = store.load(store.default_year())
        _WHOLE[store.path, text] = build_rows(loaded, AssignmentMatcher(text, FilterContext(TODAY, loaded)), TODAY)
    return _WHOLE[store.path, text]


def indexed_pages(store: Store) -> tuple[PlanPages, FilterContext]:
    year = store.default_year()
    tip = store.tip(year)
    snap = store.snapshot_at(tip, year, tasks=())
    pages = PlanPages.from_index(store, year, tip, snap.loaded.plan.info, TODAY)
    assert pages is not None and pages.indexed
    return pages, FilterContext(TODAY, snap.loaded)


@pytest.mark.parametrize("text", QUERIES)
def test_a_feed_read_to_its_end_gives_the_rows_of_the_whole_plan(generated: Path, text: str) -> None:
    store = Store.open(generated)
    pages, ctx = indexed_pages(store)
    feed = RowFeed(pages, AssignmentMatcher(text, ctx), TODAY)
    assert feed.more(None) == whole_rows(store, text)
    assert feed.complete and feed.total == len(feed.rows)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages_asked=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=6),
       text=st.sampled_from(QUERIES))
def test_pages_add_up_to_the_rows_in_order_and_build_only_what_they_need(
    generated: Path, pages_asked: list[int], text: str
) -> None:
    store = Store.open(generated)
    pages, ctx = indexed_pages(store)
    whole = whole_rows(store, text)
    feed = RowFeed(pages, AssignmentMatcher(text, ctx), TODAY)
    got: list[Any] = []
    want = 0
    for size in pages_asked:
        want += size
        got += feed.more(want)
        assert got == whole[: len(got)]  # in plan order, nothing twice, nothing skipped
        assert len(got) >= min(want, len(whole))
    if text == "" and want < len(whole) // 2:
        assert not feed.complete and feed.tasks_built < len(pages.numbers)


async def test_the_table_builds_a_page_at_start_and_the_rest_on_scrolling(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(generated)
    whole = whole_rows(store, "")
    indexed_pages(store)  # the index exists (its first build reads the plan whole, once per store)
    built: list[str] = []
    original = rows_module.task_rows

    def counting(*args: Any) -> Any:
        for row in original(*args):
            built.append(row.key)
            yield row

    monkeypatch.setattr(paging, "task_rows", counting)
    whole_reads: list[Any] = []
    snapshot_at = Store.snapshot_at

    def spy(self: Store, commit: str, year: int | None = None, **kw: Any) -> Any:
        if kw.get("tasks") is None:
            whole_reads.append(commit)
        return snapshot_at(self, commit, year, **kw)

    monkeypatch.setattr(Store, "snapshot_at", spy)
    admin = Operator(login=ADMIN_LOGIN, name="政务公开办", units=(), role="admin")
    app = make_app(Store.open(generated), admin, today=TODAY, refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await settle(pilot)
        table = app.main.query_one(TaskTable)
        assert len(whole) > 300
        # one page: a few screens of rows, not the plan's
        assert 0 < table.row_count < len(whole) // 2
        assert len(built) == len(set(built)) < len(whole) // 2
        assert not whole_reads  # the plan was never read whole
        assert f"{len(whole)} 条" in str(app.main.query_one("#status-line").render())
        # moving down the table builds the next pages as they come near
        first_page = table.row_count
        for _ in range(first_page):
            if table.row_count > first_page:
                break
            await pilot.press("pagedown")
        await settle(pilot, lambda: table.row_count > first_page)
        assert table.cursor_row < first_page  # fetched before the cursor reached the end
        assert table.shown_keys == [r.key for r in whole[: table.row_count]]
        # ctrl+end: every row, then the last
        await pilot.press("ctrl+end")
        await settle(pilot, lambda: table.current_key == whole[-1].key)
        assert table.shown_keys == [r.key for r in whole]
        assert len(built) == len(whole)  # each row built once
        assert not whole_reads


async def test_a_filter_shows_its_first_page_and_counts_what_is_built(generated: Path) -> None:
    admin = Operator(login=ADMIN_LOGIN, name="政务公开办", units=(), role="admin")
    store = Store.open(generated)
    whole = whole_rows(store, "-status:done")
    app = make_app(store, admin, today=TODAY, refresh_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"-status:done", "enter")
        await settle(pilot, lambda: app.main.query_text == "-status:done")
        table = app.main.query_one(TaskTable)
        assert len(whole) > table.row_count > 0
        assert table.shown_keys == [r.key for r in whole[: table.row_count]]
        assert f"{table.row_count}+ 条" in str(app.main.query_one("#status-line").render())
        await pilot.press("ctrl+end")
        await settle(pilot, lambda: table.current_key == whole[-1].key)
        assert f"{len(whole)} 条" in str(app.main.query_one("#status-line").render())


def test_the_dashboard_counts_streamed_tasks_as_it_counts_the_whole_plan(generated: Path) -> None:
    from tracker.ui.figures import dashboard_figures

    store = Store.open(generated)
    pages, ctx = indexed_pages(store)
    whole = dashboard_figures(store.load(store.default_year()), TODAY)
    assert dashboard_figures(ctx.loaded, TODAY, assignments=pages.assignments(step=7)) == whole
    assert whole.units and whole.overdue > 0


async def test_the_sections_tree_opens_lazily_and_goes_to_a_task_not_built_yet(generated: Path) -> None:
    from tracker.ui.widgets.section_tree import SectionTree

    admin = Operator(login=ADMIN_LOGIN, name="政务公开办", units=(), role="admin")
    app = make_app(Store.open(generated), admin, today=TODAY, refresh_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        tree = app.main.query_one(SectionTree)
        table = app.main.query_one(TaskTable)
        subsections = [n for s in tree.root.children for n in s.children if n.allow_expand]
        assert subsections and all(not n.children for n in subsections)  # no task node made yet
        last = subsections[-1]
        last.expand()
        await settle(pilot, lambda: bool(last.children))
        wanted = last.children[-1].data
        assert wanted is not None and wanted > int(table.shown_keys[-1].split(".")[0])  # beyond the page
        tree.post_message(SectionTree.TaskChosen(wanted))
        await settle(pilot, lambda: table.current_key is not None and table.current_key.startswith(f"{wanted}."))
        assert table.has_focus
