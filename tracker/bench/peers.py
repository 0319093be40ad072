"""Taskwarrior and Fossil holding the same items, timed on the same operations in the same run.

Each assignment of the store becomes one item: a Taskwarrior task (the unit as
a tag, the task number as project) and a Fossil ticket (the unit in the
``subsystem`` field). The peers' stores are built once per synthetic store and
copied before each run that writes. Timed, whole process, like ours:

==============  ===============================  =====================================
operation       Taskwarrior                      Fossil (tickets)
==============  ===============================  =====================================
list all        ``task export``                  ``fossil ticket show 0``
filter 5%       ``task '(+U1 or +U2)' export``   ``fossil ticket show 0 "subsystem IN (..)"``
one update      ``task UUID modify +done``       ``fossil ticket change UUID status ..``
bulk of N       one ``task ID-ID modify``        N ``fossil ticket change`` (it has no bulk)
history         ``task UUID info``               ``fossil ticket history UUID``
one item        ``task UUID export``             ``fossil ticket show 0 "tkt_uuid = 'UUID'"``
==============  ===============================  =====================================

Loading is slow for Fossil (one process per ticket, ~50 tickets a second): it
is measured up to ``MAX_ITEMS["Fossil"]`` items (sizes S and M; L's 237,525
tickets would take 80 minutes to load). Taskwarrior imports in batches of
``IMPORT_BATCH`` items, so no one process holds all of L, and is measured at
every size, L too: there each of its commands reads the whole 54 MB pending
file (7-14 s, 640 MB resident, measured), and its bulk update of 1,000 tasks
takes minutes (221 s on a loaded machine), so at L the bulk is timed once.
A peer's failure is one line: its command, exit code or signal, last words.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from tracker.bench.timing import LAST_CPU, median_time

MAX_ITEMS = {"Taskwarrior": 300_000, "Fossil": 12_000}
IMPORT_BATCH = 20_000  # items per ``task import``
QUICK_ITEMS = 40
PEER_OPS = ("list", "filter", "show", "set", "bulk", "history")


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "USER": "bench",
        "HOME": str(home),
        "TASKRC": str(home / "taskrc"),
        "TASKDATA": str(home / "task"),
    }


def failure(args: list[str], code: int, output: bytes) -> str:
    """One short line: the peer's command (without its rc.* settings), how it ended, its last words."""
    words = [a for a in args if not a.startswith("rc.")]
    command = " ".join(w if len(w) <= 40 else w[:37] + "..." for w in words[:4])
    how = f"信号 {-code}(内存不足时被杀?)" if code < 0 else f"退出码 {code}"
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    return f"`{command}` {how}" + (f": {lines[-1][:120]}" if lines else "")


