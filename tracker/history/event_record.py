"""The record of field events per commit and file: what one commit did to one file, worked out once, ever.

``tracker history N`` takes from here the commits that changed ``tasks/NN.toml`` (in
``git log --full-history``'s order) and what each did to the file; only commits not
recorded yet are listed by git and diffed (``diff-tree`` + ``cat-file``), their versions
parsed once through the parsed-blob cache. A commit id fixes its parent and its files,
so an events row never goes stale; the history's filters and ``--limit`` stay the
walk's (:mod:`tracker.history.git_walk`), so the output is the same as without the
record (a property test compares it with the full parse).

It lives in ``GITDIR/tracker-cache/index-v1/history.sqlite``, beside the query index,
and like it is written by the store's writer alone (:mod:`tracker.cache_owner`):
:meth:`Store.commit` records the commit it makes (a few files only; a bulk commit is
recorded when its history is first read), and the writer records what a history walk
worked out. Another account reads it only when the writer alone could have written it
(else it works from the commits), and writes nothing.

What was tried, measured on the bench stores (one assignment's history, ``--format json``;
CPU ms of the command after start-up, 20 runs in one process, both codes in one session;
the machine shared and loaded, so only ratios within a row mean anything):

=========================================================  ===========  ============
how each commit's events are found                          S (1,000     M (10,000
                                                            commits)     commits)
=========================================================  ===========  ============
``git log -- PATH`` + ``diff-tree``/``cat-file`` per batch,  55           109
versions parsed through the parsed-blob cache (before)
the same, events per (commit, file) from this record         21           40
+ the file's commits from this record (no ``git log``)       18           21
=========================================================  ===========  ============

Left at M with events recorded: 24 ms of the 40 was git's own path-limited walk over
10,000 commits (with changed-path filters; 270 ms without them), and at L (100,000
commits) it is 160 ms for a file changed 12 times, whatever ``--limit`` says: so the
record also keeps the commits that changed each file (up to the tip it saw; the
writer's commits extend it, a fast-forward is caught up with ``git log OLD..NEW --
PATH``, a merge falls back to the whole walk, whose order a merged side could change).
Whole process, ``python -m tracker.bench run --only history`` (ms, medians, one quiet run,
load 3.5; the record made by the warm-up run): S 144 against typer's import 92 (1.56x,
target 1.8x); M 125 against Taskwarrior 111 (1.13x, target 1x: what is left above
typer's 91 is the CLI's and core's imports and the task's snapshot, about 34 ms, not
the history walk, which is 0 git processes here); L (``--limit 20``) 134 against the
floor's 151 (``git log -n 20 -p -- PATH``; 0.88x, was 3.8x). The first history of a
file costs one whole walk, about 10% more CPU than before (every version's events are
recorded, not only the asked unit's); the next costs no git process at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.cache_owner import CACHE_DIR, CACHE_FILE_MODE, is_writer, prepare_folder, trusted_file
from tracker.git.files import write_by_rename
from tracker.git.log import CommitInfo
from tracker.history.diffing import parse_bytes
from tracker.history.events import FieldChange, file_events

RECORD_VERSION = 2
RECORD_PATH = f"{CACHE_DIR}/index-v1/history.sqlite"
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE changes (
    commit_id TEXT NOT NULL,
    path TEXT NOT NULL,     -- repository path (tasks/05.toml)
    rows TEXT NOT NULL,     -- JSON: the FieldChange rows, in order, of this file in this commit
    PRIMARY KEY (commit_id, path)
) WITHOUT ROWID;
CREATE TABLE walked (       -- touches holds every commit reachable from tip that changed path
    path TEXT PRIMARY KEY,
    tip TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX walked_tip ON walked (tip);
CREATE TABLE touches (      -- the commits that changed a file, git log's order by pos descending
    path TEXT NOT NULL,
    pos INTEGER NOT NULL,
    commit_id TEXT NOT NULL,
    PRIMARY KEY (path, pos)
) WITHOUT ROWID;
CREATE TABLE commits (      -- who and when: git log's fields of a commit (JSON)
    commit_id TEXT PRIMARY KEY,
    info TEXT NOT NULL
) WITHOUT ROWID;
"""
_BUSY_S = 2.0
_CHUNK = 400


def record_path(git_dir: Path) -> Path:
    """Where a store's record lives."""
    return git_dir / RECORD_PATH


