"""The TUI measurements, run in a child process so that its memory can be read.

``python -m tracker.bench.tui_probe ours|floor REPO ROWS.json`` starts the app
headless (``App.run_test``), prints ``ready`` once the table shows its rows (the
parent times process start to that line), then types the last character of a
filter and reports how long the table took to change, as one JSON line (with the CPU
seconds it had used when the rows showed, ``start_cpu``, and those the keystroke took,
``filter_cpu``, every thread of the process counted).

``ours`` is the tracker's app from ``make_app(store, operator)``; ``floor`` is a
bare Textual app with an input and a ``DataTable`` holding the same rows (one per
requirement), filtered on every keystroke. Textual is imported only here, never
by the benchmark's parent process.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

QUERY_PREFIX = "task:1.."
QUERY_LAST = "2"
WAIT = 60.0


def run_probe(mode: str, repo: Path, rows: Path) -> dict[str, Any]:
    """Start the probe, time its first frame, read its keystroke time and its peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker.bench.tui_probe", mode, str(repo), str(rows)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    result: dict[str, Any] = {}
    for raw in proc.stdout:
        line = raw.decode().strip()
        if line == "ready" and "start" not in result:
            result["start"] = time.perf_counter() - start
        elif line.startswith("{"):
            result.update(json.loads(line))
    err = proc.stderr.read().decode("utf-8", "replace")
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss would be wrong here: Linux carries the parent's peak across fork+exec, so the
    # child reports its own VmHWM (peak resident set of its own address space) instead.
    result.setdefault("rss_mb", None)
    del usage
    if proc.returncode != 0 and "error" not in result:
        result["error"] = (err.strip().splitlines() or [f"exit {proc.returncode}"])[-1][:200]
    if "start" not in result:
        result.pop("rss_mb", None)
    return result


def _tables(app: Any) -> list[Any]:
    from textual.widgets import DataTable

    return list(app.screen.query(DataTable))


def _fingerprint(app: Any) -> tuple[int, ...]:
    # The rows on screen: the query's last key narrows the table (both apps update it in one go).
    return tuple(t.row_count for t in _tables(app))


async def _until(pilot: Any, check: Any, limit: float = WAIT) -> bool:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if check():
            return True
        await asyncio.sleep(0.002)
    return False


async def _drive(app: Any) -> None:
    from textual.widgets import Input

    async with app.run_test(headless=True, size=(120, 40)) as pilot:
        if not await _until(pilot, lambda: any(t.row_count for t in _tables(app))):
            print(json.dumps({"error": "表格在 60 秒内没有出现行"}), flush=True)
            return
        await pilot.pause()
        print("ready", flush=True)
        # CPU seconds of this process to the first rows (imports included): on a shared machine
        # it says more than the parent's wall clock.
        print(json.dumps({"start_cpu": time.process_time()}), flush=True)
        inputs = [i for i in app.screen.query(Input) if i.id == "filter-input"] or list(
            app.screen.query(Input)
        )
        if not inputs:
            print(json.dumps({"error": "找不到筛选输入框"}), flush=True)
            return
        box = inputs[0]
        box.focus()
        await pilot.pause()
        box.value = QUERY_PREFIX
        box.cursor_position = len(QUERY_PREFIX)
        await asyncio.sleep(0.6)  # let a debounced filter settle on the prefix
        await pilot.pause()
        before = _fingerprint(app)
        from textual import events

        # The key goes to the driver as a terminal's would; Pilot.press would add its own idle waits.
        key = events.Key(QUERY_LAST, QUERY_LAST)
        key.set_sender(app)
        t0, cpu0 = time.perf_counter(), time.process_time()
        app._driver.send_message(key)
        changed = await _until(pilot, lambda: _fingerprint(app) != before, limit=10)
        await pilot.pause()
        elapsed = time.perf_counter() - t0
        print(
            json.dumps(
                {
                    "filter": elapsed if changed else None,
                    "filter_cpu": time.process_time() - cpu0 if changed else None,
                    **({} if changed else {"error": "按键后表格 10 秒内没有变化"}),
                }
            ),
            flush=True,
        )


def _ours(repo: Path) -> Any:
    import pwd

    from tracker.operators import Operator
    from tracker.store import Store

    try:
        from tracker.ui.app import make_app
    except ImportError:
        from tracker.ui import make_app  # type: ignore[attr-defined,no-redef]
    login = pwd.getpwuid(os.getuid()).pw_name
    return make_app(Store.open(repo), Operator(login=login, name="基准测试", units=(), role="admin"))


def _floor(rows_file: Path) -> Any:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Input

    rows: list[list[str]] = json.loads(rows_file.read_text(encoding="utf-8"))

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="filter-input")
            yield DataTable(id="table")

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("编号", "任务", "时限", "牵头", "完成")
            table.add_rows(rows)

        def on_input_changed(self, event: Input.Changed) -> None:
            text = event.value.strip()
            shown = rows
            if text.startswith("task:") and ".." in text:
                lo, _, hi = text[5:].partition("..")
                if not (lo.isdigit() and hi.isdigit()):
                    return
                shown = [r for r in rows if int(lo) <= int(r[0].split(".")[0]) <= int(hi)]
            elif text:
                shown = [r for r in rows if any(text in c for c in r)]
            table = self.query_one(DataTable)
            table.clear()
            table.add_rows(shown)

    return Floor()


def _peak_rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    mode, repo, rows = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    try:
        app = _ours(repo) if mode == "ours" else _floor(rows)
        asyncio.run(_drive(app))
        print(json.dumps({"rss_mb": _peak_rss_mb()}), flush=True)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:200]}), flush=True)


if __name__ == "__main__":
    main()
