"""Waiting for the app's workers in Pilot tests, without sleeping for a fixed time."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual.worker import WorkerCancelled


async def _workers_done(app: Any) -> None:
    # A worker replaced by a newer one (exclusive) is cancelled: that is not a failure here.
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def settle(pilot: Any, until: Callable[[], bool] | None = None, rounds: int = 200) -> None:
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