class EventRecord:
    """An open record: look up what commits did to a file; the writer also adds to it."""

    def __init__(self, db: sqlite3.Connection, writable: bool) -> None:
        self.db = db
        self.writable = writable

    @classmethod
    def open(cls, git_dir: Path, *, create: bool = True) -> EventRecord | None:
        """The record of the store at ``git_dir``, or None when there is none this process may use.

        The writer opens it for writing (made when missing and ``create``; replaced when
        anybody else could have written it); another account opens it read-only, and
        only when the writer alone could have written it.
        """
        path = record_path(git_dir)
        try:
            if not is_writer(git_dir):
                st = trusted_file(path, git_dir)
                if st is None:
                    return None
                db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=_BUSY_S)
                again = trusted_file(path, git_dir)
                if again is None or (again.st_dev, again.st_ino) != (st.st_dev, st.st_ino) or not _current(db):
                    db.close()
                    return None
                return cls(db, writable=False)
            trusted = trusted_file(path, git_dir) is not None
            if not prepare_folder(path.parent, git_dir):
                return None
            if trusted:
                db = sqlite3.connect(path, isolation_level=None, timeout=_BUSY_S)
                if _current(db):
                    return cls(db, writable=True)
                db.close()
            elif path.exists() or not create:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{path}-journal")  # never rolled into a new file
                if not create:
                    return None
            return cls(_create(path, git_dir), writable=True)
        except (sqlite3.Error, OSError):
            return None

    def lookup(self, commits: Sequence[str], path: str) -> dict[str, list[FieldChange]]:
        """``{commit: its rows for path}`` for the commits recorded (the others left out)."""
        found: dict[str, list[FieldChange]] = {}
        with contextlib.suppress(sqlite3.Error, ValueError, TypeError):
            for start in range(0, len(commits), _CHUNK):
                part = list(commits[start : start + _CHUNK])
                marks = ",".join("?" * len(part))
                for commit, text in self.db.execute(
                    f"SELECT commit_id, rows FROM changes WHERE path = ? AND commit_id IN ({marks})",  # noqa: S608
                    [path, *part],
                ):
                    found[commit] = [_row(item) for item in json.loads(text)]
        return found

    def add(self, items: Iterable[tuple[str, str, Sequence[FieldChange]]]) -> None:
        """Record ``(commit, path, its rows)`` (the writer only; never raises: a record is only a speed-up)."""
        if not self.writable:
            return
        rows = [(commit, path, json.dumps([_plain(c) for c in changes], ensure_ascii=False))
                for commit, path, changes in items]
        if not rows:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?, ?)", rows)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------ the commits that changed a file

    def walked(self, path: str) -> str | None:
        """The tip up to which every commit that changed ``path`` is listed here, or None."""
        with contextlib.suppress(sqlite3.Error):
            row = self.db.execute("SELECT tip FROM walked WHERE path = ?", (path,)).fetchone()
            return None if row is None else str(row[0])
        return None

    def touches(self, path: str) -> list[str]:
        """The commits that changed ``path`` up to :meth:`walked`, newest first (git log's order)."""
        cursor = self.db.execute("SELECT commit_id FROM touches WHERE path = ? ORDER BY pos DESC", (path,))
        return [str(c) for (c,) in cursor]

    def commit_infos(self, shas: Sequence[str]) -> dict[str, CommitInfo]:
        """The recorded commits among ``shas``."""
        found: dict[str, CommitInfo] = {}
        with contextlib.suppress(sqlite3.Error, ValueError, TypeError, KeyError):
            for start in range(0, len(shas), _CHUNK):
                part = list(shas[start : start + _CHUNK])
                marks = ",".join("?" * len(part))
                for sha, text in self.db.execute(
                    f"SELECT commit_id, info FROM commits WHERE commit_id IN ({marks})", part  # noqa: S608
                ):
                    found[sha] = _info(json.loads(text))
        return found

    def set_walk(self, path: str, tip: str, commits: Sequence[CommitInfo], *, since: str | None = None) -> None:
        """Record that ``commits`` (newest first) are the commits that changed ``path`` up to ``tip``.

        ``since``: they are only those after the ``walked`` tip ``since``, the rest being recorded.
        """
        if not self.writable:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if self.walked(path) != since:
                    self.db.execute("ROLLBACK")  # another writer moved it meanwhile
                    return
                if since is None:
                    self.db.execute("DELETE FROM touches WHERE path = ?", (path,))
                top = self.db.execute("SELECT max(pos) FROM touches WHERE path = ?", (path,)).fetchone()[0]
                first = 0 if top is None else int(top) + 1
                self.db.executemany("INSERT INTO touches VALUES (?, ?, ?)",
                                    [(path, first + n, c.sha) for n, c in enumerate(reversed(commits))])
                self._save_infos(commits)
                self.db.execute("INSERT OR REPLACE INTO walked VALUES (?, ?)", (path, tip))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def save_infos(self, commits: Sequence[CommitInfo]) -> None:
        """Record who made ``commits`` and when (the writer only)."""
        if not self.writable or not commits:
            return
        with contextlib.suppress(sqlite3.Error):
            self._save_infos(commits)

    def _save_infos(self, commits: Sequence[CommitInfo]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO commits VALUES (?, ?)",
                            [(c.sha, json.dumps(_info_plain(c), ensure_ascii=False)) for c in commits])

    def advance(self, base: str, commit: str, changed: Iterable[str]) -> None:
        """The writer moved a branch from ``base`` to ``commit`` (one parent), which changed ``changed``.

        Every file listed up to ``base`` is now listed up to ``commit``: the commit joins
        the lists of the files it changed (who and when are read at the next history).
        """
        if not self.writable:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                listed = {str(p) for (p,) in self.db.execute("SELECT path FROM walked WHERE tip = ?", (base,))}
                for path in (p for p in changed if p in listed):
                    top = self.db.execute("SELECT max(pos) FROM touches WHERE path = ?", (path,)).fetchone()[0]
                    self.db.execute("INSERT INTO touches VALUES (?, ?, ?)",
                                    (path, 0 if top is None else int(top) + 1, commit))
                self.db.execute("UPDATE walked SET tip = ? WHERE tip = ?", (commit, base))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.db.close()


