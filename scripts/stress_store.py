"""Stress the write path: many writers at once, and kill -9 at random moments.

    python scripts/stress_store.py writers STORE --procs 4 --count 100 [--same]
    python scripts/stress_store.py kills STORE --kills 200

``writers``: PROCS processes each make COUNT changes through ``Service.apply``
(acting as the account that runs them). Without ``--same`` each process adds
notes to its own assignment of one task: every commit must land. With ``--same``
all aim at one assignment's note: each attempt either commits or is told of a
conflict, and every committed note is in the file (nothing silently lost).

``kills``: a writer adds notes in a loop; it is killed with SIGKILL at a random
moment, KILLS times. After each kill the store must open, load, pass ``git fsck``,
and have its branch at the commit before or a descendant of it.

Prints one JSON line of figures; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracker.service import Change, ConflictError, Service  # noqa: E402
from tracker.store import Store  # noqa: E402


def targets(store: Store, task: int, count: int) -> list[tuple[int, str, str]]:
    """``count`` different assignments of one task (first requirement first)."""
    found = [(task, r.key, u) for r in store.load().plan.tasks[task].requirements for u in r.assignments]
    if len(found) < count:
        raise SystemExit(f"任务{task} 只有 {len(found)} 个分工")
    return found[:count]


def worker(args: argparse.Namespace) -> None:
    """One writer: COUNT notes on one assignment; prints one JSON line of outcomes."""
    store = Store.open(Path(args.store))
    service = Service(store, store.operator())
    committed, conflicts = [], 0
    print("ready", flush=True)
    i = 0
    while args.count < 0 or i < args.count:
        text = f"{args.tag}-{i}"
        try:
            result = service.apply([Change(args.task, args.req, args.unit, "note", text)])
            committed.append([text, result.commit])
        except ConflictError:
            conflicts += 1
        i += 1
    print(json.dumps({"committed": committed, "conflicts": conflicts}), flush=True)


def _spawn(store: Path, tag: str, target: tuple[int, str, str], count: int) -> subprocess.Popen[str]:
    task, req, unit = target
    return subprocess.Popen(
        [sys.executable, __file__, "worker", str(store), "--tag", tag, "--task", str(task), "--req", req,
         "--unit", unit, "--count", str(count)],
        stdout=subprocess.PIPE, text=True,
    )


def writers(args: argparse.Namespace) -> dict[str, object]:
    """Run PROCS writers at once and check that nothing was lost."""
    store = Store.open(Path(args.store))
    before = store.tip(args.year)
    chosen = targets(store, args.task, 1 if args.same else args.procs)
    start = time.monotonic()
    procs = [_spawn(store.path, f"w{n}", chosen[0 if args.same else n], args.count) for n in range(args.procs)]
    outcomes = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"writer failed: {proc.returncode}")
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.monotonic() - start
    committed = [tuple(c) for o in outcomes for c in o["committed"]]
    conflicts = sum(int(o["conflicts"]) for o in outcomes)
    chain = store.repo.out("rev-list", "--first-parent", f"{before}..{store.tip(args.year)}").split()
    loaded = store.load(args.year)
    notes = [n.text for t, k, u in chosen for n in loaded.plan.tasks[t].requirement(k).assignments[u].notes]  # type: ignore[union-attr]
    ok, fsck = store.fsck()
    report = {
        "procs": args.procs, "count": args.count, "same": args.same, "seconds": round(elapsed, 2),
        "committed": len(committed), "conflicts": conflicts, "new_commits": len(chain),
        "fsck_clean": ok, "notes_in_files": len(notes),
        "all_commits_on_branch": {c for _, c in committed} == set(chain),
        "every_committed_note_present": sorted(t for t, _ in committed) == sorted(notes),
        "attempts_accounted": len(committed) + conflicts == args.procs * args.count,
    }
    if not ok:
        report["fsck"] = fsck
    return report


def kills(args: argparse.Namespace) -> dict[str, object]:
    """Kill a busy writer KILLS times; after each kill the store must be whole."""
    store_path = Path(args.store)
    rng = random.Random(args.seed)
    target = targets(Store.open(store_path), args.task, 1)[0]
    problems: list[str] = []
    start = time.monotonic()
    for n in range(args.kills):
        store = Store.open(store_path)
        before = store.tip(args.year)
        proc = _spawn(store_path, f"k{n}", target, -1)
        assert proc.stdout is not None
        proc.stdout.readline()  # "ready": imports done, writes begin
        time.sleep(rng.uniform(0.0, args.max_delay))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        store = Store.open(store_path)
        after = store.tip(args.year)
        if store.repo.run("merge-base", "--is-ancestor", before, after, check=False).returncode != 0:
            problems.append(f"kill {n}: branch moved off its history")
        try:
            store.load(args.year)
        except Exception as exc:  # noqa: BLE001 - report any failure to load
            problems.append(f"kill {n}: load failed: {exc}")
        ok, output = store.fsck()
        if not ok:
            problems.append(f"kill {n}: fsck: {output.strip()[:200]}")
    # A last write after all that must go through, and leave a clean work tree.
    store = Store.open(store_path)
    Service(store, store.operator()).apply([Change(*target, "note", "final")])  # type: ignore[arg-type]
    status = "" if store.bare else store.repo.out("status", "--porcelain")
    return {"kills": args.kills, "seconds": round(time.monotonic() - start, 2), "problems": problems,
            "commits": int(store.repo.out("rev-list", "--count", store.tip(args.year))),
            "work_tree_clean": status == "", "status": status}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker")
    w.add_argument("store")
    w.add_argument("--tag", required=True)
    w.add_argument("--task", type=int, required=True)
    w.add_argument("--req", required=True)
    w.add_argument("--unit", required=True)
    w.add_argument("--count", type=int, required=True)
    for name in ("writers", "kills"):
        p = sub.add_parser(name)
        p.add_argument("store")
        p.add_argument("--year", type=int, default=2019)
        p.add_argument("--task", type=int, default=5)
    sub.choices["writers"].add_argument("--procs", type=int, default=4)
    sub.choices["writers"].add_argument("--count", type=int, default=100)
    sub.choices["writers"].add_argument("--same", action="store_true")
    sub.choices["kills"].add_argument("--kills", type=int, default=200)
    sub.choices["kills"].add_argument("--max-delay", type=float, default=0.15)
    sub.choices["kills"].add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "worker":
        worker(args)
        return
    report = writers(args) if args.command == "writers" else kills(args)
    print(json.dumps(report, ensure_ascii=False))
    failed = (args.command == "writers" and not (report["fsck_clean"] and report["all_commits_on_branch"]
                                                  and report["every_committed_note_present"] and report["attempts_accounted"])) \
        or (args.command == "kills" and (report["problems"] or not report["work_tree_clean"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
