"""The store: a git repository holding one plan per ``plan/YEAR`` branch.

Reading a plan never checks anything out: it is one ``git ls-tree -r`` of the
branch tip (or any ref or date) plus one ``git cat-file --batch`` for the task
files not parsed before. Parsed tasks are cached by blob id, in memory and on
disk in ``GITDIR/tracker-cache/`` (one small JSON file per blob, written
atomically, safe to delete, written only by the store's writer: see
:mod:`tracker.cache_owner`), so opening a plan after one change parses one
file, and a commit writes one small entry.

Writing: :meth:`Store.commit` is the one door every commit goes through (changes,
new plans, imports, the first commit, sync merges): objects, compare-and-swap of
the branch, the work tree brought along, and the caches taught the new tree.

Finding the store when a command names none is :mod:`tracker.store_discovery`'s job.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.cache_owner import CACHE_DIR, is_writer, read_trusted, write_entry
from tracker.codec import (
    META_FILES,
    OPERATORS_FILE,
    PLAN_FILE,
    CodecError,
    load_task,
    task_number_from_path,
)
from tracker.errors import ServiceError
from tracker.git.files import share_with_group, write_atomic
from tracker.git.log import changed_paths, commit_before
from tracker.git.objects import TreeEntry
from tracker.git.repo import GitRepo, init_repository
from tracker.git.runner import NotARepository
from tracker.i18n import t
from tracker.messages import compose_message
from tracker.model import Task
from tracker.operators import Operator, add_operator, current_login, full_name, load_operators, operator_for
from tracker.plain_task import task_from_plain, task_to_plain
from tracker.planio import LoadedPlan, decode, load_plan_folder, plan_from_files, read_folder
from tracker.published import Rewound, check_branch, published_tips, record
from tracker.signing import ensure_key, usable_key

TASKS_DIR = "tasks/"
BRANCH_PREFIX = "refs/heads/plan/"
CACHE_VERSION = 3  # 2: sync conflicts kept (tracker/merge.py); 3: one file per blob
JOURNAL = "tracker-locks/sync.json"  # a work-tree update in progress (see Store._move)
_LISTINGS_KEPT = 8
_WRITTEN_KEPT = 256
_PRUNE_CHANCE = 0.02  # of a save: drop entries no plan tip uses any more
_PRUNE_AGE = 24 * 3600.0
# Fault injection for tests only: called with the name of a point on the write path
# ("ref-moved": the branch has moved, the work tree not yet), e.g. to SIGKILL the writer.
_fault: Callable[[str], None] | None = None
_DATED_REF = re.compile(r"^(?P<rev>[^@]+)@\{(?P<when>\d{4}-\d{2}-\d{2}[^}]*)\}$")


class StoreError(RuntimeError):
    """A store problem a user can act on (message in Chinese)."""


class HandEdits(ServiceError):
    """The checked-out work tree has uncommitted edits to files the change touches."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(
            "工作目录中有未提交的手工修改: " + "、".join(paths) + ";为免覆盖,本次未提交。请先提交或撤销这些修改。"
        )


def branch_ref(year: int) -> str:
    """``2019`` -> ``refs/heads/plan/2019``."""
    return f"{BRANCH_PREFIX}{int(year)}"


@dataclass
class Snapshot:
    """A plan read at one commit: the parsed plan plus where each file's blob is."""

    commit: str
    year: int | None  # the branch read, None when read at another ref
    blobs: dict[str, str]  # tasks/-relative path -> blob id
    loaded: LoadedPlan
    # every folder of the commit's tree -> its entries (saves listing it again to write a commit)
    listing: dict[str, list[TreeEntry]] = field(default_factory=dict)
    # True when only some task files were read (``tasks=`` of :meth:`Store.snapshot`):
    # ``loaded.plan.tasks`` and ``loaded.paths`` then hold just those.
    partial: bool = False

    def operators(self) -> dict[str, Operator]:
        """``tasks/operators.toml`` parsed."""
        return load_operators(self.loaded.operators_text, TASKS_DIR + OPERATORS_FILE)