def record_commit(
    git_dir: Path, base: str, commit: str, files: Mapping[str, tuple[bytes | None, bytes | None]] | None,
    changed: Iterable[str], parse: Callable[[bytes], dict[str, Any] | None] = parse_bytes,
) -> None:
    """Teach the record (when there is one) a commit the writer just made on top of ``base``.

    ``changed``: the task files it changed; ``files``: their (before, after) bytes, whose
    events are recorded now (None: left for the history walk, as for a bulk commit).
    ``parse``: the store's parsed-blob cache. Called by :meth:`Store.commit`.
    """
    record = EventRecord.open(git_dir, create=False)
    if record is None:
        return
    try:
        def parse_version(data: bytes | None) -> dict[str, Any] | None:
            return None if data is None else parse(data)

        if files:
            record.add((commit, path, file_events(path, old, new, parse=parse_version))
                       for path, (old, new) in files.items())
        record.advance(base, commit, changed)
    finally:
        record.close()


def _plain(change: FieldChange) -> list[object]:
    return [change.path, change.task, change.requirement, change.unit, change.field, change.old, change.new,
            list(change.key)]


def _row(item: list[object]) -> FieldChange:
    path, task, requirement, unit, field, old, new, key = item
    if task is not None and not isinstance(task, int):
        raise TypeError("task")
    if not isinstance(key, list):
        raise TypeError("key")
    return FieldChange(str(path), task, str(requirement), str(unit), str(field), str(old), str(new),
                       tuple(str(k) for k in key))


def _info_plain(c: CommitInfo) -> list[object]:
    committed = c.committed_at.isoformat() if c.committed_at else None
    return [c.sha, list(c.parents), c.author_name, c.author_email, c.authored_at.isoformat(), c.message, committed]


def _info(item: list[Any]) -> CommitInfo:
    sha, parents, name, email, authored, message, committed = item
    return CommitInfo(str(sha), tuple(str(p) for p in parents), str(name), str(email),
                      datetime.fromisoformat(authored), str(message),
                      datetime.fromisoformat(committed) if committed else None)


def _current(db: sqlite3.Connection) -> bool:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == str(RECORD_VERSION)


def _create(path: Path, git_dir: Path) -> sqlite3.Connection:
    """A new, empty record renamed into place (so a reader never sees half a file)."""

    def fill(tmp: Path) -> None:
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (str(RECORD_VERSION),))
        finally:
            db.close()

    write_by_rename(path, fill, git_dir, CACHE_FILE_MODE)
    return sqlite3.connect(path, isolation_level=None, timeout=_BUSY_S)


__all__ = ["RECORD_PATH", "RECORD_VERSION", "EventRecord", "record_commit", "record_path"]
