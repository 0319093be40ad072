"""The figures of docs/decisions/0001-git-layer.md: our git package beside GitPython, measured here.

``python -m tracker.bench.gitlayer [--repeats N] [--json FILE]`` prints, for this machine:

1. import cost: a fresh interpreter importing our package (``tracker.git.repo``), and what
   importing GitPython (``import git``) adds on top of it;
2. per-commit cost of one task-file change by each route: GitPython's ``index.add`` +
   ``index.commit``, GitPython's ``Repo.git`` running plumbing (``hash-object``,
   ``update-index``, ``write-tree``, ``commit-tree``, ``update-ref``), the git command line
   (``git add`` + ``git commit``), and ours (``Store.commit``: objects in Python, one
   ``update-ref``, the work tree brought along);
3. what each runner does with a caller's ``GIT_DIR`` and ``GIT_INDEX_FILE`` (git sets them
   for hooks): which repository ``rev-parse HEAD`` answers from, which index ``add`` writes;
4. in a store shared with a group (``core.sharedRepository=group``): the mode of a new object
   folder each writer makes (another member must be able to add objects to it), and whether
   each writer fsyncs objects when ``core.fsync`` asks for it.

GitPython is a test dependency (``pip install -e '.[test]'``); it is imported here only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from tracker.bench.timing import LAST_CPU, median_time

GIT = ("git", "-c", "core.hooksPath=/dev/null", "-c", "user.name=bench", "-c", "user.email=bench@zwgk.local")
TASK = "tasks/05.toml"


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run([*GIT, "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env)
    return out.stdout.strip()


IMPORT_PROBE = """
import sys, time
t0 = time.perf_counter()
import tracker.git.repo
t1 = time.perf_counter()
import git
t2 = time.perf_counter()
print(1000 * (t1 - t0), 1000 * (t2 - t1))
"""


def import_cost(repeats: int) -> dict[str, float]:
    """Median ms a fresh interpreter spends importing our package, then GitPython on top of it.

    Timed inside the process (start-up and exit are the same with or without either), over
    ``repeats`` fresh processes with byte-code written once.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    ours, theirs = [], []
    for i in range(repeats + 1):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, check=True, env=env)
        if i:  # the first run writes byte-code
            a, b = (float(x) for x in out.stdout.split())
            ours.append(a)
            theirs.append(b)
    return {
        "ours: import tracker.git.repo": statistics.median(ours),
        "GitPython on top: import git (what a command using it would add)": statistics.median(theirs),
    }


def _fresh_store(root: Path, shared: bool = False) -> Path:
    """A work-tree store holding the bundled plan, made by ``Store.init`` (one commit)."""
    from tracker.store import Store

    path = root / "store"
    Store.init(path, shared_group=_own_group() if shared else None)
    return path


def _own_group() -> str:
    import grp

    return grp.getgrgid(os.getegid()).gr_name


def _edit(path: Path, i: int) -> bytes:
    data = (path / TASK).read_bytes()
    return data + f"# bench edit {i}\n".encode()


def _wall_cpu(fn: Callable[[int], object], repeats: int) -> list[float]:
    """[median wall ms, median CPU ms] (this process and the git children it waited for)."""
    wall = 1000 * median_time(fn, repeats, warmup=True)
    return [wall, 1000 * LAST_CPU[0]]


def commit_routes(repeats: int) -> dict[str, list[float]]:
    """[wall, CPU] median ms of one commit of one changed task file, by each route, each in a fresh store.

    CPU counts this process and the git processes it waited for; GitPython's long-lived
    ``cat-file`` helpers are not waited for, so its CPU figures are a little low.
    """
    import git as gitpython

    from tracker.store import TASKS_DIR, Store

    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="gitlayer-") as tmp:
        root = Path(tmp)

        path = _fresh_store(root / "gp-index")
        repo = gitpython.Repo(path)

        def gp_index(i: int) -> None:
            (path / TASK).write_bytes(_edit(path, i))
            repo.index.add([TASK])
            repo.index.commit(f"任务5: bench {i}")

        results["GitPython index.add + index.commit"] = _wall_cpu(gp_index, repeats)
        repo.close()

        path = _fresh_store(root / "gp-plumbing")
        repo = gitpython.Repo(path)
        ref = repo.head.ref.path

        def gp_plumbing(i: int) -> None:
            (path / TASK).write_bytes(_edit(path, i))
            g = repo.git
            blob = g.hash_object("-w", "--", TASK)
            g.update_index("--cacheinfo", f"100644,{blob},{TASK}")
            tree = g.write_tree()
            old = g.rev_parse("HEAD")
            new = g.commit_tree(tree, "-p", old, "-m", f"任务5: bench {i}")
            g.update_ref(ref, new, old)

        results["GitPython Repo.git plumbing (5 git processes)"] = _wall_cpu(gp_plumbing, repeats)
        repo.close()

        path = _fresh_store(root / "cli")

        def cli(i: int) -> None:
            (path / TASK).write_bytes(_edit(path, i))
            _git(path, "add", "--", TASK)
            _git(path, "commit", "-q", "-m", f"任务5: bench {i}")

        results["git command line: add + commit"] = _wall_cpu(cli, repeats)

        path = _fresh_store(root / "ours")
        store = Store.open(path)
        year = store.default_year()
        tip = [store.tip(year)]
        original = (path / TASK).read_bytes()

        def ours(i: int) -> None:
            # the service knows its base and the new bytes already: only the door is timed
            data = original + f"# bench edit {i}\n".encode()
            new = store.commit(year, tip[0], {TASKS_DIR + "05.toml": data}, f"任务5: bench {i}\n", ("bench", "b@x"))
            assert new is not None
            tip[0] = new

        results["ours: Store.commit (objects in Python + update-ref + work tree)"] = _wall_cpu(ours, repeats)
    return results


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def caller_environment() -> dict[str, str]:
    """A caller's ``GIT_DIR`` / ``GIT_INDEX_FILE`` (git sets them for hooks): what each runner reads and writes."""
    import git as gitpython

    from tracker.git.repo import GitRepo

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="gitlayer-env-") as tmp:
        root = Path(tmp)
        store = _fresh_store(root / "a")
        other = root / "other"
        other.mkdir()
        _git(other, "init", "-q")
        _git(other, "commit", "-q", "--allow-empty", "-m", "another repository")
        truth = {_git(store, "rev-parse", "HEAD"): "the store", _git(other, "rev-parse", "HEAD"): "ANOTHER repository"}
        with _environ(GIT_DIR=str(other / ".git")):
            gp = gitpython.Repo(store)
            gp_head = gp.git.rev_parse("HEAD")
            gp.close()
            ours_head = GitRepo.open(store).rev_parse("HEAD")
        out["GIT_DIR=another repository; GitPython Repo(store).git.rev_parse('HEAD') reads"] = truth.get(gp_head, gp_head)
        out["GIT_DIR=another repository; ours GitRepo.open(store).rev_parse('HEAD') reads"] = truth.get(ours_head or "", "?")
        foreign = root / "hook-index"
        for who in ("GitPython Repo(store).git.add", "ours GitRepo.open(store).run('add')"):
            (store / TASK).write_bytes(_edit(store, len(who)))
            with _environ(GIT_INDEX_FILE=str(foreign)):
                if who.startswith("GitPython"):
                    gp = gitpython.Repo(store)
                    gp.git.add("--", TASK)
                    gp.close()
                else:
                    GitRepo.open(store).run("add", "--", TASK)
            staged = _git(store, "diff", "--cached", "--name-only")
            where = "the store's index" if staged == TASK else "NOT the store's index"
            if foreign.exists():
                where += f"; it wrote the caller's {foreign.name}"
                foreign.unlink()
            out[f"GIT_INDEX_FILE=elsewhere; {who} staged into"] = where
            _git(store, "reset", "-q")
    return out