class Store:
    """A git repository holding plans on ``plan/YEAR`` branches."""

    def __init__(self, repo: GitRepo) -> None:
        self.repo = repo
        self._plain: dict[str, dict[str, Any]] = {}  # parsed tasks as plain data, by blob id
        self._raw: dict[str, bytes] = {}  # small non-task files (plan, units, operators) by blob id
        self._recent: dict[str, bytes] = {}  # blobs read by the last snapshot
        self._written: dict[str, bytes] = {}  # blobs this process committed (bounded)
        self._objects: dict[str, Task] = {}  # shared task objects (service reads only)
        self._listings: dict[str, dict[str, list[TreeEntry]]] = {}  # commit -> tree listing
        # commit -> some folders' entries (None: no such folder), for reads and writes of a few files
        self._partial: dict[str, dict[str, list[TreeEntry] | None]] = {}
        self._years: tuple[tuple[object, ...], list[int]] | None = None  # (refs stamp, years): see years()
        self._meta: dict[tuple[str | None, ...], LoadedPlan] = {}  # plan/units/operators, shared reads
        self._writer: bool | None = None  # see writes_cache
        self._trusted_folders: dict[Path, bool] = {}  # cache folders a reader found trusted or not

    @property
    def path(self) -> Path:
        """The folder a user names: the work tree, or the bare repository."""
        return self.repo.top

    @property
    def bare(self) -> bool:
        return self.repo.bare

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open an existing store (bare or not).

        Raises:
            StoreError: not a repository, or one without any plan branch.
        """
        try:
            repo = GitRepo.open(Path(path))
        except NotARepository as exc:
            raise StoreError(str(exc)) from None
        store = cls(repo)
        if not store.years():
            raise StoreError(f"{store.path} 不是任务数据仓库(没有 plan/年度 分支);请先运行 tracker init")
        return store

    @classmethod
    def init(
        cls,
        path: Path,
        *,
        year: int = 2019,
        bare: bool = False,
        shared_group: str | None = None,
        source: Path | None = None,
    ) -> Store:
        """Create a store holding the plan in ``source`` (default: the bundled plan).

        The current login becomes an admin in ``tasks/operators.toml`` in the
        first commit, whose message says where the plan came from.

        Raises:
            StoreError: the folder is not empty, the group does not exist, the
                source is not a folder or holds no task, or the plan is for another year.
            CodecError: a broken file in the source plan.
        """
        from tracker.planio import bundled_tasks_dir

        folder = Path(source) if source else bundled_tasks_dir()
        if not folder.is_dir():
            raise StoreError(t(f"计划来源 {folder} 不是目录", f"plan source {folder} is not a folder"))
        loaded = load_plan_folder(folder)
        if not loaded.plan.tasks:
            # A plan of 0 tasks is never what was meant (a wrong folder, e.g. /etc).
            raise StoreError(t(f"计划来源 {folder} 中没有任务文件(如 01.toml),未建库",
                               f"plan source {folder} holds no task files (such as 01.toml); no store made"))
        if loaded.plan.info.year and loaded.plan.info.year != year:
            raise StoreError(f"{folder} 中是 {loaded.plan.info.year} 年的计划,不是 {year} 年")
        files = read_folder(folder)
        login = current_login()
        creator = Operator(login=login, name=full_name(login), units=(), role="admin")
        existing = decode(files[OPERATORS_FILE], OPERATORS_FILE) if OPERATORS_FILE in files else ""
        files[OPERATORS_FILE] = add_operator(existing, creator).encode("utf-8")
        try:
            repo = init_repository(Path(path), branch=f"plan/{year}", bare=bare, shared_group=shared_group)
        except KeyError:
            raise StoreError(f"系统中没有用户组 {shared_group}") from None
        except NotARepository as exc:
            raise StoreError(str(exc)) from None
        origin = "随程序附带的计划" if source is None else f"目录 {folder}"
        info = loaded.plan.info
        body = [f"来源: {origin}"]
        if info.source:
            body.append(f"原始文件: {info.source}")
        if info.title:
            body.append(f"计划: {info.title}")
        body.append(f"任务数: {len(loaded.plan.tasks)}")
        message = compose_message(
            f"新建数据仓库: {year}年计划", body, [("Plan", str(year)), ("Operator", login)]
        )
        ensure_key(repo)  # the store's signing key, in the writer's own folder
        store = cls(repo)
        store.commit(year, None, {TASKS_DIR + rel: data for rel, data in files.items()}, message,
                     (creator.name, creator.email))
        if shared_group:
            import grp

            share_with_group(repo.top, grp.getgrnam(shared_group).gr_gid)
        return store

    # ---------------------------------------------------------------- plans

    def years(self) -> list[int]:
        """Years that have a ``plan/YEAR`` branch, oldest first.

        Remembered while the branch folder and ``packed-refs`` are unchanged (a stat
        each, not a git process): opening a store and picking its default plan ask
        twice in a row, and a plan made by another process or Store is still seen.
        """
        stamp = self._refs_stamp()
        if self._years is not None and self._years[0] == stamp:
            return list(self._years[1])
        years = []
        for name in self.repo.refs(BRANCH_PREFIX.rstrip("/")):
            tail = name[len(BRANCH_PREFIX) :]
            if tail.isdigit():
                years.append(int(tail))
        self._years = (stamp, sorted(years))
        return list(self._years[1])

    def _refs_stamp(self) -> tuple[object, ...]:
        """What changes when a plan branch is made or removed: the loose branch folder and packed-refs."""
        stamps: list[object] = []
        for path in (self.repo.git_dir / BRANCH_PREFIX.rstrip("/"), self.repo.git_dir / "packed-refs"):
            try:
                st = path.stat()
            except OSError:
                stamps.append(None)
            else:
                stamps.append((st.st_mtime_ns, st.st_ino, st.st_size))
        return tuple(stamps)

    def default_year(self) -> int:
        """The newest plan.

        Raises:
            StoreError: when the store holds no plan.
        """
        years = self.years()
        if not years:
            raise StoreError(f"{self.path} 中没有任何年度计划")
        return years[-1]

    def tip(self, year: int) -> str:
        """The commit id ``plan/YEAR`` points at.

        Raises:
            StoreError: when there is no such plan.
        """
        oid = self.repo.rev_parse(branch_ref(year))
        if oid is None:
            known = "、".join(str(y) for y in self.years()) or "无"
            raise StoreError(f"没有 {year} 年的计划(已有: {known})")
        return oid

    def resolve(self, year: int | None = None, ref: str | None = None) -> tuple[str, int | None]:
        """(commit id, year or None) for a plan year or any ref.

        ``ref`` may be a branch, tag or commit (``plan/2019``, ``v1``, ``abc123``)
        or a branch at a date (``plan/2019@{2019-08-01}``: the last commit before
        that day, found in the history, not in reflogs).

        Raises:
            StoreError: when the ref names no commit.
        """
        if ref is None:
            chosen = self.default_year() if year is None else year
            return self.tip(chosen), chosen
        dated = _DATED_REF.match(ref)
        oid = commit_before(self.repo, dated["rev"], dated["when"]) if dated else self.repo.rev_parse(ref)
        if oid is None:
            raise StoreError(f"找不到版本 {ref!r}")
        return oid, None

    # ---------------------------------------------------------------- reading

    def load(self, year: int | None = None, ref: str | None = None) -> LoadedPlan:
        """The plan of ``year`` (default the newest) or at ``ref``, with no checkout."""
        return self.snapshot(year, ref).loaded

    def snapshot(
        self, year: int | None = None, ref: str | None = None, *, shared: bool = False,
        tasks: Iterable[int] | None = None,
    ) -> Snapshot:
        """Like :meth:`load`, also giving the commit id and each file's blob id.

        ``shared=True`` (the service's own reads) hands out the cached task
        objects themselves, which the caller must not change. ``tasks``: read
        only these task files (plus plan, units and operators): a partial
        snapshot, for a write that touches a few tasks of a large plan.
        """
        if ref is None:
            chosen = self.default_year() if year is None else year
            commit = self._fast_tip(chosen)
            return self.snapshot_at(commit, chosen, shared=shared, tasks=tasks)
        commit, found = self.resolve(year, ref)
        return self.snapshot_at(commit, found, shared=shared, tasks=tasks)

    def _fast_tip(self, year: int) -> str:
        # The loose ref file, read directly, saves a process; anything unusual
        # (packed ref, symbolic ref) goes to git. Only a base for compare-and-swap.
        try:
            text = (self.repo.git_dir / branch_ref(year)).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            text = ""
        if re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", text):
            return text
        return self.tip(year)

    def blob_bytes(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Blob contents, from this process's recent reads and writes when there, else from git."""
        wanted = list(oids)
        found = {}
        for o in wanted:
            data = self._recent.get(o)
            if data is None:
                data = self._written.get(o)
            if data is None:
                data = self._raw.get(o)
            if data is not None:
                found[o] = data
        missing = [o for o in wanted if o not in found]
        if missing:
            found.update(self.repo.cat_blobs(missing))
        return found

    def file_bytes(self, snap: Snapshot, rels: Iterable[str]) -> dict[str, bytes]:
        """``{tasks/-relative path: bytes}`` at the snapshot's commit.

        A checked-out work-tree file is used when its content hashes to the
        blob id the commit names (so it is exactly that blob); else git is asked.
        """
        wanted = {rel: snap.blobs[rel] for rel in rels}
        found: dict[str, bytes] = {}
        if self.repo.work_tree is not None:
            for rel, oid in wanted.items():
                if oid in self._recent or oid in self._written:
                    continue
                try:
                    data = (self.repo.work_tree / TASKS_DIR / rel).read_bytes()
                except OSError:
                    continue
                if self.repo.blob_id(data) == oid:
                    found[rel] = data
        rest = {rel: oid for rel, oid in wanted.items() if rel not in found}
        if rest:
            read = self.blob_bytes(rest.values())
            found.update({rel: read[oid] for rel, oid in rest.items()})
        return found

    def tree_listing(self, commit: str) -> dict[str, list[TreeEntry]]:
        """Every folder of ``commit``'s tree -> its entries (remembered per commit; do not mutate)."""
        listing = self._listings.get(commit)
        if listing is None:
            listing = self.repo.tree_listing(commit)
            self._remember_listing(commit, listing)
        return listing

    def _remember_listing(self, commit: str, listing: dict[str, list[TreeEntry]]) -> None:
        """Record a commit's tree listing (a writer knows the tree it just built)."""
        self._listings[commit] = listing
        while len(self._listings) > _LISTINGS_KEPT:
            self._listings.pop(next(iter(self._listings)))

    def folders(self, commit: str, folders: Iterable[str]) -> dict[str, list[TreeEntry]]:
        """Some folders of ``commit``'s tree -> their entries (absent folders left out; do not mutate).

        From the whole listing when it is known, else by one ``cat-file --batch`` of just
        these trees: reading or writing a few files costs the same at any size of plan.
        """
        wanted = list(dict.fromkeys(folders))
        full = self._listings.get(commit)
        if full is not None:
            return {f: full[f] for f in wanted if f in full}
        known = self._partial.get(commit)
        if known is None:
            known = self._partial[commit] = {}
            while len(self._partial) > _LISTINGS_KEPT:
                self._partial.pop(next(iter(self._partial)))
        missing = [f for f in wanted if f not in known]
        if missing:
            found = self.repo.folder_listings(commit, missing)
            for f in missing:
                known[f] = found.get(f)
        return {f: entries for f in wanted if (entries := known[f]) is not None}

    def _remember_blobs(self, blobs: dict[str, bytes]) -> None:
        """Keep the bytes of blobs this process just committed, so re-reading them costs no git call."""
        if len(self._written) + len(blobs) > _WRITTEN_KEPT:
            self._written.clear()
        self._written.update(blobs)

    def _remember_task(self, data: bytes, task: Task) -> None:
        """Record the parsed task of a blob this process just committed (saves parsing it again).

        ``task`` must be exactly what ``data`` parses to; it is handed to shared readers as is.
        """
        oid = self.repo.blob_id(data)
        self._objects[oid] = task
        if oid not in self._plain:
            self._plain[oid] = task_to_plain(task)
            self._save_entries([oid], keep=None)

    def parsed_task(self, path: str, oid: str, data: bytes) -> Task:
        """The task a task file's blob holds, through the parsed-blob cache (a fresh object).

        Raises:
            CodecError: a broken file, naming file and line.
        """
        plain = self._plain.get(oid)
        if plain is None:
            self._load_entries([oid])
            plain = self._plain.get(oid)
        if plain is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError, IndexError, AttributeError, CodecError):
                return task_from_plain(plain)
        task = load_task(decode(data, path), path)
        self._plain[oid] = task_to_plain(task)
        self._save_entries([oid], keep=None)
        return task

    def snapshot_at(
        self, commit: str, year: int | None = None, *, shared: bool = False, tasks: Iterable[int] | None = None
    ) -> Snapshot:
        """The plan at one commit id (``tasks``: only those task files, see :meth:`snapshot`).

        Raises:
            CodecError: a broken file, naming file and line.
        """
        with _gc_paused():
            return self._snapshot_at(commit, year, shared=shared, tasks=tasks)

    def _snapshot_at(
        self, commit: str, year: int | None, *, shared: bool, tasks: Iterable[int] | None
    ) -> Snapshot:
        wanted = None if tasks is None else set(tasks)
        listing = self.tree_listing(commit) if wanted is None else self._task_folders(commit, wanted)
        blobs: dict[str, str] = {}
        selected: dict[str, str] = {}  # the files this snapshot parses
        task_oids: set[str] = set()
        for folder, items in listing.items():
            if folder == TASKS_DIR.rstrip("/") or folder.startswith(TASKS_DIR):
                rel_folder = folder[len(TASKS_DIR) :]
                for e in items:
                    if e.kind != "blob":
                        continue
                    rel = f"{rel_folder}/{e.path}" if rel_folder else e.path
                    blobs[rel] = e.oid
                    number = task_number_from_path(rel)
                    if number is None:
                        selected[rel] = e.oid
                    elif wanted is None or number in wanted:
                        selected[rel] = e.oid
                        task_oids.add(e.oid)
        missing_tasks = [o for o in task_oids if o not in self._plain and not (shared and o in self._objects)]
        if missing_tasks:
            self._load_entries(missing_tasks)
        needed = [o for o in task_oids if o not in self._plain and not (shared and o in self._objects)]
        small = [o for rel, o in selected.items() if o not in task_oids and o not in self._raw]
        if small:
            self._load_raw(small)
        needed += [o for o in small if o not in self._raw]
        data = self.blob_bytes(needed) if needed else {}
        if tasks is None or data:
            self._recent = data
        for oid in selected.values():
            if oid not in task_oids and oid in data and len(data[oid]) < 1_000_000:
                self._raw[oid] = data[oid]
                self._save_raw(oid, data[oid])
        files = {rel: data.get(oid) or self._raw.get(oid, b"") for rel, oid in selected.items()}
        new_entries: list[str] = []

        def parse(path: str, raw: bytes) -> Task:
            oid = blobs[path[len(TASKS_DIR) :]]
            if shared and oid in self._objects:
                return self._objects[oid]
            plain = self._plain.get(oid)
            task = None
            if plain is not None:
                try:
                    task = task_from_plain(plain)
                except (KeyError, TypeError, ValueError, IndexError, AttributeError, CodecError):
                    # never trust a damaged entry: parse the blob instead
                    self._plain.pop(oid, None)
                    raw = raw or self.blob_bytes([oid])[oid]
            if task is None:
                task = load_task(decode(raw, path), path)
                self._plain[oid] = task_to_plain(task)
                new_entries.append(oid)
            if shared:
                self._objects[oid] = task
            return task

        if shared:
            # The service's own reads: plan, units and operators parsed once per blob.
            meta = {rel: files.pop(rel) for rel in list(files) if rel in META_FILES}
            loaded = plan_from_files(files, prefix=TASKS_DIR, parse_task=parse)
            key = tuple(selected.get(rel) for rel in sorted(META_FILES))
            known = self._meta.get(key)
            if known is None:
                known = plan_from_files(meta, prefix=TASKS_DIR)
                self._meta = {key: known}
            loaded.plan.info, loaded.registry, loaded.operators_text = (
                known.plan.info, known.registry, known.operators_text
            )
        else:
            loaded = plan_from_files(files, prefix=TASKS_DIR, parse_task=parse)
        if new_entries:
            self._save_entries(new_entries, keep=set(blobs.values()) if year is not None and tasks is None else None)
        return Snapshot(commit, year, blobs, loaded, listing, partial=tasks is not None)

    def _task_folders(self, commit: str, wanted: set[int]) -> dict[str, list[TreeEntry]]:
        """The folders of ``commit`` that hold the ``wanted`` task files (and plan, units, operators).

        ``tasks/`` and the folder of 100 a task's number puts it in (``tasks/095/`` for 9536,
        where the writer puts it); the whole tree only when a wanted task is in neither and
        ``tasks/`` has other folders it could be in.
        """
        top = TASKS_DIR.rstrip("/")
        full = self._listings.get(commit)
        if full is not None:
            return full
        found = self.folders(commit, [top, *(f"{top}/{n // 100:03d}" for n in sorted(wanted))])
        seen: set[int] = set()
        for folder, items in found.items():
            rel_folder = folder[len(TASKS_DIR) :]
            for e in items:
                number = task_number_from_path(f"{rel_folder}/{e.path}" if rel_folder else e.path)
                if e.kind == "blob" and number is not None:
                    seen.add(number)
        unread = [e.path for e in found.get(top, []) if e.kind == "tree" and f"{top}/{e.path}" not in found]
        if wanted - seen and unread:
            return self.tree_listing(commit)
        return found

    def task_numbers(self, commit: str) -> list[int]:
        """Every task number ``commit`` has a file for, in order (lists the whole tree)."""
        numbers = set()
        for folder, items in self.tree_listing(commit).items():
            if folder == TASKS_DIR.rstrip("/") or folder.startswith(TASKS_DIR):
                rel_folder = folder[len(TASKS_DIR) :]
                for e in items:
                    number = task_number_from_path(f"{rel_folder}/{e.path}" if rel_folder else e.path)
                    if e.kind == "blob" and number is not None:
                        numbers.add(number)
        return sorted(numbers)

    def read_files(self, commit: str, paths: Iterable[str]) -> dict[str, bytes]:
        """Bytes of ``tasks/``-relative files at ``commit`` (missing ones left out)."""
        wanted = list(paths)
        entries = self.repo.ls_tree(commit, TASKS_DIR.rstrip("/"))
        by_path = {e.path[len(TASKS_DIR) :]: e.oid for e in entries if e.kind == "blob"}
        oids = {p: by_path[p] for p in wanted if p in by_path}
        data = self.repo.cat_blobs(oids.values())
        return {p: data[oid] for p, oid in oids.items()}

    def operators(self, year: int | None = None) -> dict[str, Operator]:
        """``{login: Operator}`` from the plan's ``tasks/operators.toml`` (no task file is read)."""
        return self.snapshot(year, tasks=()).operators()

    def operator(self, login: str | None = None, year: int | None = None) -> Operator:
        """The operator record of ``login`` (default: the current login); guest when unlisted."""
        return operator_for(login or current_login(), self.operators(year))

    def fsck(self) -> tuple[bool, str]:
        """``git fsck --full`` of the store: (clean, git's output)."""
        return self.repo.fsck()

    # ---------------------------------------------------------------- the one door for writes

    def commit(
        self,
        year: int,
        base: str | None,
        files: Mapping[str, bytes | None],
        message: str,
        author: tuple[str, str],
        *,
        merge_parent: str | None = None,
        parsed: Mapping[str, Task] | None = None,
        lock: int | None = None,
    ) -> str | None:
        """Commit ``files`` on ``plan/YEAR`` on top of ``base``: the only place a commit is made.

        ``files`` maps repository paths (``tasks/05.toml``) to their new bytes (None:
        delete); everything else is ``base``'s tree. ``base`` None: the first commit of
        a new plan, whose branch must not exist yet. ``merge_parent``: a second parent
        (a sync merge). ``parsed``: what new task files parse to, kept so the next read
        parses nothing. ``lock``: the writer lock's descriptor when the caller holds it.

        Objects are written first; then the branch moves only if it still points at
        ``base`` (compare-and-swap); a work tree with the branch checked out follows,
        and the caches learn the new tree, blobs and tasks.

        Returns:
            The new commit id, or None when the branch moved meanwhile (build the
            change again on the new tip) or, for a new plan, exists already.

        Raises:
            HandEdits: the work tree has uncommitted edits to one of ``files``.
            ValueError: a path that is not a plain repository path.
        """
        full = base is None or base in self._listings
        if full:
            listing = self._listings[base] if base else {}
        else:
            assert base is not None
            # only the folders on the changed paths: a commit costs the same at any size of plan
            on_paths = {""} | {p.rsplit("/", 1)[0] if "/" in p else "" for p in files}
            for folder in list(on_paths):
                while "/" in folder:
                    folder = folder.rsplit("/", 1)[0]
                    on_paths.add(folder)
            listing = self.folders(base, sorted(on_paths))
        tree, new_listing, written = self.repo.tree_with_listing(base, files, listing)
        parents = [p for p in (base, merge_parent) if p]
        # signed with the store's key when this account is the writer (tracker/signing.py)
        commit = self.repo.commit_tree(tree, parents, message, author=author, signing_key=usable_key(self.repo.git_dir))
        gone = [p for p, data in files.items() if data is None]
        if not self._move(branch_ref(year), base, commit, list(files), lock, gone):
            return None
        if full:
            self._remember_listing(commit, new_listing)
        else:
            self._partial[commit] = {f: new_listing.get(f) for f in sorted(on_paths)}
        if base is None:
            self._years = None
        self._remember_blobs(written)
        for path, task in (parsed or {}).items():
            data = files.get(path)
            if data is not None:
                self._remember_task(data, task)
        from tracker.plan_index import TASKS_TREE, after_commit

        tasks_tree = next((e.oid for e in new_listing.get("", []) if e.path == TASKS_TREE and e.kind == "tree"), None)
        after_commit(self, year, base, commit, tasks_tree, files, parsed)
        if base is not None and merge_parent is None:
            self._record_events(base, commit, files)
        return commit

    def _record_events(self, base: str, commit: str, files: Mapping[str, bytes | None]) -> None:
        """Teach the history record (when there is one) which task files this commit changed.

        Its events are left for the first history walk that asks for one of those files:
        working them out here parsed each file twice, 28 of the 50 ms of CPU an update
        cost in the service at S (profiled), on every save, for a history few will open.
        """
        from tracker.history.event_record import record_commit, record_path
        from tracker.history.events import is_task_path

        paths = [p for p in files if is_task_path(p)]
        if not paths or not self.writes_cache or not record_path(self.repo.git_dir).is_file():
            return
        with contextlib.suppress(Exception):  # never fail a commit that is made: the walk works it out
            record_commit(self.repo.git_dir, base, commit, None, paths, self.parsed_toml)

    def advance(self, year: int, old: str, new: str, *, lock: int | None = None) -> bool:
        """Move ``plan/YEAR`` from ``old`` to the existing commit ``new`` (a fast-forward).

        A checked-out work tree follows as after any commit. False: the branch
        moved meanwhile. ``lock``: the writer lock's descriptor when the caller holds it.

        Raises:
            HandEdits: uncommitted edits to a file the move would change.
        """
        return self._move(branch_ref(year), old, new, changed_paths(self.repo, old, new), lock, None)

    def _move(
        self, ref: str, old: str | None, new: str, paths: list[str], held: int | None, gone: list[str] | None
    ) -> bool:
        """CAS ``ref`` from ``old`` to ``new``; keep a checked-out work tree in step. False: lost the race."""
        if held is not None:
            return self._move_locked(ref, old, new, paths, held, gone)
        with self.repo.writer_lock() as fd:
            return self._move_locked(ref, old, new, paths, fd, gone)

    def _move_locked(
        self, ref: str, old: str | None, new: str, paths: list[str], fd: int, gone: list[str] | None
    ) -> bool:
        repo = self.repo
        published = published_tips(repo).get(ref)
        if published is not None and published != old:
            if repo.rev_parse(ref) != old:
                return False  # the tip moved meanwhile: build again on the new one
            problem = check_branch(repo, ref, old, {ref: published})
            if problem is not None:
                raise Rewound(problem)
        checked_out = not repo.bare and repo.head_ref() == ref
        journal = repo.git_dir / JOURNAL
        if checked_out:
            self._recover_work_tree(fd)
            expected = {p: self._blob_at(old, p) for p in paths}
            dirty = repo.dirty_paths(expected)
            if dirty:
                if repo.rev_parse(ref) != old:
                    return False  # the tip moved: judge the files against the new tip
                raise HandEdits(dirty)
            write_atomic(journal, json.dumps({"ref": ref, "old": old, "new": new, "paths": paths}).encode(),
                         repo.git_dir)
        moved = repo.update_ref(ref, new, old, pass_fds=(fd,))
        if moved:
            record(repo, ref, new)
        if checked_out:
            if moved:
                if _fault is not None:
                    _fault("ref-moved")
                repo.checkout_paths(new, paths, pass_fds=(fd,), gone=gone)
            with contextlib.suppress(FileNotFoundError):
                journal.unlink()
        return moved

    def _blob_at(self, commit: str | None, path: str) -> str | None:
        """The blob id of a repository path in ``commit`` (None: absent, or no commit)."""
        if commit is None:
            return None
        folder, _, name = path.rpartition("/")
        for entry in self.folders(commit, [folder]).get(folder, []):
            if entry.path == name and entry.kind == "blob":
                return entry.oid
        return None

    def _recover_work_tree(self, fd: int) -> None:
        """Finish the work-tree update of a writer killed between ref move and checkout.

        Each path the journal names is brought to the new commit unless a person
        edited it since: its index entry is the old or the new blob, and its file
        is the old blob, the new blob, or what a killed ``git checkout`` leaves of
        the new one (missing, or a prefix of it). The other paths keep their files
        (their index follows the branch, so ``git diff`` shows what committing them
        would undo), and the next write touching them reports them as hand edits.
        """
        repo = self.repo
        journal = repo.git_dir / JOURNAL
        try:
            data = json.loads(journal.read_bytes())
        except (OSError, ValueError):
            return
        if repo.rev_parse(data["ref"]) == data["new"]:
            old, new, paths = data["old"], data["new"], list(data["paths"])
            before = {p: self._blob_at(old, p) for p in paths}
            after = {p: self._blob_at(new, p) for p in paths}
            index = repo.index_entries(paths)
            new_bytes = repo.cat_blobs(o for o in after.values() if o)
            ours = [
                p for p in paths
                if index.get(p) in (before[p], after[p])
                and self._left_by_writer(p, before[p], after[p], new_bytes.get(after[p] or ""))
            ]
            if ours:
                repo.checkout_paths(new, ours, pass_fds=(fd,), gone=[p for p in ours if after[p] is None])
            # A person's edit stays in the file; the index follows the branch, so that
            # `git diff` shows what committing the file would change against the new tip.
            behind = [p for p in paths if p not in ours and index.get(p) == before[p] != after[p]]
            if behind:
                repo.run("reset", "-q", new, "--", *behind, pass_fds=(fd,))
        with contextlib.suppress(FileNotFoundError):
            journal.unlink()

    def _left_by_writer(self, path: str, old: str | None, new: str | None, new_data: bytes | None) -> bool:
        """Whether the work-tree file is in a state the killed writer's update can leave it in."""
        assert self.repo.work_tree is not None
        try:
            data = (self.repo.work_tree / path).read_bytes()
        except FileNotFoundError:
            return True  # not yet written, or removed by the update
        except OSError:
            return False
        oid = self.repo.blob_id(data)
        if oid in (old, new):
            return True
        # git writes a file after unlinking it: a kill mid-write leaves a prefix of the new one.
        return new_data is not None and new_data.startswith(data)

    # ---------------------------------------------------------------- disk cache
    # GITDIR/tracker-cache/v3/tasks/ab/cdef....json: one parsed task per blob id;
    # GITDIR/tracker-cache/v3/toml/ab/cdef....json: one parsed TOML file (history's versions);
    # GITDIR/tracker-cache/v3/raw/ab/cdef...: the bytes of a small non-task file.
    # Why JSON and not pickle or marshal: unpickling a planted file runs its author's
    # code in the reader's process (marshal is documented as unsafe for untrusted
    # input too); a JSON entry can only ever become data. Only the store's writer
    # writes here (tracker/cache_owner.py): any other account believes an entry only
    # when the writer owns it and its folders and nobody else may write them, and it
    # never writes one. Every entry names its blob id, checked on reading (a raw entry
    # is hashed, so it cannot lie at all), and anything odd is parsed from the blob
    # instead (and rewritten, when this is the writer). Entries are written by rename
    # (a reader never sees half a file) and only for blobs that were parsed, so a
    # commit writes one small file.

    @property
    def writes_cache(self) -> bool:
        """Whether this process is the store's writer, the only one that writes ``tracker-cache/``."""
        if self._writer is None:
            self._writer = is_writer(self.repo.git_dir)
        return self._writer

    def _entry_path(self, kind: str, oid: str) -> Path:
        return self.repo.git_dir / CACHE_DIR / f"v{CACHE_VERSION}" / kind / oid[:2] / oid[2:]

    def _read_entry(self, kind: str, oid: str) -> Any:
        """The JSON of a trusted entry that names ``oid``, else None."""
        raw = read_trusted(self._entry_path(kind, oid), self.repo.git_dir, self._trusted_folders)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("v") == CACHE_VERSION and data.get("oid") == oid:
            return data
        return None

    def _load_entries(self, oids: Iterable[str]) -> None:
        for oid in oids:
            data = self._read_entry("tasks", oid)
            if data is not None and isinstance(data.get("task"), dict):
                self._plain[oid] = data["task"]

    def _save_entries(self, oids: list[str], keep: set[str] | None) -> None:
        if not self.writes_cache:
            return  # a reader works from memory and leaves nothing behind
        for oid in oids:
            payload = {"v": CACHE_VERSION, "oid": oid, "task": self._plain[oid]}
            write_entry(self._entry_path("tasks", oid), json.dumps(payload, ensure_ascii=False).encode(),
                        self.repo.git_dir)
        import random  # here: a command that saves nothing does not import it

        if keep is not None and random.random() < _PRUNE_CHANCE:
            with contextlib.suppress(OSError):
                self._prune(keep)

    def _prune(self, keep: set[str]) -> None:
        """Drop old entries the plan read now does not use (other plans' entries come back on demand)."""
        root = self.repo.git_dir / CACHE_DIR / f"v{CACHE_VERSION}" / "tasks"
        cutoff = time.time() - _PRUNE_AGE
        for folder in root.iterdir():
            for entry in folder.iterdir():
                if folder.name + entry.name not in keep and entry.stat().st_mtime < cutoff:
                    with contextlib.suppress(OSError):
                        entry.unlink()

    def parsed_toml(self, data: bytes) -> dict[str, Any] | None:
        """A TOML file's data (``tomllib``), through the parsed-blob cache keyed by its blob id.

        History reads the same versions of a task file on every run; each is parsed once,
        ever. Raises ValueError for a broken file (as :func:`tracker.history.parse_bytes`).
        """
        from tracker.history.diffing import parse_bytes
        from tracker.plain_task import toml_from_plain, toml_to_plain

        oid = self.repo.blob_id(data)
        entry = self._read_entry("toml", oid)
        if entry is not None:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                found = toml_from_plain(entry["data"])
                if isinstance(found, dict):
                    return found
        parsed = parse_bytes(data)
        plain = toml_to_plain(parsed)
        if plain is not None and self.writes_cache:
            payload = {"v": CACHE_VERSION, "oid": oid, "data": plain}
            write_entry(self._entry_path("toml", oid), json.dumps(payload, ensure_ascii=False).encode(),
                        self.repo.git_dir)
        return parsed

    def _load_raw(self, oids: Iterable[str]) -> None:
        for oid in oids:
            data = read_trusted(self._entry_path("raw", oid), self.repo.git_dir, self._trusted_folders)
            if data is not None and self.repo.blob_id(data) == oid:
                self._raw[oid] = data

    def _save_raw(self, oid: str, data: bytes) -> None:
        if self.writes_cache:
            write_entry(self._entry_path("raw", oid), data, self.repo.git_dir)


# -------------------------------------------------------------------- store resolution


def default_store_path() -> Path:
    """Where the default store lives: ``<user data dir>/zwgk-tracker/store``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("zwgk-tracker", appauthor=False)) / "store"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Load a plan with the cyclic collector off, then freeze what was loaded.

    Loading makes millions of small objects that all survive; the collector
    would scan them again and again (over half of a 10,000-task load, measured).
    Merely pausing it is not enough: when it comes back, everything allocated
    meanwhile sits in the youngest generation and the next allocation pays one
    collection over all of it (0.57 s of ``show`` at L). ``gc.freeze()`` moves
    the loaded objects out of the collector's view instead; the model holds no
    reference cycles, so reference counting still frees them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()




__all__ = [
    "CodecError",
    "PLAN_FILE",
    "Snapshot",
    "HandEdits",
    "Store",
    "StoreError",
    "branch_ref",
    "default_store_path",
]