class _Peer:
    name = ""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = _env(home)

    def run(self, args: list[str], cwd: Path | None = None) -> bytes:
        proc = subprocess.run(
            args, env=self.env, capture_output=True, cwd=cwd or self.home, stdin=subprocess.DEVNULL
        )
        if proc.returncode != 0:
            raise RuntimeError(failure(args, proc.returncode, proc.stderr or proc.stdout))
        return proc.stdout

    def load(self, items: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def reopen(self) -> None:
        raise NotImplementedError


class Taskwarrior(_Peer):
    """Taskwarrior 2.6: one task per assignment."""

    name = "Taskwarrior"

    def task(self, *args: str) -> bytes:
        return self.run(
            [
                "task",
                "rc.confirmation=off",
                "rc.bulk=0",
                "rc.verbose=nothing",
                "rc.hooks=off",
                "rc.gc=off",
                "rc.recurrence=off",
                *args,
            ]
        )

    def load(self, items: list[dict[str, Any]]) -> None:
        (self.home / "task").mkdir(parents=True, exist_ok=True)
        (self.home / "taskrc").write_text(f"data.location={self.home / 'task'}\nnews.version=2.6.0\n")
        records = [
            {
                "description": f"任务{i['task']}.{i['key']} {i['unit']} {i['text']}",
                "project": f"t{i['task']}",
                "tags": [i["tag"]],
                "status": "pending",
                "entry": "20190301T010000Z",
            }
            for i in items
        ]
        path = self.home / "import.json"
        for start in range(0, len(records), IMPORT_BATCH):
            path.write_text(json.dumps(records[start : start + IMPORT_BATCH], ensure_ascii=False), encoding="utf-8")
            self.task("import", str(path))
        path.unlink()
        exported = json.loads(self.task("export"))
        self.uuids = [t["uuid"] for t in sorted(exported, key=lambda t: t["id"])]
        (self.home / "uuids.json").write_text(json.dumps(self.uuids))

    def reopen(self) -> None:
        self.uuids = json.loads((self.home / "uuids.json").read_text())

    def list_all(self) -> None:
        self.task("export")

    def filter(self, tags: list[str]) -> None:
        self.task("(", *" or ".join(f"+{t}" for t in tags).split(), ")", "export")

    def update(self, i: int) -> None:
        self.task(self.uuids[i], "modify", "+bench", "priority:H")

    def bulk(self, first: int, count: int, round_no: int) -> None:
        self.task(f"{first + 1}-{first + count}", "modify", f"priority:{'HL'[round_no % 2]}")

    def history(self, i: int) -> None:
        self.task(self.uuids[i], "info")

    def show(self, i: int) -> None:
        self.task(self.uuids[i], "export")


class Fossil(_Peer):
    """Fossil 2.x tickets: one ticket per assignment."""

    name = "Fossil"

    @property
    def repo(self) -> str:
        return str(self.home / "tickets.fossil")

    def fossil(self, *args: str) -> bytes:
        return self.run(["fossil", *args])

    def load(self, items: list[dict[str, Any]]) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.fossil("init", "-A", "bench", self.repo)
        self.uuids = []
        for i in items:
            out = self.fossil(
                "ticket",
                "-R",
                self.repo,
                "add",
                "title",
                f"任务{i['task']}.{i['key']} {i['text'][:40]}",
                "status",
                "Open",
                "subsystem",
                i["unit"],
                "comment",
                i["text"],
            )
            self.uuids.append(out.decode().strip().rsplit(" ", 1)[-1])
        (self.home / "uuids.json").write_text(json.dumps(self.uuids))

    def reopen(self) -> None:
        self.uuids = json.loads((self.home / "uuids.json").read_text())

    def list_all(self) -> None:
        self.fossil("ticket", "-R", self.repo, "show", "0")

    def filter(self, units: list[str]) -> None:
        quoted = ",".join("'" + u.replace("'", "''") + "'" for u in units)
        self.fossil("ticket", "-R", self.repo, "show", "0", f"subsystem IN ({quoted})")

    def update(self, i: int) -> None:
        self.fossil("ticket", "-R", self.repo, "change", self.uuids[i], "status", "Fixed")

    def bulk(self, first: int, count: int, round_no: int) -> None:
        status = ("Review", "Fixed")[round_no % 2]
        for uuid in self.uuids[first : first + count]:
            self.fossil("ticket", "-R", self.repo, "change", uuid, "status", status)

    def history(self, i: int) -> None:
        self.fossil("ticket", "-R", self.repo, "history", self.uuids[i])

    def show(self, i: int) -> None:
        self.fossil("ticket", "-R", self.repo, "show", "0", f"tkt_uuid = '{self.uuids[i]}'")


def _items(bench: Any) -> list[dict[str, Any]]:
    units = sorted({a[2] for a in bench.facts.assignments})
    tags = {u: f"u{n:03d}" for n, u in enumerate(units)}
    return [
        {"task": t, "key": k, "unit": u, "tag": tags[u], "text": f"做好信息公开 {t}.{k} {u}"}
        for t, k, u, _s in bench.facts.assignments
    ]


def _prepared(cls: type[_Peer], cache: Path, items: list[dict[str, Any]], work: Path, say: Any) -> _Peer:
    """A fresh copy of the peer's store for this run (built once into ``cache``)."""
    if not (cache / "uuids.json").exists():
        if cache.exists():
            shutil.rmtree(cache)
        say(f"  载入 {len(items)} 条到 {cls.name} ...")
        started = time.perf_counter()
        cls(cache).load(items)
        say(f"  {cls.name} 载入用时 {time.perf_counter() - started:.0f} s")
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(cache, work)
    for rc in (work / "taskrc",):
        if rc.exists():
            rc.write_text(f"data.location={work / 'task'}\nnews.version=2.6.0\n")
    peer = cls(work)
    peer.reopen()
    return peer


def _figures(
    bench: Any, peer: Any, chosen: list[str], n: int, bulk: int, history_item: int
) -> dict[str, tuple[float, float]]:
    """(median wall seconds, median CPU seconds) of each shared operation for one peer."""
    runs: dict[str, tuple[Any, int]] = {
        "list": (lambda _i: peer.list_all(), bench.repeats),
        "filter": (lambda _i: peer.filter(chosen), bench.repeats),
        "show": (lambda _i: peer.show(history_item), bench.repeats),
        "set": (lambda i: peer.update(i + 7), bench.repeats),
        # at L, Taskwarrior's bulk of 1,000 takes minutes a round: once is enough
        "bulk": (lambda i: peer.bulk(n // 3, bulk, i), 1 if n > 100_000 else max(1, min(3, bench.repeats))),
        "history": (lambda _i: peer.history(history_item), bench.repeats),
    }
    figures = {}
    for op, (fn, repeats) in runs.items():
        wall = median_time(fn, repeats)
        figures[op] = (wall, LAST_CPU[0])
    return figures


def measure_peers(bench: Any) -> None:
    """Add the peers' figures to ``bench.results`` for the operations they share with ours."""
    by_op = {r.op: r for r in bench.results}
    n = len(bench.facts.assignments)
    available = [
        (cls, tool) for cls, tool in ((Taskwarrior, "task"), (Fossil, "fossil")) if shutil.which(tool)
    ]
    missing = [
        cls.name for cls, tool in ((Taskwarrior, "task"), (Fossil, "fossil")) if not shutil.which(tool)
    ]
    notes = []
    if missing:
        notes.append(f"未安装 {'、'.join(missing)}(apt-get install taskwarrior fossil)")
    too_many = [cls for cls, _tool in available if n > MAX_ITEMS[cls.name] and not bench.quick]
    if too_many:
        limits = "、".join(f"{c.name} {MAX_ITEMS[c.name]:,}" for c in too_many)
        notes.append(f"{n:,} 条超出载入上限({limits}),未测")
        available = [(cls, tool) for cls, tool in available if cls not in too_many]
    items = _items(bench)
    if bench.quick:
        # a smoke test: enough items to exercise every command, few enough to load in seconds
        items = items[:QUICK_ITEMS]
        n = len(items)
        notes.append(f"快速模式: 同行只载入前 {n} 条")
    filter_units = set(bench.filter_units()) & {i["unit"] for i in items} or {items[0]["unit"]}
    filter_tags = sorted({i["tag"] for i in items if i["unit"] in filter_units})
    bulk = min(bench.size.bulk, n - n // 3)
    history_item = n // 2
    cache_root = bench.base.parent / (bench.base.name + (".peers-quick" if bench.quick else ".peers"))
    for cls, _tool in available:
        try:
            peer = _prepared(
                cls, cache_root / cls.name.lower(), items, bench.workdir / f"peer-{cls.name}", bench.say
            )
            chosen = filter_tags if cls is Taskwarrior else sorted(filter_units)
            figures = _figures(bench, peer, chosen, n, bulk, history_item)
        except Exception as exc:  # noqa: BLE001 - a peer failing must not stop the table
            notes.append(f"{cls.name} 出错: {exc}"[:200])
            bench.say(f"  {cls.name} 出错: {exc}")
            continue
        for op, (seconds, cpu) in figures.items():
            if op in by_op:
                by_op[op].peers[cls.name] = seconds * 1000
                by_op[op].peers[f"{cls.name} cpu"] = cpu * 1000
        bench.say(f"  {cls.name}: " + ", ".join(f"{op} {s * 1000:.0f} ms (cpu {c * 1000:.0f})"
                                              for op, (s, c) in figures.items()))
    if notes:
        for op in PEER_OPS:
            if op in by_op:
                by_op[op].note = (by_op[op].note + " 同行: " + "; ".join(notes)).strip()
