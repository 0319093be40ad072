"""The query index of one plan: every task's list row, parsed task and units, kept per ``tasks/`` tree.

Listing or filtering a large plan from the parsed-blob cache reads one cache file per
task and builds every assignment (10,000 files and 237,525 assignments at size L); the
index holds the same facts in one SQLite file, so ``tracker list`` reads one table and a
filter builds only the tasks that can match (a ``unit:`` term finds its tasks in the
``units`` table). It is derived data, never a source of truth:

- keyed by the id of the ``tasks/`` tree it describes (and the last commit seen with it);
- updated from the blobs a commit changed: :meth:`Store.commit` (the one door) calls
  :func:`after_commit`, which rewrites the rows of the changed files only; a reader
  that finds it behind a commit made elsewhere (sync, git by hand) applies
  ``git diff-tree`` of the two trees the same way; never a full rebuild after one set;
- rebuilt from the tree when missing, unreadable or of another format version, by
  writing a new file and renaming it into place;
- kept in ``GITDIR/tracker-cache/``, beside the parsed-blob cache, where only the
  store's writer writes (issue 13, :mod:`tracker.cache_owner`): another account opens
  it read-only, and only when the writer alone could have written it and it describes
  exactly the commit asked for; a touched or stale one is ignored (and rebuilt or
  caught up by the writer's next run); any error reading it falls back to the plan itself.

Why SQLite (the standard library's ``sqlite3``), chosen by measurement (size M, 270 tasks /
10,624 assignments, and L, 10,000 / 237,525; CPU ms, loaded 2-core machine):

==============================================  =========  ==========
read every task for a listing (CPU ms)          M          L
==============================================  =========  ==========
one cache file per blob (JSON), plan built      114        2,640
one JSON file of the whole tree, plan built     88         2,277
SQLite: every task built                        81         2,305
SQLite: the ``--by task`` rows (no task built)  5          213
==============================================  =========  ==========

A single JSON file must be rewritten whole after every commit (tens of MB at L), and it
still builds every task; SQLite updates the changed rows in place, answers "which tasks
name these units" from an index, and keeps each task's list row ready, so a listing
builds no task at all. The figures are in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from tracker.cache_owner import CACHE_DIR, CACHE_FILE_MODE, is_writer, prepare_folder, trusted_file
from tracker.codec import CodecError, task_number_from_path
from tracker.git.files import write_by_rename
from tracker.model import Task
from tracker.plain_task import task_from_plain, task_to_plain


class Store(Protocol):
    """What the index asks of :class:`tracker.store.Store` (named here, not imported: the store calls in)."""

    repo: Any

    def folders(self, commit: str, folders: Iterable[str]) -> dict[str, list[Any]]: ...

    def blob_bytes(self, oids: Iterable[str]) -> dict[str, bytes]: ...

    def parsed_task(self, path: str, oid: str, data: bytes) -> Task: ...

    def snapshot_at(self, commit: str, year: int | None = None) -> Any: ...

INDEX_VERSION = 1
INDEX_DIR = f"{CACHE_DIR}/index-v{INDEX_VERSION}"
TASKS_TREE = "tasks"
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tasks (
    number INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,   -- tasks/-relative
    blob TEXT NOT NULL,
    overdue_from TEXT,           -- overdue when today is after this day (ISO), never when NULL
    row TEXT NOT NULL,           -- the --by task row (JSON) without "overdue"
    plain TEXT NOT NULL          -- the task as the parsed-blob cache keeps it (JSON)
);
CREATE TABLE units (                -- one row per unit a task names
    unit TEXT NOT NULL,
    number INTEGER NOT NULL,
    statuses TEXT NOT NULL,          -- the statuses of the unit's assignments in the task, comma-separated
    overdue_from TEXT,               -- as tasks.overdue_from, over the unit's assignments only
    PRIMARY KEY (unit, number)
) WITHOUT ROWID;
"""
_BUSY_MS = 2000
# Past this many changed files a fresh build is no slower than applying the changes.
_REBUILD_SHARE = 0.5


