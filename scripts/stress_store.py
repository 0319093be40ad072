"""Stress the write path: many writers at once, and kill -9 at random moments.

    python scripts/stress_store.py writers STORE --procs 4 --count 100 [--same]
    python scripts/stress_store.py kills STORE --kills 200
    python scripts/stress_store.py bulk-kills STORE --kills 500

``writers``: PROCS processes each make COUNT changes through ``Service.apply``
(acting as the account that runs them). Without ``--same`` each process adds
notes to its own assignment of one task: every commit must land. With ``--same``
all aim at one assignment's note: each attempt either commits or is told of a
conflict, and every committed note is in the file (nothing silently lost).

``kills``: a writer adds notes in a loop; it is killed with SIGKILL at a random
moment, KILLS times. After each kill the store must open, load, pass ``git fsck``,
and have its branch at the commit before or a descendant of it.

``bulk-kills``: a forked child makes bulk sets (one commit over several task
files) in a loop; its whole process group (git children too) is killed with
SIGKILL at a random moment, KILLS times, so kills land between the ref move and
the end of the work-tree update. After each kill: the store opens, the plan at
the tip and in the work tree validate (the files a bulk set touches), ``git fsck`` is clean, every
commit before the kill is still on the branch, and the next write goes through
and leaves a clean work tree (files equal to the new commit are no hand edits).

Prints one JSON line of figures; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
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


def bulk_targets(store: Store, tasks: int) -> list[tuple[int, str, str]]:
    """The first assignment of each of the first ``tasks`` tasks: one bulk set touches that many files."""
    plan = store.load().plan
    found = []
    for task in plan.sorted_tasks():
        for req in task.requirements:
            if req.assignments:
                found.append((task.number, req.key, next(iter(req.assignments))))
                break
        if len(found) == tasks:
            return found
    raise SystemExit(f"计划中少于 {tasks} 个有分工的任务")


def bulk_change(targets: list[tuple[int, str, str]], round_: int, tag: str) -> list[Change]:
    """A bulk set: every target's status flips and gets a note, so every file changes."""
    status = "in_progress" if round_ % 2 == 0 else "done"
    return [c for t, k, u in targets for c in (Change(t, k, u, "status", status), Change(t, k, u, "note", f"{tag}-{round_}"))]


def _bulk_child(store_path: Path, targets: list[tuple[int, str, str]], tag: str, ready: int) -> None:
    """In a forked child: bulk sets in a loop until killed (never returns)."""
    os.setsid()  # its own process group: the kill takes its git children too
    try:
        store = Store.open(store_path)
        service = Service(store, store.operator())
        os.write(ready, b"r")
        n = 0
        while True:
            service.apply(bulk_change(targets, n, tag))
            n += 1
    finally:
        os._exit(3)


def bulk_kills(args: argparse.Namespace) -> dict[str, object]:
    """Kill a writer of bulk sets (and its git children) KILLS times; check the store after each."""
    from tracker.importer.validate import validate_files

    store_path = Path(args.store)
    rng = random.Random(args.seed)
    store = Store.open(store_path)
    targets = bulk_targets(store, args.tasks)
    # The files a bulk set touches and what they need to validate (the whole plan each time is too slow).
    rels = ["plan.toml", "units.toml", "operators.toml", *(f"{t:02d}.toml" for t, _, _ in targets)]
    # Kills land in the later part of a child's first bulk set (where the ref moves and the
    # work tree follows) or just after: the delays scale with what one bulk set by a fresh
    # process costs on this machine now.
    began = time.monotonic()
    fresh = Store.open(store_path)
    Service(fresh, fresh.operator()).apply(bulk_change(targets, 1, "measure"))
    max_delay = args.max_delay if args.max_delay is not None else 1.3 * (time.monotonic() - began)
    problems: list[str] = []
    recovered = 0  # kills after which the work tree lagged behind the branch (the window)
    start = time.monotonic()
    for n in range(args.kills):
        store = Store.open(store_path)
        before = store.tip(args.year)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _bulk_child(store_path, targets, f"k{n}", write)
        os.close(write)
        os.read(read, 1)
        os.close(read)
        time.sleep(rng.uniform(max_delay / 4, max_delay))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        try:
            store = Store.open(store_path)
            after = store.tip(args.year)
            if store.repo.run("merge-base", "--is-ancestor", before, after, check=False).returncode != 0:
                problems.append(f"kill {n}: branch lost commits made before the kill")
            if not store.bare and store.repo.out("status", "--porcelain", "--untracked-files=no"):
                recovered += 1
            found, _ = validate_files(store.read_files(after, rels))
            if found:
                problems.append(f"kill {n}: tip does not validate: {found[0]}")
            ok, output = store.fsck()
            if not ok:
                problems.append(f"kill {n}: fsck: {output.strip()[:200]}")
            # one note on a file the killed bulk set was writing: it must not be taken for a hand edit
            Service(store, store.operator()).apply([Change(*targets[0], "note", f"after{n}")])
            if not store.bare:
                status = store.repo.out("status", "--porcelain", "--untracked-files=no")
                if status:
                    problems.append(f"kill {n}: work tree not clean after the next write: {status[:200]}")
                found, _ = validate_files({rel: (store.path / "tasks" / rel).read_bytes() for rel in rels})
                if found:
                    problems.append(f"kill {n}: work tree does not validate: {found[0]}")
        except Exception as exc:  # noqa: BLE001 - report any failure, keep going
            problems.append(f"kill {n}: {type(exc).__name__}: {exc}")
        if len(problems) > 20:
            break
    return {"kills": args.kills, "seconds": round(time.monotonic() - start, 2), "problems": problems,
            "files_per_bulk": len(targets), "max_delay": round(max_delay, 3),
            "work_tree_behind_after_kill": recovered,
            "commits": int(store.repo.out("rev-list", "--count", store.tip(args.year)))}


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
    for name in ("writers", "kills", "bulk-kills"):
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
    sub.choices["bulk-kills"].add_argument("--kills", type=int, default=500)
    sub.choices["bulk-kills"].add_argument("--tasks", type=int, default=3)
    sub.choices["bulk-kills"].add_argument("--max-delay", type=float, default=None)
    sub.choices["bulk-kills"].add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "worker":
        worker(args)
        return
    report = {"writers": writers, "kills": kills, "bulk-kills": bulk_kills}[args.command](args)
    print(json.dumps(report, ensure_ascii=False))
    failed = (args.command == "writers" and not (report["fsck_clean"] and report["all_commits_on_branch"]
                                                  and report["every_committed_note_present"] and report["attempts_accounted"])) \
        or (args.command == "kills" and (report["problems"] or not report["work_tree_clean"])) \
        or (args.command == "bulk-kills" and bool(report["problems"]))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