def _new_object_dirs(objects: Path, before: set[str]) -> list[Path]:
    return [p for p in objects.iterdir() if len(p.name) == 2 and p.name not in before]


def shared_store() -> dict[str, str]:
    """Object-folder modes and fsync in a group-shared store, GitPython's writer beside ours."""
    import git as gitpython

    from tracker.store import TASKS_DIR, Store

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="gitlayer-shared-") as tmp:
        old_umask = os.umask(0o022)
        try:
            for who in ("GitPython index.commit", "ours Store.commit"):
                path = _fresh_store(Path(tmp) / who.split()[0], shared=True)
                _git(path, "config", "core.fsync", "loose-object")
                objects = path / ".git" / "objects"
                before = {p.name for p in objects.iterdir()}
                with mock.patch.object(os, "fsync", wraps=os.fsync) as fsync:
                    for i in range(40):  # enough new objects to open new fan-out folders
                        if who.startswith("GitPython"):
                            repo = gitpython.Repo(path)
                            (path / TASK).write_bytes(_edit(path, i))
                            repo.index.add([TASK])
                            repo.index.commit(f"bench {i}")
                            repo.close()
                        else:
                            store = Store.open(path)
                            year = store.default_year()
                            base = store.tip(year)
                            data = store.read_files(base, ["05.toml"])["05.toml"] + f"# {i}\n".encode()
                            store.commit(year, base, {TASKS_DIR + "05.toml": data}, f"bench {i}\n", ("b", "b@x"))
                    synced = fsync.call_count
                modes = sorted({stat.filemode(p.stat().st_mode) for p in _new_object_dirs(objects, before)})
                out[f"{who}: new object folders"] = ", ".join(modes) or "(none made)"
                out[f"{who}: fsync calls with core.fsync=loose-object"] = str(synced)
        finally:
            os.umask(old_umask)
    return out


def measure(repeats: int) -> dict[str, Any]:
    """Every figure of the decision record, with the versions they were measured with."""
    import git as gitpython

    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "python": sys.version.split()[0],
        "git": _git(Path.cwd(), "--version").removeprefix("git version "),
        "gitpython": gitpython.__version__,
        "load average": f"{os.getloadavg()[0]:.1f}",
        "repeats": repeats,
        "import ms": import_cost(repeats),
        "commit ms": commit_routes(repeats),
        "caller GIT_DIR": caller_environment(),
        "shared store": shared_store(),
    }


def render(figures: dict[str, Any]) -> str:
    """The figures as the markdown the decision record quotes."""
    lines = [
        f"Measured {figures['when']}: Python {figures['python']}, git {figures['git']}, "
        f"GitPython {figures['gitpython']}, median of {figures['repeats']}, load average {figures['load average']}.",
        "",
        "| import (fresh interpreter) | ms |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v:.1f} |" for k, v in figures["import ms"].items()]
    lines += ["", "| one commit of one changed task file | wall ms | CPU ms |", "|---|---|---|"]
    lines += [f"| {k} | {v[0]:.1f} | {v[1]:.1f} |" for k, v in figures["commit ms"].items()]
    lines += ["", "| a caller's git environment (as git sets it for hooks) | what the runner did |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in figures["caller GIT_DIR"].items()]
    lines += ["", "| group-shared store (`core.sharedRepository=group`, umask 022) | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in figures["shared store"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tracker.bench.gitlayer", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if shutil.which("git") is None:
        print("git is not installed", file=sys.stderr)
        return 1
    figures = measure(args.repeats)
    print(render(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