class IndexUnusable(Exception):
    """The index cannot answer for this commit (callers read the plan instead)."""


def index_path(store: Store, year: int) -> Path:
    """Where the index of ``plan/YEAR`` lives."""
    git_dir: Path = store.repo.git_dir
    return git_dir / INDEX_DIR / f"plan-{int(year)}.sqlite"


def tasks_tree(store: Store, commit: str) -> str | None:
    """The id of ``commit``'s ``tasks/`` tree (None: it has none)."""
    for entry in store.folders(commit, [""]).get("", []):
        if entry.path == TASKS_TREE and entry.kind == "tree":
            return str(entry.oid)
    return None


def task_facts(task: Task) -> tuple[str | None, dict[str, Any], dict[str, tuple[set[str], str | None]]]:
    """(overdue_from, the --by task row without "overdue", per unit: (its statuses, its overdue_from))."""
    from tracker.listing import task_row  # noqa: PLC0415 - the row itself has one definition

    row = task_row(task, date.min)
    del row["overdue"]  # depends on the day asked: kept as overdue_from instead
    # is_overdue: some due date before today on an assignment not closed; the earliest such
    # date decides it for the whole task, whatever day "today" is.
    first: date | None = None
    per_unit: dict[str, tuple[set[str], str | None]] = {}
    for req, a in task.assignments():
        statuses, unit_first = per_unit.get(a.unit, (set(), None))
        statuses.add(a.status.value)
        if req.due and not a.status.is_closed:
            earliest = min(req.due).isoformat()
            unit_first = earliest if unit_first is None or earliest < unit_first else unit_first
            first = min(req.due) if first is None or min(req.due) < first else first
        per_unit[a.unit] = (statuses, unit_first)
    return (first.isoformat() if first else None), row, per_unit


