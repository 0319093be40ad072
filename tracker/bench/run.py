"""The benchmark: each operation timed against a floor measured in the same run.

For every size (T for ``--quick``, S, M, L) a synthetic store is generated once
(cached under ``$TRACKER_BENCH_CACHE`` or the user's cache folder) and every
operation is timed on it:

* whole-process commands (``tracker list``, ``tracker set``, ``tracker history``)
  are run as a user runs them, with ``TRACKER_REPO`` naming the store;
* the service and the TUI are timed in-process (the TUI in a child process that
  reports its own timings, so that its memory can be read with ``wait4``);
* each floor does the same work with no tracker code: the git command line for
  writes and history, ``tomllib`` over the same blobs for listings, a bare
  Textual app with the same rows for the TUI.

Writes happen in scratch copies of the store, so the cached store is never changed.
An operation whose command does not exist yet is listed as skipped, not failed.
"""

from __future__ import annotations

import json
import os
import platform
import pwd
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tracker.bench.generate import CST, generate
from tracker.bench.timing import LAST_CPU, median_time

BENCH_COMMIT = ("-c", "user.name=bench", "-c", "user.email=bench@zwgk.local", "commit", "-q", "-m")
GIT = ("git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "gc.auto=0")


@dataclass(frozen=True)
class Size:
    """A store size: tasks, about how many assignments, commits."""

    name: str
    tasks: int
    assignments: int
    commits: int
    bulk: int = 100  # assignments changed by the bulk update


SIZES: dict[str, Size] = {
    "T": Size("T", 8, 240, 60, bulk=30),
    "S": Size("S", 40, 1_500, 1_000),
    "M": Size("M", 270, 10_000, 10_000),
    "L": Size("L", 10_000, 200_000, 100_000, bulk=1_000),
}

# Targets of issue 15 (list, filter, show, set, history, the TUI) and issue 8 (the rest).
# ("ms", limit) / ("KB", limit) / ("MB", limit) are upper bounds on our figure; ("x", limit)
# bounds ours/floor; ("min_x", limit) is a lower bound on that ratio; ("typer_x", limit)
# bounds ours / ``python -c "import typer"`` measured in the same run (CPU time when both
# have it: on a shared machine it predicts a quiet machine's wall time better);
# ("peer_x", limit) bounds ours / Taskwarrior's time for the same operation in the same run
# (CPU time when both have it, as for typer).
# Size TL (``--quick`` only): the T commands on a store of 2,000 tasks, against T ("x").
TARGETS: dict[str, dict[str, tuple[str, float]]] = {
    "list": {"S": ("typer_x", 1.5), "M": ("peer_x", 1.0), "L": ("peer_x", 0.5)},
    "filter": {"S": ("typer_x", 1.5), "M": ("peer_x", 1.0), "L": ("peer_x", 0.5)},
    "show": {"S": ("typer_x", 1.5), "M": ("peer_x", 1.0), "L": ("peer_x", 0.2), "TL": ("x", 1.5)},
    "set": {"S": ("typer_x", 1.8), "M": ("peer_x", 1.0), "L": ("peer_x", 0.2), "TL": ("x", 1.5)},
    "service": {"S": ("x", 1.5), "M": ("x", 1.5), "L": ("x", 1.5)},
    "bulk": {"S": ("ms", 300), "M": ("ms", 300), "L": ("ms", 1500)},
    "history": {"S": ("typer_x", 1.8), "M": ("peer_x", 1.0), "L": ("peer_x", 0.2), "TL": ("x", 1.5)},
    "growth": {"S": ("KB", 25), "M": ("KB", 25), "L": ("KB", 25)},
    "tui_start": {"S": ("ms", 500), "M": ("ms", 800), "L": ("ms", 1500)},
    "tui_filter": {"S": ("ms", 50), "M": ("ms", 80), "L": ("ms", 100)},
    "tui_memory": {"S": ("MB", 80), "M": ("MB", 150), "L": ("MB", 300)},
    "writers": {"S": ("min_x", 0.8), "M": ("min_x", 0.8), "L": ("min_x", 0.8)},
}
PEER = "Taskwarrior"  # the peer the targets name

LABELS = {
    "list": "`tracker list --format json`",
    "filter": "filtered list (5%)",
    "show": "`tracker show N --format json`",
    "set": "`tracker set`, one update",
    "service": "one update in the service",
    "bulk": "bulk update, one commit",
    "history": "one assignment's history",
    "growth": "repository growth per update",
    "tui_start": "TUI start to first frame",
    "tui_filter": "TUI filter keystroke",
    "tui_memory": "TUI resident memory",
    "writers": "4 writers vs 1 (commits/s)",
}


class Skip(Exception):
    """An operation that cannot be measured here (its command is missing, ...)."""


@dataclass
class Result:
    """One row of the table."""

    op: str
    size: str
    unit: str  # "ms", "KB", "MB", "c/s"
    ours: float | None = None
    floor: float | None = None
    ours_cpu: float | None = None
    floor_cpu: float | None = None
    peers: dict[str, float | None] = field(default_factory=dict)
    note: str = ""
    typer: float | None = None  # ``python -c "import typer"`` in the same run (ms)
    typer_cpu: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.floor:
            return None
        return self.ours / self.floor

    def target_ratio(self) -> float | None:
        """The figure the target bounds when it is a ratio (to typer, a peer or the floor)."""
        kind = self._target()[0]
        if kind == "typer_x":
            if self.ours_cpu is not None and self.typer_cpu:
                return self.ours_cpu / self.typer_cpu
            return None if self.ours is None or not self.typer else self.ours / self.typer
        if kind == "peer_x":
            peer_cpu = self.peers.get(f"{PEER} cpu")
            if self.ours_cpu is not None and peer_cpu:
                return self.ours_cpu / peer_cpu
            peer = self.peers.get(PEER)
            return None if self.ours is None or not peer else self.ours / peer
        return self.ratio

    def _target(self) -> tuple[str, float]:
        size = "S" if self.size == "T" else self.size
        return TARGETS[self.op].get(size, ("", 0.0))

    def target(self) -> tuple[str, bool | None]:
        """The target as text and whether it is met (None: not measured)."""
        kind, limit = self._target()
        if not kind:
            return "-", None
        if kind in ("typer_x", "peer_x"):
            whom = "typer" if kind == "typer_x" else PEER
            value = self.target_ratio()
            return f"<= {limit:g}x {whom}", None if value is None else value <= limit
        if kind == "x":
            text, value, ok = f"<= {limit:g}x floor", self.ratio, None
            ok = None if value is None else value <= limit
        elif kind == "min_x":
            text, value = f">= {limit:g}x one writer", self.ratio
            ok = None if value is None else value >= limit
        else:
            text = f"<= {limit:,g} {kind}"
            ok = None if self.ours is None else self.ours <= limit
        return text, ok


# ---------------------------------------------------------------- helpers


def timed(fn: Callable[[int], Any], repeats: int, warmup: bool = False) -> tuple[float, float]:
    """(median wall ms, median cpu ms) of ``fn``; see :func:`median_time`."""
    wall = median_time(fn, repeats, warmup)
    return 1000 * wall, 1000 * LAST_CPU[0]


def run_checked(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: bytes | None = None,
) -> bytes:
    """Run a command; on failure raise Skip with one line: the command, its exit code, its last error line."""
    proc = subprocess.run(list(cmd), env=env, cwd=cwd, input=input, capture_output=True)
    if proc.returncode != 0:
        err = [line for line in (proc.stderr or proc.stdout).decode("utf-8", "replace").splitlines() if line.strip()]
        how = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        raise Skip(f"`{short_command(cmd)}` 失败({how}): {err[-1].strip() if err else ''}"[:200])
    return proc.stdout


def short_command(cmd: Sequence[str]) -> str:
    """A command as one short line: a script given with ``-c`` is named, not printed."""
    words = list(cmd)
    if Path(words[0]).name.startswith("python") and words[1:2] == ["-c"]:
        words[2:3] = ["SCRIPT"]
    words = [w if len(w) <= 40 else "..." + w[-30:] for w in words]
    if len(words) > 6:
        words = [*words[:2], "...", *words[-4:]]
    return one_line(" ".join(words))


def one_line(text: str, limit: int = 160) -> str:
    """``text`` on one line (whitespace runs, newlines and table bars folded) and at most ``limit`` characters."""
    flat = " ".join(text.replace("|", "/").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return run_checked([*GIT, "-C", str(repo), *args], input=input)


def tracker_cmd() -> list[str]:
    """How to start ``tracker`` from this interpreter's environment."""
    exe = Path(sys.executable).parent / "tracker"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'tracker'; from tracker.cli import main; main()"]


def current_login() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def machine() -> str:
    """nproc, CPU model, memory, OS, Python, git."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except (OSError, ValueError, IndexError):
        mem = 0
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem} GB RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {gitv}"
    )


# ---------------------------------------------------------------- plan facts


@dataclass
class PlanFacts:
    """What the benchmark needs to know about a store to aim its commands."""

    year: int
    branch: str
    paths: dict[int, str]  # task number -> path in the repository
    # (task, requirement key, unit, status) for every assignment
    assignments: list[tuple[int, str, str, str]]
    units: list[str]

    def count_by_unit(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, _, unit, _ in self.assignments:
            counts[unit] = counts.get(unit, 0) + 1
        return counts

    def count_by_task(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for task, _, _, _ in self.assignments:
            counts[task] = counts.get(task, 0) + 1
        return counts


def read_blobs(repo: Path, ref: str, prefix: str = "tasks/") -> dict[str, bytes]:
    """Every blob under ``prefix`` at ``ref``: ``git ls-tree`` + one ``cat-file --batch``."""
    listing = git(repo, "ls-tree", "-r", "-z", ref, "--", prefix).split(b"\0")
    entries = [(line.split(b"\t", 1)[1].decode(), line.split()[2].decode()) for line in listing if line]
    raw = git(repo, "cat-file", "--batch", input="\n".join(oid for _, oid in entries).encode() + b"\n")
    out: dict[str, bytes] = {}
    pos = 0
    for path, _oid in entries:
        nl = raw.index(b"\n", pos)
        size = int(raw[pos:nl].split()[2])
        out[path] = raw[nl + 1 : nl + 1 + size]
        pos = nl + 1 + size + 1
    return out


def plan_facts(repo: Path) -> PlanFacts:
    """Read the newest plan branch of a store with git and tomllib only."""
    branches = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/plan/").decode().split()
    if not branches:
        raise Skip(f"{repo} 没有 plan/YEAR 分支")
    branch = max(branches, key=lambda b: int(b.split("/")[1]) if b.split("/")[1].isdigit() else 0)
    files = read_blobs(repo, branch)
    facts = PlanFacts(int(branch.split("/")[1]), branch, {}, [], [])
    units = tomllib.loads(files.get("tasks/units.toml", b"").decode())
    facts.units = list(units.get("units", {}))
    for path, data in files.items():
        if path.rsplit("/", 1)[-1] in ("plan.toml", "units.toml", "operators.toml"):
            continue
        doc = tomllib.loads(data.decode())
        number = int(doc["number"])
        facts.paths[number] = path
        for key, req in doc.get("requirements", {}).items():
            for unit, a in req.get("units", {}).items():
                facts.assignments.append((number, key, unit, a.get("status", "not_started")))
    facts.assignments.sort(key=lambda t: (t[0], int(t[1]), t[2]))
    return facts


# The list floor: the same blobs read by git and parsed by tomllib, rows printed as JSON.
FLOOR_LIST = r"""
import json, subprocess, sys, tomllib
repo, ref, units = sys.argv[1], sys.argv[2], set(filter(None, sys.argv[3].split(",")))
git = ["git", "-C", repo]
ls = subprocess.run(git + ["ls-tree", "-r", "-z", ref, "--", "tasks/"], capture_output=True, check=True).stdout
oids = [e.split()[2].decode() for e in ls.split(b"\0") if e]
raw = subprocess.run(git + ["cat-file", "--batch"], input="\n".join(oids).encode() + b"\n",
                     capture_output=True, check=True).stdout
rows, pos = [], 0
while pos < len(raw):
    nl = raw.index(b"\n", pos); size = int(raw[pos:nl].split()[2])
    doc = tomllib.loads(raw[nl + 1:nl + 1 + size].decode()); pos = nl + size + 2
    for key, req in doc.get("requirements", {}).items():
        for unit, a in req.get("units", {}).items():
            if not units or unit in units:
                rows.append({"task": doc["number"], "requirement": key, "unit": unit,
                             "status": a.get("status"), "due": req.get("due"), "note": (a.get("notes") or [{}])[-1].get("text")})
json.dump(rows, sys.stdout, ensure_ascii=False, default=str)
"""


# ---------------------------------------------------------------- the bench


class Bench:
    """One size's measurements."""

    def __init__(
        self,
        base: Path,
        size: Size,
        repeats: int,
        workdir: Path,
        peers: bool,
        say: Callable[[str], None],
        quick: bool = False,
    ) -> None:
        self.quick = quick
        self.base = base
        self.size = size
        self.repeats = repeats
        self.workdir = workdir
        self.use_peers = peers
        self.say = say
        self.facts = plan_facts(base)
        self.tracker = tracker_cmd()
        self.login = current_login()
        self.env = {**os.environ, "TRACKER_REPO": str(base), "NO_COLOR": "1", "COLUMNS": "200"}
        self.env.pop("TRACKER_LANG", None)
        self._help: dict[str, str | None] = {}
        self._scratch: dict[str, Path] = {}
        self.results: list[Result] = []
        self.peer_data: Any = None

    # ------------------------------------------------------------ plumbing
    def help_text(self, command: str) -> str | None:
        """``tracker COMMAND --help`` text, or None when the command does not exist."""
        if command not in self._help:
            proc = subprocess.run(
                [*self.tracker, *command.split(), "--help"],
                capture_output=True,
                env={**self.env, "TRACKER_LANG": "en"},
                cwd=self.workdir,
            )
            self._help[command] = proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else None
        return self._help[command]

    def need(self, command: str) -> str:
        text = self.help_text(command)
        if text is None:
            raise Skip(f"`tracker {command}` 尚不存在")
        return text

    def scratch(self, name: str) -> Path:
        """A writable copy of the store (made once per name, the current login as admin)."""
        if name not in self._scratch:
            dest = self.workdir / f"{self.size.name}-{name}"
            if dest.exists():
                shutil.rmtree(dest)
            copy_store(self.base, dest)
            self._add_admin(dest)
            self._scratch[name] = dest
        return self._scratch[name]

    def _add_admin(self, repo: Path) -> None:
        path = repo / "tasks" / "operators.toml"
        if not path.exists():
            return
        text = path.read_text(encoding="utf-8")
        if f"[operators.{self.login}]" in text or f'[operators."{self.login}"]' in text:
            return
        path.write_text(
            text + f'\n[operators.{self.login}]\nname = "基准测试"\nunits = []\nrole = "admin"\n',
            encoding="utf-8",
        )
        git(
            repo,
            *BENCH_COMMIT,
            f"基准测试: {self.login} 为管理员",
            "--",
            "tasks/operators.toml",
        )

    def run(self, args: Sequence[str], repo: Path | None = None) -> bytes:
        env = {**self.env, "TRACKER_REPO": str(repo or self.base)}
        return run_checked([*self.tracker, *args], env=env, cwd=self.workdir)

    def add(self, result: Result) -> None:
        self.results.append(result)
        ours = "-" if result.ours is None else f"{result.ours:.1f}"
        floor = "-" if result.floor is None else f"{result.floor:.1f}"
        self.say(f"  {self.size.name} {result.op}: ours {ours} {result.unit}, floor {floor} {result.note}")

    def measure(self, op: str, unit: str, fn: Callable[[Result], None]) -> None:
        result = Result(op, self.size.name, unit)
        try:
            fn(result)
        except Skip as exc:
            result.note = (result.note + " " + str(exc)).strip()
        except Exception as exc:  # noqa: BLE001 - a broken operation must not stop the others
            result.note = (result.note + f" 出错: {type(exc).__name__}: {exc}").strip()[:300]
        self.add(result)

    # ------------------------------------------------------------ choices
    def filter_units(self) -> list[str]:
        """Units whose assignments together are closest to 5% of all."""
        counts = sorted(self.facts.count_by_unit().items(), key=lambda kv: (-kv[1], kv[0]))
        goal = max(1, len(self.facts.assignments) // 20)
        chosen: list[str] = []
        total = 0
        for unit, n in counts[::-1]:
            if total + n <= goal * 1.1:
                chosen.append(unit)
                total += n
            if total >= goal * 0.9:
                break
        return chosen or [counts[-1][0]]

    def task_range(self, goal: int) -> tuple[int, int, int]:
        """A range of tasks holding about ``goal`` assignments: (first, last, count)."""
        counts = self.facts.count_by_task()
        numbers = sorted(counts)
        start = numbers[len(numbers) // 3]
        total, last = 0, start
        for n in numbers[numbers.index(start) :]:
            if total and abs(total + counts[n] - goal) > abs(total - goal):
                break
            total += counts[n]
            last = n
        return start, last, total

    def targets(self, n: int, offset: int = 0) -> list[tuple[int, str, str, str]]:
        """``n`` assignments spread over the plan, each with a status different from its own."""
        step = max(1, len(self.facts.assignments) // (n + 1))
        picks = []
        for i in range(n):
            task, key, unit, status = self.facts.assignments[
                (offset + (i + 1) * step) % len(self.facts.assignments)
            ]
            new = "done" if status != "done" else "in_progress"
            picks.append((task, key, unit, new))
        return picks

    # ------------------------------------------------------------ operations
    def op_list(self, r: Result) -> None:
        self.need("list")
        r.ours, r.ours_cpu = timed(
            lambda _i: self.run(["list", "--format", "json"]), self.repeats, warmup=True
        )
        r.floor, r.floor_cpu = timed(
            lambda _i: run_checked([sys.executable, "-c", FLOOR_LIST, str(self.base), self.facts.branch, ""]),
            self.repeats,
        )

    def show_task(self) -> int:
        """The task ``show`` and the peers' one-item reads look at: the middle one."""
        numbers = sorted(self.facts.paths)
        return numbers[len(numbers) // 2]

    def op_show(self, r: Result) -> None:
        self.need("show")
        task = self.show_task()
        r.note = f"任务{task}"
        r.ours, r.ours_cpu = timed(
            lambda _i: self.run(["show", str(task), "--format", "json"]), self.repeats, warmup=True
        )

    def op_filter(self, r: Result) -> None:
        self.need("list")
        units = self.filter_units()
        query = " or ".join(f"unit:{u}" for u in units)
        n = sum(self.facts.count_by_unit()[u] for u in units)
        r.note = f"{n} 条({100 * n / len(self.facts.assignments):.1f}%)"
        r.ours, r.ours_cpu = timed(
            lambda _i: self.run(["list", query, "--format", "json"]), self.repeats, warmup=True
        )
        r.floor, r.floor_cpu = timed(
            lambda _i: run_checked(
                [sys.executable, "-c", FLOOR_LIST, str(self.base), self.facts.branch, ",".join(units)]
            ),
            self.repeats,
        )

    def _floor_commit(self, repo: Path, picks: list[tuple[int, str, str, str]]) -> None:
        """The git CLI doing one commit of the files ``picks`` touch: edit, add, commit."""
        paths = sorted({self.facts.paths[t] for t, _, _, _ in picks})
        for p in paths:
            f = repo / p
            f.write_bytes(f.read_bytes() + b"# bench\n")
        git(repo, "add", "--", *paths)
        git(
            repo,
            *BENCH_COMMIT,
            "任务1.1 bench: floor\n\nTask: 1\nUnit: bench\nOperator: bench",
        )

    def op_set(self, r: Result) -> None:
        self.need("set")
        repo = self.scratch("set")
        picks = self.targets(self.repeats + 1, offset=1)
        before = git(repo, "rev-parse", self.facts.branch).decode().strip()

        def one(i: int) -> None:
            task, key, unit, status = picks[i + 1]
            self.run(
                ["set", f"{task}.{key}", "--unit", unit, "--status", status, "--note", "基准测试进展"], repo
            )

        r.ours, r.ours_cpu = timed(one, self.repeats, warmup=True)
        floor_repo = self.scratch("floor")
        floor_before = git(floor_repo, "rev-parse", "HEAD").decode().strip()
        r.floor, r.floor_cpu = timed(lambda i: self._floor_commit(floor_repo, [picks[i + 1]]), self.repeats)
        # bytes per update, before gc, of the commits just timed (the warm-up one excluded)
        ours_commits = git(repo, "rev-list", "--reverse", f"{before}..{self.facts.branch}").decode().split()
        floor_commits = git(floor_repo, "rev-list", "--reverse", f"{floor_before}..HEAD").decode().split()
        growth = [new_object_bytes(repo, a, b) for a, b in zip(ours_commits, ours_commits[1:], strict=False)]
        floor_growth = [
            new_object_bytes(floor_repo, a, b)
            for a, b in zip([floor_before, *floor_commits], floor_commits, strict=False)
        ]
        self._growth = (statistics.median(growth), statistics.median(floor_growth))

    def op_growth(self, r: Result) -> None:
        if not hasattr(self, "_growth"):
            raise Skip("需要 `tracker set`")
        ours, floor = self._growth
        r.ours, r.floor = ours / 1024, floor / 1024

    def op_service(self, r: Result) -> None:
        try:
            from tracker.operators import Operator
            from tracker.service import Change, Service
            from tracker.store import Store
        except ImportError as exc:
            raise Skip(f"service 尚不可用: {exc}") from None
        repo = self.scratch("service")
        store = Store.open(repo)
        operator = Operator(login=self.login, name="基准测试", units=(), role="admin")
        service = Service(store, operator, year=self.facts.year)
        picks = self.targets(self.repeats + 1, offset=3)

        def one(i: int) -> None:
            task, key, unit, status = picks[i + 1]
            service.apply([Change(task=task, requirement=key, unit=unit, field="status", value=status)])

        r.ours, r.ours_cpu = timed(one, self.repeats, warmup=True)
        floor_repo = self.scratch("floor")
        r.floor, r.floor_cpu = timed(lambda i: self._floor_commit(floor_repo, [picks[i + 1]]), self.repeats)

    def op_bulk(self, r: Result) -> None:
        text = self.need("set")
        if "--query" not in text:
            raise Skip("`tracker set --query` 尚不存在")
        repo = self.scratch("bulk")
        first, last, n = self.task_range(self.size.bulk)
        r.note = f"{n} 条"
        statuses = ["blocked", "in_progress"]
        r.ours, r.ours_cpu = timed(
            lambda i: self.run(
                [
                    "set",
                    "--query",
                    f"task:{first}..{last}",
                    "--status",
                    statuses[i % 2],
                    "--note",
                    "批量基准测试",
                    "--yes",
                ],
                repo,
            ),
            self.repeats,
            warmup=True,
        )
        floor_repo = self.scratch("floor")
        picks = [a for a in self.facts.assignments if first <= a[0] <= last]
        r.floor, r.floor_cpu = timed(lambda _i: self._floor_commit(floor_repo, picks), self.repeats)

    def op_history(self, r: Result) -> None:
        text = self.need("history")
        # the assignment with the most history: the most changed file, its first unit
        counts: dict[str, int] = {}
        log = (
            git(self.base, "log", "--format=", "--name-only", "-n", "2000", self.facts.branch)
            .decode()
            .split()
        )
        for p in log:
            counts[p] = counts.get(p, 0) + 1
        by_path = {p: t for t, p in self.facts.paths.items()}
        path = max((p for p in counts if p in by_path), key=lambda p: counts[p])
        task = by_path[path]
        unit = next(a[2] for a in self.facts.assignments if a[0] == task)
        args = ["history", str(task), "--unit", unit, "--format", "json"]
        limit: list[str] = []
        if self.size.name == "L":
            for flag in ("--limit", "-n", "--last"):
                if flag in text:
                    limit = [flag, "20"]
                    break
            else:
                r.note = "无 --limit 选项: 全部历史"
        r.ours, r.ours_cpu = timed(lambda _i: self.run([*args, *limit]), self.repeats, warmup=True)
        glimit = ["-n", "20"] if self.size.name == "L" else []
        r.floor, r.floor_cpu = timed(
            lambda _i: git(
                self.base,
                "log",
                *glimit,
                "-p",
                "--format=%H%x00%an%x00%aI%x00%B",
                self.facts.branch,
                "--",
                path,
            ),
            self.repeats,
        )
        r.note = (r.note + f" 任务{task} {unit}").strip()

    def op_writers(self, r: Result) -> None:
        try:
            import tracker.service  # noqa: F401
        except ImportError as exc:
            raise Skip(f"service 尚不可用: {exc}") from None
        repo = self.scratch("writers")
        per_writer = {"T": 4, "L": 5}.get(self.size.name, 10)
        units = sorted(self.facts.count_by_unit(), key=lambda u: -self.facts.count_by_unit()[u])[:4]

        def rate(n_writers: int, round_no: int) -> float:
            procs = []
            start = time.perf_counter()
            for w in range(n_writers):
                mine = [a for a in self.facts.assignments if a[2] == units[w]][:per_writer]
                spec = json.dumps(
                    {
                        "repo": str(repo),
                        "year": self.facts.year,
                        "login": self.login,
                        "changes": [
                            [t, k, u, ["done", "in_progress"][(round_no + j) % 2]]
                            for j, (t, k, u, _s) in enumerate(mine)
                        ],
                    }
                )
                procs.append(subprocess.Popen([sys.executable, "-c", WRITER, spec], stderr=subprocess.PIPE))
            errors = [p.communicate()[1] for p in procs]
            elapsed = time.perf_counter() - start
            if any(p.returncode for p in procs):
                raise Skip("写入进程失败: " + next(e for e in errors if e).decode()[-200:])
            return n_writers * per_writer / elapsed

        one = rate(1, 0)
        four = rate(4, 1)
        r.ours, r.floor = four, one
        r.note = f"每个写入者 {per_writer} 次提交;一个写入者 {one:.1f}/s,四个共 {four:.1f}/s"

    def op_tui(self) -> None:
        from tracker.bench.tui_probe import run_probe

        results = {
            op: Result(op, self.size.name, unit)
            for op, unit in (("tui_start", "ms"), ("tui_filter", "ms"), ("tui_memory", "MB"))
        }
        try:
            try:
                import tracker.ui  # noqa: F401
            except ImportError as exc:
                raise Skip(f"TUI 尚不可用: {exc}") from None
            rows = self.workdir / f"{self.size.name}-rows.json"
            rows.write_text(
                json.dumps(requirement_rows(self.base, self.facts.branch), ensure_ascii=False),
                encoding="utf-8",
            )
            repo = self.scratch("tui")
            # The TUI reads its rows from the query index; a first start would time building it.
            self.run(["list", "--format", "json"], repo)
            ours = [run_probe("ours", repo, rows) for _ in range(max(1, self.repeats))]
            floor = [run_probe("floor", repo, rows) for _ in range(max(1, self.repeats))]
            for key, op, scale in (
                ("start", "tui_start", 1000),
                ("filter", "tui_filter", 1000),
                ("rss_mb", "tui_memory", 1),
            ):
                vals = [o[key] for o in ours if o.get(key) is not None]
                fvals = [f[key] for f in floor if f.get(key) is not None]
                results[op].ours = statistics.median(vals) * scale if vals else None
                results[op].floor = statistics.median(fvals) * scale if fvals else None
                cpu = f"{key}_cpu"  # the probe's CPU seconds, comparable on a loaded machine
                cvals = [o[cpu] for o in ours if o.get(cpu) is not None]
                fcvals = [f[cpu] for f in floor if f.get(cpu) is not None]
                results[op].ours_cpu = statistics.median(cvals) * scale if cvals else None
                results[op].floor_cpu = statistics.median(fcvals) * scale if fcvals else None
                errs = {o.get("error") for o in ours if o.get("error")}
                if errs:
                    results[op].note = "; ".join(sorted(str(e) for e in errs))[:200]
        except Skip as exc:
            for res in results.values():
                res.note = str(exc)
        except Exception as exc:  # noqa: BLE001
            for res in results.values():
                res.note = f"出错: {type(exc).__name__}: {exc}"[:300]
        for res in results.values():
            self.add(res)

    def typer_floor(self) -> tuple[float, float]:
        """``python -c "import typer"``: what every whole-process command pays before our code runs."""
        return timed(lambda _i: run_checked([sys.executable, "-c", "import typer"]), self.repeats, warmup=True)

    def run_all(self, only: set[str] | None = None) -> list[Result]:
        typer_ms, typer_cpu = self.typer_floor()
        self.say(f"  {self.size.name} python -c 'import typer': {typer_ms:.1f} ms (cpu {typer_cpu:.1f})")
        plan = [
            ("list", "ms", self.op_list),
            ("filter", "ms", self.op_filter),
            ("show", "ms", self.op_show),
            ("set", "ms", self.op_set),
            ("service", "ms", self.op_service),
            ("bulk", "ms", self.op_bulk),
            ("history", "ms", self.op_history),
            ("growth", "KB", self.op_growth),
        ]
        for op, unit, fn in plan:
            if only is None or op in only:
                self.measure(op, unit, fn)
        if only is None or only & {"tui_start", "tui_filter", "tui_memory"}:
            self.op_tui()
        if only is None or "writers" in only:
            self.measure("writers", "c/s", self.op_writers)
        if self.use_peers:
            from tracker.bench.peers import measure_peers

            measure_peers(self)
        for r in self.results:
            r.typer, r.typer_cpu = typer_ms, typer_cpu
        return self.results

    def _timed_command(self, repo: Path, number: int, args: Callable[[int, int], list[str]]) -> tuple[float, float]:
        return timed(lambda i: self.run(args(number, i), repo), self.repeats, warmup=True)

    def scale_check(self, big: Path) -> list[Result]:
        """show, set and history on ``big`` (this store's tasks copied to 2,000) against this store.

        What a command about one task costs must not grow with the plan: the ratio
        (TL / T) is checked by the test suite, loosely, on every CI run.
        """
        task = self.show_task()
        copy = replica_number(task, len(self.facts.paths))
        key, unit = next((k, u) for t, k, u, _s in self.facts.assignments if t == task)
        small = self.scratch("scale")
        self._add_admin(big)
        results = []
        commands: list[tuple[str, Callable[[int, int], list[str]]]] = [
            ("show", lambda n, i: ["show", str(n), "--format", "json"]),
            ("set", lambda n, i: ["set", f"{n}.{key}", "--unit", unit, "--status",
                                  ("done", "in_progress")[i % 2], "--note", f"规模检查 {i}"]),
            ("history", lambda n, i: ["history", str(n), "--unit", unit, "--format", "json"]),
        ]
        for op, args in commands:
            r = Result(op, "TL", "ms", note=f"任务{copy}(2,000 项任务的仓库)对 任务{task}")
            try:
                r.floor, r.floor_cpu = self._timed_command(small, task, args)
                r.ours, r.ours_cpu = self._timed_command(big, copy, args)
            except Skip as exc:
                r.note = f"{r.note} {exc}"
            results.append(r)
            self.add(r)
        return results


WRITER = r"""
import json, sys
from pathlib import Path
from tracker.operators import Operator
from tracker.service import Change, ConflictError, Service
from tracker.store import Store
spec = json.loads(sys.argv[1])
store = Store.open(Path(spec["repo"]))
service = Service(store, Operator(login=spec["login"], name="基准测试", units=(), role="admin"), year=spec["year"])
for task, key, unit, status in spec["changes"]:
    service.apply([Change(task=task, requirement=key, unit=unit, field="status", value=status)])
"""


TL_TASKS = 2_000


def replica_number(task: int, tasks: int) -> int:
    """The number of the last copy :func:`replicate` makes of ``task`` (the ``task``-th of ``tasks``, from 1)."""
    copies, position = TL_TASKS - tasks, task - 1
    return 1000 + (copies - 1 - position) // tasks * tasks + position


def replicate(src: Path, dest: Path, say: Callable[[str], None]) -> Path:
    """A copy of the store ``src`` whose plan holds ``TL_TASKS`` tasks: its own and copies of them.

    Copies are numbered from 1000 in the nested layout, made by one commit through
    ``Store.commit`` (seconds, where generating 2,000 tasks takes a minute).
    """
    import re

    from tracker.codec import task_relpath
    from tracker.messages import compose_message
    from tracker.store import Store

    copy_store(src, dest)
    store = Store.open(dest)
    year = store.default_year()
    snap = store.snapshot(year)
    numbers = sorted(snap.loaded.plan.tasks)
    raw = store.file_bytes(snap, [snap.loaded.paths[n] for n in numbers])
    files: dict[str, bytes | None] = {}
    for i in range(TL_TASKS - len(numbers)):
        source = numbers[i % len(numbers)]
        new = 1000 + i
        data = re.sub(rb"(?m)^number = [0-9]+", b"number = %d" % new, raw[snap.loaded.paths[source]], count=1)
        files["tasks/" + task_relpath(new, nested=True)] = data
    message = compose_message("基准测试: 复制任务到 2000 项", [], [("Operator", "bench")])
    store.commit(year, snap.commit, files, message, ("bench", "bench@zwgk.local"))
    say(f"  TL: {TL_TASKS} 项任务 ({dest})")
    return dest


def copy_store(src: Path, dest: Path) -> None:
    """Copy a store, hard-linking git's objects (git never rewrites an object file in place)."""
    objects = (src / ".git" / "objects").resolve() if (src / ".git").is_dir() else (src / "objects").resolve()

    def link_or_copy(a: str, b: str) -> object:
        if Path(a).resolve().is_relative_to(objects):
            try:
                os.link(a, b)
                return b
            except OSError:
                pass
        return shutil.copy2(a, b)

    shutil.copytree(src, dest, symlinks=True, copy_function=link_or_copy)


def new_object_bytes(repo: Path, old: str, new: str) -> int:
    """Bytes on disk of the objects ``new`` added over ``old`` (loose, before gc)."""
    objects = git(repo, "rev-list", "--objects", new, f"^{old}").decode().split("\n")
    oids = [line.split()[0] for line in objects if line.strip()]
    if not oids:
        return 0
    sizes = git(repo, "cat-file", "--batch-check=%(objectsize:disk)", input="\n".join(oids).encode() + b"\n")
    return sum(int(s) for s in sizes.split())


def requirement_rows(repo: Path, ref: str) -> list[list[str]]:
    """The rows a task table shows (one per requirement), for the bare Textual floor app."""
    rows = []
    for path, data in sorted(read_blobs(repo, ref).items()):
        if path.rsplit("/", 1)[-1] in ("plan.toml", "units.toml", "operators.toml"):
            continue
        doc = tomllib.loads(data.decode())
        for key, req in doc.get("requirements", {}).items():
            units = req.get("units", {})
            done = sum(1 for a in units.values() if a.get("status") == "done")
            due = req.get("due") or [""]
            lead = (req.get("leads") or [""])[0]
            rows.append(
                [f"{doc['number']}.{key}", doc.get("title", ""), str(due[-1]), lead, f"{done}/{len(units)}"]
            )
    return rows


# ---------------------------------------------------------------- stores and output


def cache_dir() -> Path:
    env = os.environ.get("TRACKER_BENCH_CACHE")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("tracker-bench"))
    except ImportError:
        return Path.home() / ".cache" / "tracker-bench"


def store_for(size: Size, seed: int, root: Path, say: Callable[[str], None]) -> tuple[Path, float | None]:
    """The cached synthetic store of ``size`` (generated when missing) and its generation time."""
    dest = root / f"{size.name}-t{size.tasks}-a{size.assignments}-c{size.commits}-s{seed}"
    stamp = dest / ".bench-generated.json"
    if stamp.exists():
        return dest, json.loads(stamp.read_text())["seconds"]
    if dest.exists():
        shutil.rmtree(dest)
    say(f"生成 {size.name}: {size.tasks} 项任务, 约 {size.assignments} 条分工, {size.commits} 次提交 ...")
    stats = generate(
        dest,
        tasks=size.tasks,
        commits=size.commits,
        seed=seed,
        assignments=size.assignments,
        progress=lambda m: say("  " + m),
    )
    # kept outside git's view: .git/info/exclude
    with open(dest / ".git" / "info" / "exclude", "a", encoding="utf-8") as fh:
        fh.write(".bench-generated.json\n")
    stamp.write_text(json.dumps(asdict(stats)))
    say(f"  {stats.assignments} 条分工, {stats.commits} 次提交, 用时 {stats.seconds:.1f} s")
    return dest, stats.seconds


def fmt(value: float | None, unit: str, cpu: float | None = None) -> str:
    if value is None:
        return "-"
    if cpu is not None:
        return f"{fmt(value, unit)} (cpu {cpu:,.0f})"
    if unit == "c/s":
        return f"{value:.1f}/s"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}"


HEADER = "| operation | size | ours | floor | ratio | target | met | peers | note |"


def table(results: list[Result]) -> str:
    """The results as one Markdown table."""
    lines = [HEADER, "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        target, ok = r.target()
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        met = {True: "yes", False: "**no**", None: "-"}[ok]
        parts = []
        for name, v in r.peers.items():
            if name.endswith(" cpu"):
                continue
            cpu = r.peers.get(f"{name} cpu")
            text = f"{name} {fmt(v, r.unit, cpu)}"
            if v and r.ours is not None:
                text += f" ({r.ours / v:.2f}x" + (f", cpu {r.ours_cpu / cpu:.2f}x" if cpu and r.ours_cpu else "") + ")"
            parts.append(text)
        peers = ", ".join(parts) or "-"
        lines.append(
            f"| {LABELS[r.op]} | {r.size} | {fmt(r.ours, r.unit, r.ours_cpu)} | {fmt(r.floor, r.unit, r.floor_cpu)} | {ratio} "
            f"| {target} | {met} | {peers} | {one_line(r.note)} |"
        )
    return "\n".join(lines)


def run(
    *,
    store: Path | None = None,
    quick: bool = False,
    sizes: Sequence[str] = ("S",),
    repeats: int | None = None,
    seed: int = 1,
    peers: bool | None = None,
    only: set[str] | None = None,
    json_out: Path | None = None,
    say: Callable[[str], None] = lambda m: print(m, file=sys.stderr, flush=True),
) -> list[Result]:
    """Run the benchmark and print the table; see the module docstring."""
    n = repeats or (2 if quick else 7)
    results: list[Result] = []
    gen_times: dict[str, float | None] = {}
    loads: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        work = Path(tmp)
        if store is not None:
            targets = [(Path(store).resolve(), _guess_size(Path(store)))]
        elif quick:
            path, secs = store_for(SIZES["T"], seed, work / "stores", say)
            targets = [(path, SIZES["T"])]
            gen_times["T"] = secs
        else:
            targets = []
            for name in sizes:
                path, secs = store_for(SIZES[name], seed, cache_dir(), say)
                gen_times[name] = secs
                targets.append((path, SIZES[name]))
        use_peers = (not quick) if peers is None else peers
        if quick and peers is None:
            use_peers = bool(shutil.which("task") or shutil.which("fossil"))
        for path, size in targets:
            say(f"== {size.name}: {path} (load average {os.getloadavg()[0]:.1f})")
            loads[size.name] = os.getloadavg()[0]
            bench = Bench(path, size, n, work, use_peers, say, quick=quick)
            results.extend(bench.run_all(only))
            if quick and store is None:
                results.extend(bench.scale_check(replicate(path, work / "TL", say)))
    print(table(results))
    if json_out:
        json_out.write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                    "commit": subprocess.run(
                        ["git", "rev-parse", "--short", "HEAD"],
                        capture_output=True,
                        text=True,
                        cwd=Path(__file__).parent,
                    ).stdout.strip(),
                    "generation_seconds": gen_times,
                    "repeats": n,
                    "load_average_at_start": loads,
                    "results": [
                        {**asdict(r), "ratio": r.ratio, "target": r.target()[0], "met": r.target()[1]}
                        for r in results
                    ],
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return results


def _guess_size(store: Path) -> Size:
    facts = plan_facts(store)
    n = len(facts.paths)
    name = "S" if n <= 100 else "M" if n <= 2000 else "L"
    return Size(name, n, len(facts.assignments), 0, bulk=1000 if name == "L" else 100)


__all__ = ["CST", "SIZES", "Result", "run", "table"]
