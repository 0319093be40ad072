"""Waiting for the app's workers in Pilot tests, without sleeping for a fixed time, and reading what it said."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tracker.ui.app import TrackerApp
from tracker.ui.widgets.task_table import TaskTable


async def _workers_done(app: Any) -> None:
    # A worker replaced by a newer one (exclusive) is cancelled: that is not a failure here.
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def settle(pilot: Pilot[Any], until: Callable[[], bool] | None = None, rounds: int = 200) -> None:
    """Let workers finish and messages land; with ``until``, keep going until it holds."""
    app = pilot.app
    for _ in range(rounds):
        await _workers_done(app)
        await pilot.pause()
        if until is None or until():
            if until is None:
                await _workers_done(app)
                await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("the app did not reach the expected state")


def tracker_app(pilot: Pilot[Any]) -> TrackerApp:
    app = pilot.app
    assert isinstance(app, TrackerApp)
    return app


async def ready(pilot: Pilot[Any]) -> None:
    """The plan is loaded and the table shows its rows."""
    app = tracker_app(pilot)
    await settle(pilot, lambda: app.session.plan is not None and app.main.query_one(TaskTable).row_count > 0)


@contextlib.asynccontextmanager
async def opened(app: TrackerApp, size: tuple[int, int] = (80, 24)) -> AsyncIterator[Pilot[Any]]:
    """The app running headless at ``size``, its plan on screen."""
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        yield pilot


def notices(app: TrackerApp, title: str | None = None) -> list[Any]:
    """The notifications the app showed (with this title), oldest first."""
    return [n for n in app._notifications if title is None or n.title == title]


def saved_notices(app: TrackerApp) -> list[str]:
    """The message of each "已提交 ..." notification: one per commit the form made."""
    return [n.message for n in notices(app) if n.message.startswith("已提交 ")]


def calls(monkeypatch: Any, cls: type, name: str) -> list[tuple[Any, ...]]:
    """Record each call of ``cls.name`` (still calling it): how many times the table rebuilt, etc."""
    seen: list[tuple[Any, ...]] = []
    original = getattr(cls, name)

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, spy)
    return seen


def screen_text(app: TrackerApp) -> str:
    """What the terminal shows now, as plain text lines (read from the screenshot Textual exports)."""
    import html
    import re

    svg = app.export_screenshot()
    lines = re.findall(r'<text class="[^"]*" x="[^"]*" y="([^"]*)"[^>]*>(.*?)</text>', svg)
    rows: dict[float, list[str]] = {}
    for y, text in lines:
        rows.setdefault(float(y), []).append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return "\n".join("".join(parts).replace("\xa0", " ") for _y, parts in sorted(rows.items()))