class PlanIndex:
    """An open, up-to-date index of one plan at one commit."""

    def __init__(self, db: sqlite3.Connection, commit: str) -> None:
        self.db = db
        self.commit = commit

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, store: Store, year: int, commit: str) -> PlanIndex:
        """The index of ``plan/YEAR`` brought to ``commit`` (built when missing).

        Only the store's writer builds, updates or replaces it (:mod:`tracker.cache_owner`);
        it rebuilds one that anybody else could have touched. Another account uses it
        only as the writer left it: trusted, and describing exactly ``commit``'s tasks.

        Raises:
            IndexUnusable: it cannot be made to describe ``commit`` (a broken file, a
                task number used twice, a reader finding it stale or untrusted ...):
                read the plan itself, which says why.
        """
        path = index_path(store, year)
        git_dir = store.repo.git_dir
        try:
            if not is_writer(git_dir):
                return cls._open_as_reader(store, path, commit)
            trusted = trusted_file(path, git_dir)
            if not prepare_folder(path.parent, git_dir):
                raise IndexUnusable("the index folder is not the writer's")
            if trusted:
                db = None
                try:
                    db = _connect(path)
                    index = cls(db, commit)
                    if index._meta("commit") == commit or index._catch_up(store, commit):
                        return index
                except sqlite3.DatabaseError:
                    pass  # damaged: built again below (a new file renamed over it)
                if db is not None:
                    db.close()
            else:
                # touched by someone else (or made before this rule): never opened, so a
                # planted journal is never rolled into it; a new file replaces it
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{path}-journal")
            return cls._build(store, year, commit, path)
        except (sqlite3.Error, OSError, ValueError, KeyError, CodecError) as exc:
            raise IndexUnusable(str(exc)) from None

    @classmethod
    def _open_as_reader(cls, store: Store, path: Path, commit: str) -> PlanIndex:
        """The writer's index, read-only, when it is trusted and describes ``commit``'s tasks tree exactly."""
        git_dir = store.repo.git_dir
        before = trusted_file(path, git_dir)
        if before is None:
            raise IndexUnusable("no trusted index")
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=_BUSY_MS / 1000)
        try:
            index = cls(db, commit)
            after = trusted_file(path, git_dir)
            if after is None or (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
                raise IndexUnusable("the index changed while being opened")
            if index._meta("version") != str(INDEX_VERSION) or index._meta("tree") != tasks_tree(store, commit):
                raise IndexUnusable("the index describes another tree")  # the writer catches it up
            return index
        except BaseException:
            db.close()
            raise

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _catch_up(self, store: Store, commit: str) -> bool:
        """Bring an index of an older tree to ``commit`` by the files that differ; False: rebuild."""
        if self._meta("version") != str(INDEX_VERSION):
            return False
        old_tree, new_tree = self._meta("tree"), tasks_tree(store, commit)
        if old_tree is None or new_tree is None:
            return False
        if old_tree == new_tree:
            with self.db:
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'commit'", (commit,))
            return True
        changed = _diff_trees(store, old_tree, new_tree)
        if changed is None:
            return False
        total = self.db.execute("SELECT count(*) FROM tasks").fetchone()[0]
        if len(changed) > max(50, total * _REBUILD_SHARE):
            return False
        blobs = {rel: oid for rel, oid in changed.items() if oid is not None}
        data = store.blob_bytes(blobs.values())
        tasks = {rel: _parse(store, rel, oid, data[oid]) for rel, oid in blobs.items()}
        return self.apply(old_tree, new_tree, commit, changed, tasks)

    @classmethod
    def _build(cls, store: Store, year: int, commit: str, path: Path) -> PlanIndex:
        snap = store.snapshot_at(commit, year)
        tree = tasks_tree(store, commit)
        if tree is None:
            raise IndexUnusable("no tasks/ folder")
        folder = path.parent
        if not prepare_folder(folder, store.repo.git_dir):
            raise IndexUnusable("the index folder is not the writer's")

        def fill(tmp: Path) -> None:
            db = sqlite3.connect(tmp, isolation_level=None)
            try:
                db.executescript(_SCHEMA)
                db.execute("BEGIN")
                db.executemany("INSERT INTO meta VALUES (?, ?)",
                               [("version", str(INDEX_VERSION)), ("tree", tree), ("commit", commit)])
                paths = snap.loaded.paths
                _insert(db, [(paths[n], snap.blobs[paths[n]], t) for n, t in snap.loaded.plan.tasks.items()])
                db.execute("COMMIT")
            finally:
                db.close()

        write_by_rename(path, fill, store.repo.git_dir, CACHE_FILE_MODE)
        return cls(_connect(path), commit)

    # ------------------------------------------------------------ changing

    def apply(
        self, old_tree: str, new_tree: str, commit: str, changed: Mapping[str, str | None],
        tasks: Mapping[str, Task | None],
    ) -> bool:
        """Rewrite the rows of the changed files (``tasks/``-relative path -> new blob, None: gone).

        ``tasks``: what each changed task file parses to. Done only when the index still
        describes ``old_tree`` (another process may have moved it on); False otherwise,
        or when a change would give a task number two files.
        """
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if self._meta("tree") != old_tree:
                db.execute("ROLLBACK")
                return self._meta("tree") == new_tree
            rows = []
            for rel, oid in changed.items():
                db.execute("DELETE FROM units WHERE number IN (SELECT number FROM tasks WHERE path = ?)", (rel,))
                db.execute("DELETE FROM tasks WHERE path = ?", (rel,))
                task = tasks.get(rel)
                if oid is not None and task is not None:
                    rows.append((rel, oid, task))
            _insert(db, rows)
            db.execute("UPDATE meta SET value = ? WHERE key = 'tree'", (new_tree,))
            db.execute("UPDATE meta SET value = ? WHERE key = 'commit'", (commit,))
            db.execute("COMMIT")
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            return False
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.commit = commit
        return True

    # ------------------------------------------------------------ reading

    def numbers(self) -> list[int]:
        """Every task number, in order."""
        return [n for (n,) in self.db.execute("SELECT number FROM tasks ORDER BY number")]

    def tasks_naming(self, units: Iterable[str]) -> set[int]:
        """The tasks that have an assignment of one of ``units``."""
        names = list(units)
        found: set[int] = set()
        for start in range(0, len(names), 500):
            part = names[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(n for (n,) in self.db.execute(
                f"SELECT number FROM units WHERE unit IN ({marks})", part))  # noqa: S608 - marks only
        return found

    def task_rows(self, today: date, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """The ``--by task`` rows of every task in plan order (no task is built)."""
        sql = "SELECT row, overdue_from FROM tasks ORDER BY number"
        args: tuple[int, ...] = ()
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args = (-1 if limit is None else limit, offset)
        day = today.isoformat()
        rows = []
        for text, overdue_from in self.db.execute(sql, args):
            row = json.loads(text)
            row["overdue"] = overdue_from is not None and overdue_from < day
            rows.append(row)
        return rows

    def unit_task_rows(self, units: Iterable[str], today: date) -> list[dict[str, Any]]:
        """The ``--by task`` rows of a query that matches exactly the assignments of ``units``.

        As :func:`tracker.listing.list_rows` narrows them: the status, units and overdue
        of each task's matching assignments only; no task is built.
        """
        from tracker.model import Status, combine_statuses  # noqa: PLC0415

        names = list(units)
        facts: dict[int, tuple[set[str], set[str], bool]] = {}
        day = today.isoformat()
        for start in range(0, len(names), 500):
            part = names[start : start + 500]
            marks = ",".join("?" * len(part))
            for unit, number, statuses, overdue_from in self.db.execute(
                f"SELECT unit, number, statuses, overdue_from FROM units WHERE unit IN ({marks})", part  # noqa: S608
            ):
                have_units, have_statuses, overdue = facts.get(number, (set(), set(), False))
                have_units.add(unit)
                have_statuses.update(statuses.split(","))
                facts[number] = (have_units, have_statuses, overdue or (overdue_from is not None and overdue_from < day))
        rows = []
        numbers = sorted(facts)
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for number, text in self.db.execute(
                f"SELECT number, row FROM tasks WHERE number IN ({marks}) ORDER BY number", chunk  # noqa: S608
            ):
                matched, statuses, overdue = facts[number]
                row = json.loads(text)
                status = combine_statuses(Status(s) for s in statuses)
                row.update(status=status.value, status_label=status.label,
                           units=[u for u in row["units"] if u in matched], overdue=overdue)
                rows.append(row)
        return rows

    def tasks_holding_requirements(self, offset: int, limit: int) -> tuple[list[int], int]:
        """The tasks whose requirements are the ``offset``-th to ``offset + limit``-th of the plan.

        Returns (their numbers, how many requirements of the first to skip): a screen
        showing some requirement rows builds only the tasks that hold them.
        """
        numbers: list[int] = []
        skip = 0
        seen = 0
        for number, count in self.db.execute(
            "SELECT number, json_extract(row, '$.requirements') FROM tasks ORDER BY number"
        ):
            if seen + count > offset and seen < offset + limit:
                if not numbers:
                    skip = offset - seen
                numbers.append(number)
            seen += count
            if seen >= offset + limit:
                break
        return numbers, skip

    def tasks(self, numbers: Iterable[int] | None = None) -> dict[int, Task]:
        """``{number: Task}`` for ``numbers`` (all when None), fresh objects in number order."""
        if numbers is None:
            cursor = self.db.execute("SELECT number, plain FROM tasks ORDER BY number")
            return {n: task_from_plain(json.loads(p)) for n, p in cursor}
        wanted = sorted(set(numbers))
        out: dict[int, Task] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            cursor = self.db.execute(
                f"SELECT number, plain FROM tasks WHERE number IN ({marks}) ORDER BY number", part)  # noqa: S608
            out.update((n, task_from_plain(json.loads(p))) for n, p in cursor)
        return out

    def close(self) -> None:
        self.db.close()


def after_commit(
    store: Store, year: int, base: str | None, commit: str, new_tree: str | None,
    files: Mapping[str, bytes | None], parsed: Mapping[str, Task] | None,
) -> None:
    """Called by :meth:`Store.commit` once ``plan/YEAR`` moved from ``base`` to ``commit``.

    An index that describes ``base`` learns the changed task files (parsed ones taken
    as given, others parsed here); any other index is left for a reader to catch up.
    Never raises: the index is only a speed-up.
    """
    path = index_path(store, year)
    git_dir = store.repo.git_dir
    if base is None or new_tree is None or not path.exists() or not is_writer(git_dir):
        return
    if trusted_file(path, git_dir) is None:
        with contextlib.suppress(OSError):
            path.unlink()  # touched by someone else: the writer's next read builds a new one
        return
    try:
        db = _connect(path)
    except (sqlite3.Error, OSError):
        return
    try:
        index = PlanIndex(db, base)
        if index._meta("commit") != base or index._meta("version") != str(INDEX_VERSION):
            return
        old_tree = index._meta("tree")
        if old_tree is None:
            return
        prefix = TASKS_TREE + "/"
        changed: dict[str, str | None] = {}
        tasks: dict[str, Task | None] = {}
        for path_name, data in files.items():
            if not path_name.startswith(prefix):
                continue
            rel = path_name[len(prefix) :]
            if task_number_from_path(rel) is None:
                continue
            if data is None:
                changed[rel] = None
                continue
            oid = store.repo.blob_id(data)
            changed[rel] = oid
            task = (parsed or {}).get(path_name)
            tasks[rel] = task if task is not None else _parse(store, rel, oid, data)
        index.apply(old_tree, new_tree, commit, changed, tasks)
    except Exception:  # noqa: BLE001 - a broken index must never fail a commit; a reader rebuilds it
        with contextlib.suppress(OSError):
            path.unlink()
    finally:
        db.close()


# -------------------------------------------------------------------- helpers


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_MS / 1000)
    db.execute("PRAGMA journal_mode = DELETE")
    return db


def _insert(db: sqlite3.Connection, rows: Iterable[tuple[str, str, Task]]) -> None:
    for rel, oid, task in rows:
        number = task_number_from_path(rel)
        if number is None or number != task.number:
            raise ValueError(f"{rel}: 文件名与任务编号不符")
        overdue_from, row, per_unit = task_facts(task)
        db.execute(
            "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?)",
            (task.number, rel, oid, overdue_from, json.dumps(row, ensure_ascii=False),
             json.dumps(task_to_plain(task), ensure_ascii=False)),
        )
        db.executemany("INSERT INTO units VALUES (?, ?, ?, ?)",
                       [(u, task.number, ",".join(sorted(st)), of) for u, (st, of) in per_unit.items()])


def _parse(store: Store, rel: str, oid: str, data: bytes) -> Task:
    """A changed task file, through the parsed-blob cache."""
    return store.parsed_task(TASKS_TREE + "/" + rel, oid, data)


def _diff_trees(store: Store, old: str, new: str) -> dict[str, str | None] | None:
    """``{tasks/-relative path: new blob or None}`` of the task files that differ; None: cannot tell."""
    proc = store.repo.run("diff-tree", "-r", "-z", "--no-renames", old, new, check=False)
    if proc.returncode != 0:
        return None
    parts = proc.stdout.split(b"\0")
    changed: dict[str, str | None] = {}
    for meta, name in zip(parts[0::2], parts[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        fields = meta[1:].decode().split(" ")
        rel = name.decode("utf-8", "surrogateescape")
        if task_number_from_path(rel) is None:
            continue
        new_oid = fields[3]
        changed[rel] = None if set(new_oid) == {"0"} else new_oid
    return changed


__all__ = ["INDEX_VERSION", "IndexUnusable", "PlanIndex", "after_commit", "index_path", "task_facts", "tasks_tree"]
