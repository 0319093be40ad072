"""The only module that talks to git: read at a ref, write objects, move refs safely.

Objects (blobs, trees, commits) are written here in Python in git's own
format; everything else goes through the ``git`` command line (plumbing).
Why not GitPython, which the first design named: its command runner merges the
caller's whole environment (``GIT_DIR``, ``GIT_INDEX_FILE`` ... inherited from a
hook or a shell) into every git call, which the safety rules below forbid; its
``index.commit`` is 7-10x slower than plumbing; and importing it costs ~70 ms
per command over SSH. GitPython stays in the test suite as an independent
reader of what this module writes (tests/store/test_gitpython_crosscheck.py).

Safety rules (../shared/DESIGN.md):

- git always runs with hooks and fsmonitor off (``-c core.hooksPath=/dev/null
  -c core.fsmonitor=false``), replace refs ignored, and a clean environment
  (no inherited ``GIT_*`` variables). User data never goes into options: paths
  come after ``--``, values through stdin or the environment.
- A ref moves only by compare-and-swap (``update-ref`` with the old value).
- Writers of one store serialise the short "move the ref, update the working
  tree" step with an ``flock`` held by the writer *and* its git children, so a
  lock file git left behind when a writer was killed is known to be stale
  (a side file says a writer was inside) and is removed; a lock of a live
  foreign git process is waited for briefly, then reported.
"""

from __future__ import annotations

import contextlib
import fcntl
import grp
import hashlib
import os
import random
import re
import subprocess
import tempfile
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ZERO_OID = "0" * 40
SAFE_CONFIG = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "core.untrackedCache=false",
    "-c", "gc.auto=0",
)
LOCK_WAIT_SECONDS = 5.0
# A git lock file of a process that is not a tracker writer is taken for stale
# after this long (git holds ref and index locks for milliseconds).
FOREIGN_LOCK_STALE_SECONDS = 30.0
_HEX = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


class GitError(RuntimeError):
    """A git command failed; ``stderr`` holds git's own words."""

    def __init__(self, args: Iterable[str], returncode: int, stderr: str) -> None:
        self.args_list = list(args)
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f"git {' '.join(self.args_list[:2])} 失败: {self.stderr or returncode}")


class LockBusy(RuntimeError):
    """Another writer holds the store for longer than we wait."""


class NotARepository(RuntimeError):
    """The path is not a git repository (or not one we may use)."""


@dataclass(frozen=True)
class TreeEntry:
    """One line of ``git ls-tree``."""

    mode: str
    kind: str  # "blob" | "tree" | "commit"
    oid: str
    path: str


def _git_keeps_utf8(text: str) -> bool:
    """False when git would rewrite ``text`` in a commit (commit.c ``find_invalid_utf8``).

    git re-encodes a commit whose bytes it takes for invalid UTF-8: surrogates,
    the noncharacters U+xxFFFE/U+xxFFFF and U+FDD0..U+FDEF. Such a commit is
    left to git so that the id stays the one git itself would write.
    """
    for ch in text:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF or (cp & 0xFFFE) == 0xFFFE or 0xFDD0 <= cp <= 0xFDEF:
            return False
    return True


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def _format_from_config(git_dir: Path) -> str | None:
    """The object format the repository's own config declares, or None when it cannot tell.

    ``extensions.objectFormat`` lives only in the repository's config (git
    refuses it elsewhere); a config with includes is left to git.
    """
    try:
        text = (git_dir / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if re.search(r"^\s*\[\s*include", text, re.IGNORECASE | re.MULTILINE):
        return None
    found = re.search(r"^\s*objectformat\s*=\s*\"?(\w+)", text, re.IGNORECASE | re.MULTILINE)
    if found is None:
        return "sha1"
    value = found.group(1).lower()
    return value if value in ("sha1", "sha256") else None


def find_repository(start: Path) -> tuple[Path, Path | None] | None:
    """The (git dir, work tree) of the repository holding ``start``, or None.

    Pure filesystem walk: no git process, so it works (and stays safe) in a
    directory another user owns.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir() and (dotgit / "HEAD").is_file():
            return dotgit, folder
        if (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir():
            return folder, None
    return None


class GitRepo:
    """A git repository (bare or not) driven through plumbing commands."""

    def __init__(self, git_dir: Path, work_tree: Path | None) -> None:
        self.git_dir = git_dir.resolve()
        self.work_tree = work_tree.resolve() if work_tree else None
        self._format: str | None = None
        self._plain: bool | None = None

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path) -> GitRepo:
        """Open the repository at ``path`` (its top folder or a bare repository).

        Raises:
            NotARepository: not a repository, or owned by another user and not
                shared with a group this account belongs to.
        """
        path = Path(path).expanduser()
        if (path / ".git").is_dir() and (path / ".git" / "HEAD").is_file():
            repo = cls(path / ".git", path)
        elif (path / "HEAD").is_file() and (path / "objects").is_dir():
            repo = cls(path, None)
        else:
            raise NotARepository(f"{path} 不是 git 仓库")
        repo._check_owner()
        return repo

    def _check_owner(self) -> None:
        st = self.git_dir.stat()
        if st.st_uid == os.geteuid() or os.geteuid() == 0:
            return
        if st.st_gid in os.getgroups() and st.st_mode & 0o020:
            return
        raise NotARepository(
            f"{self.top} 属于其他用户,且没有共享给你所在的组(请管理员用 tracker init --shared 组名 建库)"
        )

    @property
    def top(self) -> Path:
        """The folder a user names: the work tree, or the bare repository."""
        return self.work_tree or self.git_dir

    @property
    def bare(self) -> bool:
        return self.work_tree is None

    # ------------------------------------------------------------ running

    def base_args(self) -> list[str]:
        args = ["git", *SAFE_CONFIG, "-c", f"safe.directory={self.top}", f"--git-dir={self.git_dir}"]
        if self.work_tree is not None:
            args.append(f"--work-tree={self.work_tree}")
        return args

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        pass_fds: tuple[int, ...] = (),
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``git ARGS`` in this repository and return the completed process.

        Raises:
            GitError: when ``check`` and git exits non-zero.
        """
        proc = subprocess.run(
            [*self.base_args(), *args],
            input=input,
            capture_output=True,
            env=_clean_env(env),
            cwd=self.top,
            pass_fds=pass_fds,
            check=False,
        )
        if check and proc.returncode != 0:
            raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
        return proc

    def out(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        """stdout of ``git ARGS`` as text, trailing newline removed."""
        return self.run(*args, input=input, env=env).stdout.decode("utf-8").rstrip("\n")

    # ------------------------------------------------------------ reading

    def rev_parse(self, rev: str) -> str | None:
        """The commit id ``rev`` names, or None when it names nothing."""
        if not rev or rev.startswith("-") or "\0" in rev:
            return None
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        oid = proc.stdout.decode().strip()
        return oid if proc.returncode == 0 and _HEX.match(oid) else None

    def commit_before(self, rev: str, when: str) -> str | None:
        """The newest first-parent commit of ``rev`` made before ``when`` (a date)."""
        if rev.startswith("-") or when.startswith("-"):
            return None
        tip = self.rev_parse(rev)
        if tip is None:
            return None
        proc = self.run("rev-list", "-1", "--first-parent", "--before", when, tip, check=False)
        oid = proc.stdout.decode().strip()
        return oid if proc.returncode == 0 and _HEX.match(oid) else None

    def refs(self, prefix: str) -> dict[str, str]:
        """``{refname: commit id}`` for refs under ``prefix`` (e.g. ``refs/heads/plan/``)."""
        text = self.out("for-each-ref", "--format=%(objectname) %(refname)", prefix)
        result: dict[str, str] = {}
        for line in text.splitlines():
            oid, _, name = line.partition(" ")
            result[name] = oid
        return result

    def head_ref(self) -> str | None:
        """The branch HEAD points to (``refs/heads/...``), or None when detached."""
        try:
            text = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except OSError:
            text = ""
        if text.startswith("ref: "):
            return text[5:].strip()
        if _HEX.match(text):
            return None
        proc = self.run("symbolic-ref", "-q", "HEAD", check=False)
        return proc.stdout.decode().strip() or None

    def ls_tree(self, commit: str, path: str = "", recursive: bool = True, trees: bool = False) -> list[TreeEntry]:
        """Entries of ``commit``'s tree under ``path`` (full paths, ``/``-separated)."""
        args = ["ls-tree", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
        if trees:
            args.append("-t")
        args.append(commit)
        if path:
            args += ["--", path]
        raw = self.run(*args).stdout
        entries = []
        for record in raw.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, kind, oid = meta.decode().split(" ")
            entries.append(TreeEntry(mode, kind, oid, name.decode("utf-8", "surrogateescape")))
        return entries

    def cat_blobs(self, oids: Iterable[str]) -> dict[str, bytes]:
        """Contents of many objects by one ``git cat-file --batch``."""
        wanted = list(dict.fromkeys(oids))
        if not wanted:
            return {}
        raw = self.run("cat-file", "--batch", input=("\n".join(wanted) + "\n").encode()).stdout
        result: dict[str, bytes] = {}
        pos = 0
        for oid in wanted:
            end = raw.index(b"\n", pos)
            header = raw[pos:end].decode().split(" ")
            if len(header) < 3 or header[1] == "missing":
                raise GitError(["cat-file", oid], 1, f"对象缺失: {oid}")
            size = int(header[2])
            result[oid] = raw[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return result

    def read_file(self, commit: str, path: str) -> bytes | None:
        """One file's bytes at ``commit``, or None when it does not exist there."""
        entries = [e for e in self.ls_tree(commit, path, recursive=False) if e.path == path]
        if not entries or entries[0].kind != "blob":
            return None
        return self.cat_blobs([entries[0].oid])[entries[0].oid]

    def object_format(self) -> str:
        """``sha1`` or ``sha256`` (read from the repository's config file; git only when unsure)."""
        if self._format is None:
            self._format = _format_from_config(self.git_dir)
            if self._format is None:
                proc = self.run("rev-parse", "--show-object-format", check=False)
                self._format = proc.stdout.decode().strip() or "sha1"
        return self._format

    def blob_id(self, data: bytes) -> str:
        """The id git gives ``data`` as a blob, computed without a process."""
        algo = hashlib.sha256 if self.object_format() == "sha256" else hashlib.sha1
        return algo(b"blob %d\0" % len(data) + data).hexdigest()

    # ------------------------------------------------------------ writing objects

    def write_blobs(self, blobs: Iterable[bytes]) -> list[str]:
        """Store blobs (no filters applied) and return their ids, in order."""
        items = list(blobs)
        if not items:
            return []
        if len(items) == 1:
            return [self.out("hash-object", "-w", "--no-filters", "--stdin", input=items[0])]
        with tempfile.TemporaryDirectory(prefix="tracker-blobs-") as tmp:
            names = []
            for i, data in enumerate(items):
                name = os.path.join(tmp, f"{i}")
                with open(name, "wb") as fh:
                    fh.write(data)
                names.append(name)
            out = self.out("hash-object", "-w", "--no-filters", "--stdin-paths", input=("\n".join(names) + "\n").encode())
        return out.split("\n")

    def make_tree(self, entries: Iterable[TreeEntry]) -> str:
        """``git mktree`` from entries whose ``path`` is a plain name."""
        lines = []
        for e in sorted(entries, key=lambda e: e.path):
            if "/" in e.path or not e.path or "\0" in e.path:
                raise ValueError(f"非法文件名: {e.path!r}")
            lines.append(f"{e.mode} {e.kind} {e.oid}\t{e.path}".encode())
        return self.out("mktree", "-z", input=b"\0".join(lines) + (b"\0" if lines else b""))

    def tree_with(
        self,
        base_tree: str | None,
        files: Mapping[str, bytes | None],
        listing: Mapping[str, list[TreeEntry]] | None = None,
    ) -> str:
        """A new tree: ``base_tree`` with ``files`` (path -> bytes, None = delete) written in.

        Only the folders on the changed paths are rebuilt. ``listing`` (folder
        -> its entries, from :meth:`tree_listing` of the same tree) saves
        listing them again.
        """
        return self.tree_with_listing(base_tree, files, listing)[0]

    def tree_with_listing(
        self,
        base_tree: str | None,
        files: Mapping[str, bytes | None],
        listing: Mapping[str, list[TreeEntry]] | None = None,
    ) -> tuple[str, dict[str, list[TreeEntry]], dict[str, bytes]]:
        """Like :meth:`tree_with`, also giving the new tree's listing and ``{blob id: bytes}`` written.

        Blobs and trees are written as loose objects by this process (no git
        child): the object format is git's own (``TYPE SIZE\\0`` + data, hashed,
        zlib-compressed), each file written to a temporary name and renamed
        into place, so a killed writer leaves no partial object, and every
        object exists before the ref that names it can move.
        """
        for path in files:
            parts = path.split("/")
            if any(part in ("", ".", "..", ".git") or "\0" in part or "\n" in part for part in parts):
                raise ValueError(f"非法路径: {path!r}")
        writer = _ObjectWriter(self)
        written: dict[str, bytes] = {}
        changes: dict[str, str | None] = {}
        for p, data in files.items():
            if data is None:
                changes[p] = None
            else:
                oid = writer.write(b"blob", data)
                written[oid] = data
                changes[p] = oid
        if listing is None:
            listing = self.tree_listing(base_tree) if base_tree else {}
        new_listing = dict(listing)
        new_listing.setdefault("", [])
        root = self._rebuild(writer, new_listing, "", changes)
        writer.finish()
        return root, new_listing, written

    def tree_listing(self, tree: str) -> dict[str, list[TreeEntry]]:
        """Every folder of ``tree`` (``""`` for the top) -> its entries, by one ``ls-tree -r -t``."""
        folders: dict[str, list[TreeEntry]] = {"": []}
        for e in self.ls_tree(tree, recursive=True, trees=True):
            parent, _, name = e.path.rpartition("/")
            folders.setdefault(parent, []).append(TreeEntry(e.mode, e.kind, e.oid, name))
            if e.kind == "tree":
                folders.setdefault(e.path, [])
        return folders

    def _rebuild(
        self, writer: _ObjectWriter, listing: dict[str, list[TreeEntry]], folder: str,
        changes: Mapping[str, str | None],
    ) -> str:
        current = {e.path: e for e in listing.get(folder, [])}
        subdirs: dict[str, dict[str, str | None]] = {}
        for path, oid in changes.items():
            head, sep, rest = path.partition("/")
            if sep:
                subdirs.setdefault(head, {})[rest] = oid
            elif oid is None:
                current.pop(head, None)
            else:
                current[head] = TreeEntry("100644", "blob", oid, head)
        for name, sub in subdirs.items():
            sub_folder = f"{folder}/{name}" if folder else name
            new_oid = self._rebuild(writer, listing, sub_folder, sub)
            if new_oid == self._empty_tree():
                current.pop(name, None)
                for key in [k for k in listing if k == sub_folder or k.startswith(sub_folder + "/")]:
                    del listing[key]
            else:
                current[name] = TreeEntry("040000", "tree", new_oid, name)
        entries = sorted(current.values(), key=_tree_order)
        listing[folder] = entries
        return writer.write(b"tree", b"".join(_tree_record(e) for e in entries))

    def _empty_tree(self) -> str:
        return "4b825dc642cb6eb9a060e54bf8d69288fbee4904" if self.object_format() == "sha1" else (
            "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"
        )

    def commit_tree(
        self, tree: str, parents: Iterable[str], message: str, *, author: tuple[str, str], when: str | None = None
    ) -> str:
        """Write a commit object, byte for byte what ``git commit-tree`` writes; return its id.

        Written as a loose object by this process (no git child) unless the
        config could make git write something else (``i18n.commitEncoding``,
        config includes) or ``when`` is not a plain ISO 8601 time with offset:
        then ``git commit-tree`` writes it.
        """
        parent_list = list(dict.fromkeys(parents))  # git drops a repeated parent too
        stamp = _git_stamp(when)
        if (
            stamp is None
            or "\0" in message  # git refuses a NUL: let it say so
            or not _git_keeps_utf8(message + author[0] + author[1])
            or not self._plain_commits()
        ):
            return self._git_commit_tree(tree, parent_list, message, author=author, when=when)
        ident = f"{_ident_clean(author[0])} <{_ident_clean(author[1])}> {stamp}"
        head = [f"tree {tree}"] + [f"parent {p}" for p in parent_list] + [f"author {ident}", f"committer {ident}"]
        for oid in [tree, *parent_list]:
            if not _HEX.match(oid):
                raise ValueError(f"bad object id {oid!r}")
        data = ("\n".join(head) + "\n\n").encode("utf-8", "surrogateescape") + message.encode("utf-8")
        writer = _ObjectWriter(self)
        oid = writer.write(b"commit", data)
        writer.finish()
        return oid

    def _plain_commits(self) -> bool:
        """No config git reads could change a commit object's bytes (checked once per repo object)."""
        if self._plain is None:
            home = Path(os.environ.get("HOME", "/nonexistent"))
            xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
            plain = True
            for file in (self.git_dir / "config", home / ".gitconfig", xdg / "git" / "config", Path("/etc/gitconfig")):
                try:
                    text = file.read_text(encoding="utf-8", errors="replace").lower()
                except OSError:
                    continue
                if "commitencoding" in text or re.search(r"^\s*\[\s*include", text, re.MULTILINE):
                    plain = False
            self._plain = plain
        return self._plain

    def _git_commit_tree(
        self, tree: str, parents: Iterable[str], message: str, *, author: tuple[str, str], when: str | None = None
    ) -> str:
        """``git commit-tree`` (message via stdin, identity via the environment)."""
        name, email = (_ident_clean(author[0]), _ident_clean(author[1]))
        env = {
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
        }
        if when:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.out(*args, input=message.encode("utf-8"), env=env)

    # ------------------------------------------------------------ moving refs

    def update_ref(self, ref: str, new: str, old: str | None, pass_fds: tuple[int, ...] = ()) -> bool:
        """Compare-and-swap ``ref`` from ``old`` (None: must not exist) to ``new``.

        Returns False when the ref no longer holds ``old`` (a lost race).

        Raises:
            GitError: when git fails for another reason (e.g. a lock held).
        """
        if not ref.startswith("refs/heads/") or not _HEX.match(new):
            raise ValueError(f"bad ref update {ref} {new}")
        line = f"update {ref} {new} {old or ZERO_OID}\n"
        proc = self.run("update-ref", "--stdin", "-m", "tracker", input=line.encode(), check=False, pass_fds=pass_fds)
        if proc.returncode == 0:
            return True
        current = self.rev_parse(ref)
        if current != old:
            return False
        raise GitError(["update-ref", ref], proc.returncode, proc.stderr.decode("utf-8", "replace"))

    # ------------------------------------------------------------ the writer lock

    @contextlib.contextmanager
    def writer_lock(self, timeout: float | None = None) -> Iterator[int]:
        """Serialise ref moves and work-tree updates among tracker writers.

        Yields the lock file descriptor; pass it to git children (``pass_fds``)
        so the lock lives as long as any of them. A side file marks that a
        writer is inside: finding it on entry means the last one died there,
        so the git lock files it may have left are removed.

        Raises:
            LockBusy: another writer kept the lock longer than ``timeout``.
        """
        folder = self.git_dir / "tracker-locks"
        _ensure_dir(folder, self.git_dir)
        lock_path = folder / "write.lock"
        fd = os.open(lock_path, os.O_RDONLY | os.O_CREAT, 0o666)
        _match_mode(lock_path, self.git_dir)
        timeout = LOCK_WAIT_SECONDS if timeout is None else timeout
        marker = folder / "inside"
        try:
            # Short random polls: a queue of busy writers must not starve one of
            # them. The wait is cut off only when nobody makes progress (the
            # marker names each new holder) for ``timeout`` seconds.
            deadline = time.monotonic() + timeout
            seen = _read_small(marker)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    now = _read_small(marker)
                    if now != seen:
                        seen, deadline = now, time.monotonic() + timeout
                    if time.monotonic() > deadline:
                        raise LockBusy(f"数据仓库正由另一个写入进程占用超过 {timeout:.0f} 秒,请稍后重试") from None
                    time.sleep(random.uniform(0.002, 0.02))
            if marker.exists():
                self._remove_git_locks(force=True, timeout=timeout)
            _write_atomic(marker, f"{os.getpid()} {time.time_ns()}\n".encode(), self.git_dir)
            self._remove_git_locks(force=False, timeout=timeout)
            try:
                yield fd
            finally:
                # Reached on errors too: only a killed writer leaves the marker behind.
                with contextlib.suppress(FileNotFoundError):
                    marker.unlink()
        finally:
            os.close(fd)

    def _git_lock_files(self) -> list[Path]:
        found = list((self.git_dir / "refs" / "heads").rglob("*.lock"))
        for name in ("HEAD.lock", "packed-refs.lock", "index.lock", "config.lock"):
            candidate = self.git_dir / name
            if candidate.exists():
                found.append(candidate)
        return found

    def _remove_git_locks(self, force: bool, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            locks = self._git_lock_files()
            now = time.time()
            busy = []
            for lock in locks:
                try:
                    age = now - lock.stat().st_mtime
                except FileNotFoundError:
                    continue
                if force or age > FOREIGN_LOCK_STALE_SECONDS:
                    with contextlib.suppress(FileNotFoundError):
                        lock.unlink()
                else:
                    busy.append(lock)
            if not busy:
                return
            if time.monotonic() > deadline:
                names = ", ".join(str(p.relative_to(self.git_dir)) for p in busy)
                raise LockBusy(f"另一个 git 进程正占用 {names},请稍后重试")
            time.sleep(delay)
            delay = min(delay * 2, 0.25)

    # ------------------------------------------------------------ work tree

    def index_entries(self, paths: Iterable[str]) -> dict[str, str]:
        """``{path: blob id}`` of the index for ``paths`` (absent paths left out)."""
        wanted = list(paths)
        if not wanted:
            return {}
        hash_len = 32 if self.object_format() == "sha256" else 20
        try:
            data = (self.git_dir / "index").read_bytes()
        except FileNotFoundError:
            return {}
        except OSError:
            data = b""
        found = _read_index(data, set(wanted), hash_len)
        if found is not None:
            return found
        raw = self.run("ls-files", "-s", "-z", "--", *wanted).stdout
        result: dict[str, str] = {}
        for record in raw.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.partition(b"\t")
            mode, oid, stage = meta.decode().split(" ")
            path = name.decode("utf-8", "surrogateescape")
            result[path] = oid if stage == "0" else "unmerged"
        return result

    def dirty_paths(self, paths: Mapping[str, str | None]) -> list[str]:
        """Paths whose index entry or work-tree file differs from the expected blob id."""
        assert self.work_tree is not None
        index = self.index_entries(paths)
        dirty = []
        for path, expected in paths.items():
            if index.get(path) != expected:
                dirty.append(path)
                continue
            file = self.work_tree / path
            if expected is None:
                if file.exists():
                    dirty.append(path)
                continue
            try:
                data = file.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                dirty.append(path)
                continue
            if self.blob_id(data) != expected:
                dirty.append(path)
        return dirty

    def checkout_paths(
        self, commit: str, paths: Iterable[str], pass_fds: tuple[int, ...] = (), gone: Iterable[str] | None = None
    ) -> None:
        """Bring index and work tree to ``commit`` for ``paths`` (deleted there: removed).

        ``gone``: the paths known to be deleted in ``commit`` (saves asking git).
        """
        wanted = list(paths)
        if gone is None:
            gone = [p for p in wanted if not self.read_file_exists(commit, p)]
        gone = list(gone)
        present = [p for p in wanted if p not in gone]
        if present:
            self.run("checkout", "-q", commit, "--", *present, pass_fds=pass_fds)
        if gone:
            self.run("rm", "-q", "--cached", "--ignore-unmatch", "--", *gone, pass_fds=pass_fds)
            for path in gone:
                assert self.work_tree is not None
                with contextlib.suppress(FileNotFoundError):
                    (self.work_tree / path).unlink()

    def read_file_exists(self, commit: str, path: str) -> bool:
        return any(e.path == path for e in self.ls_tree(commit, path, recursive=False))

    # ------------------------------------------------------------ checks

    def fsck(self) -> tuple[bool, str]:
        """``git fsck --full``: (clean, output)."""
        proc = self.run("fsck", "--full", "--no-progress", check=False)
        text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        return proc.returncode == 0, text


def _read_index(data: bytes, wanted: set[str], hash_len: int) -> dict[str, str] | None:
    """``{path: blob id | "unmerged"}`` for ``wanted`` from the bytes of ``.git/index``.

    Reads index versions 2-4 (git's ``read-cache.c`` layout) so that checking a
    few paths costs no git child. None when this reader cannot vouch for the
    answer (another version, a split or sparse index, a damaged file): the
    caller asks ``git ls-files`` instead.
    """
    import struct

    if len(data) < 12 + hash_len or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack_from(">II", data, 4)
    if version not in (2, 3, 4):
        return None
    targets = {p.encode("utf-8", "surrogateescape"): p for p in wanted}
    result: dict[str, str] = {}
    end = len(data) - hash_len
    pos = 12
    fixed = 40 + hash_len  # stat fields, then the object id, then 16 bits of flags
    previous = b""
    try:
        for _ in range(count):
            flags = int.from_bytes(data[pos + fixed : pos + fixed + 2], "big")
            name_at = pos + fixed + 2 + (2 if version >= 3 and flags & 0x4000 else 0)
            if version == 4:
                shift = name_at
                byte = data[shift]
                strip = byte & 0x7F
                while byte & 0x80:
                    shift += 1
                    byte = data[shift]
                    strip = ((strip + 1) << 7) | (byte & 0x7F)
                nul = data.index(b"\0", shift + 1)
                name = previous[: len(previous) - strip] + data[shift + 1 : nul]
                next_pos = nul + 1
            else:
                nul = data.index(b"\0", name_at)
                name = data[name_at:nul]
                next_pos = pos + ((name_at - pos + len(name) + 8) & ~7)  # NUL-padded to 8 bytes
            if next_pos > end:
                return None
            path = targets.get(name)
            if path is not None:
                stage = (flags >> 12) & 3
                result[path] = data[pos + 40 : pos + fixed].hex() if stage == 0 else "unmerged"
            previous, pos = name, next_pos
        while pos + 8 <= end:  # extensions: a split or sparse index keeps entries elsewhere
            signature, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "big")
            if signature in (b"link", b"sdir"):
                return None
            pos += 8 + size
    except (IndexError, ValueError):
        return None
    return result


def _tree_order(entry: TreeEntry) -> bytes:
    # git sorts tree entries by name as bytes, a folder as if its name ended in "/"
    name = entry.path.encode("utf-8", "surrogateescape")
    return name + b"/" if entry.kind == "tree" else name


def _tree_record(entry: TreeEntry) -> bytes:
    if not entry.path or "/" in entry.path or "\0" in entry.path:
        raise ValueError(f"非法文件名: {entry.path!r}")
    mode = entry.mode.lstrip("0").encode()  # a tree object says 40000, ls-tree shows 040000
    return mode + b" " + entry.path.encode("utf-8", "surrogateescape") + b"\0" + bytes.fromhex(entry.oid)


class _ObjectWriter:
    """Writes loose objects the way git does: compressed, to a temporary file, renamed into place.

    Durability follows the repository's own git settings: git does not fsync
    loose objects unless ``core.fsync`` / ``core.fsyncObjectFiles`` asks it to
    (a rename is visible to every process at once, so a kill -9 cannot lose an
    object; only a power cut could), and neither do we; when the config asks,
    every object and its folder are synced before :meth:`finish` returns,
    i.e. before any ref can name them.
    """

    def __init__(self, repo: GitRepo) -> None:
        import zlib

        self._compress = zlib.compress
        self.repo = repo
        self.objects = repo.git_dir / "objects"
        self.algo = hashlib.sha256 if repo.object_format() == "sha256" else hashlib.sha1
        self.sync = _fsync_objects(repo.git_dir)
        self.shared = _shared(repo.git_dir)
        self._to_sync: list[Path] = []

    def write(self, kind: bytes, data: bytes) -> str:
        raw = b"%s %d\0" % (kind, len(data)) + data
        oid = self.algo(raw).hexdigest()
        folder = self.objects / oid[:2]
        path = folder / oid[2:]
        if path.exists():
            return oid
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            if self.shared:
                with contextlib.suppress(PermissionError):
                    os.chmod(folder, 0o2775)
            if self.sync:
                self._to_sync.append(self.objects)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="tmp_obj_")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._compress(raw, 1))  # git's core.looseCompression default
                if self.sync:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        if self.sync:
            self._to_sync.append(folder)
        return oid

    def finish(self) -> None:
        for folder in dict.fromkeys(self._to_sync):
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        self._to_sync.clear()


def _fsync_objects(git_dir: Path) -> bool:
    """Whether the repository's config asks git to fsync loose objects."""
    try:
        text = (git_dir / "config").read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return True
    if re.search(r"^\s*fsyncobjectfiles\s*=\s*(true|yes|on|1)\s*$", text, re.MULTILINE):
        return True
    found = re.search(r"^\s*fsync\s*=\s*(.+)$", text, re.MULTILINE)
    if found:
        parts = {p.strip() for p in found.group(1).split(",")}
        return bool(parts & {"loose-object", "objects", "committed", "added", "all"}) and "-loose-object" not in parts
    return False


def init_repository(path: Path, *, branch: str, bare: bool, shared_group: str | None) -> GitRepo:
    """``git init`` a new repository whose HEAD names ``branch`` (not yet born).

    Raises:
        NotARepository: the path exists and is not an empty folder.
        KeyError: the Unix group does not exist.
    """
    path = Path(path).expanduser().resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise NotARepository(f"{path} 已存在且不是空目录")
    gid = grp.getgrnam(shared_group).gr_gid if shared_group else None
    args = ["git", *SAFE_CONFIG, "init", "-q", f"--initial-branch={branch}"]
    if bare:
        args.append("--bare")
    if shared_group:
        args.append("--shared=group")
    args += ["--", str(path)]
    proc = subprocess.run(args, capture_output=True, env=_clean_env(), check=False)
    if proc.returncode != 0:
        raise GitError(args[len(SAFE_CONFIG) + 1 :], proc.returncode, proc.stderr.decode("utf-8", "replace"))
    repo = GitRepo(path, None) if bare else GitRepo(path / ".git", path)
    # Reflogs make `plan/2019@{yesterday}` work on a server (bare) store too.
    repo.run("config", "core.logAllRefUpdates", "always")
    if gid is not None:
        share_with_group(path, gid)
    return repo


def share_with_group(path: Path, gid: int) -> None:
    """chgrp -R, group read/write, setgid folders: every member can write."""
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files, None]:
            target = Path(root) if name is None else Path(root) / name
            if target.is_symlink():
                continue
            os.chown(target, -1, gid)
            mode = target.stat().st_mode
            if target.is_dir():
                os.chmod(target, (mode | 0o2070) & ~0o002)
            else:
                os.chmod(target, mode | 0o060)


def _read_small(path: Path) -> bytes:
    try:
        return path.read_bytes()[:100]
    except OSError:
        return b""


def _shared(git_dir: Path) -> bool:
    return bool(git_dir.stat().st_mode & 0o020)


def _ensure_dir(folder: Path, git_dir: Path) -> None:
    if not folder.is_dir():
        folder.mkdir(exist_ok=True)
        if _shared(git_dir):
            os.chmod(folder, 0o2775)


def ensure_dir(folder: Path, git_dir: Path) -> None:
    """Create one folder under the git dir (its parent must exist), group-shared like the store."""
    _ensure_dir(folder, git_dir)


def _match_mode(path: Path, git_dir: Path) -> None:
    if _shared(git_dir):
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o664)


def _write_atomic(path: Path, data: bytes, git_dir: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _match_mode(Path(tmp), git_dir)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes, git_dir: Path) -> None:
    """Write a file under the git dir by rename, with the store's sharing mode."""
    _ensure_dir(path.parent, git_dir)
    _write_atomic(path, data, git_dir)


def _identity_part(text: str) -> str:
    cleaned = re.sub(r"[<>\x00-\x1f\x7f]", "", text).strip()
    return cleaned or "unknown"


# git trims these from both ends of an identity's name and email (ident.c, ``crud``)
_CRUD = "".join(chr(c) for c in range(33)) + ".,:;<>\"\\'"


def _ident_clean(text: str) -> str:
    """A name or email as git writes it into a commit from ``_identity_part``'s value."""
    cleaned = _identity_part(text).strip(_CRUD)
    return cleaned or "unknown"


def _git_stamp(when: str | None) -> str | None:
    """``EPOCH +HHMM`` as git writes a date: now in the local zone, or ``when`` (ISO 8601 with offset).

    None when ``when`` is in a form left to git's own date parser.
    """
    if when is None:
        now = int(time.time())
        offset = time.localtime(now).tm_gmtoff
    else:
        from datetime import datetime

        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            return None
        delta = moment.utcoffset()
        if delta is None or moment.microsecond or delta.seconds % 60 or delta.microseconds:
            return None
        now, offset = int(moment.timestamp()), int(delta.total_seconds())
    minutes = abs(offset) // 60
    return f"{now} {'-' if offset < 0 else '+'}{minutes // 60:02d}{minutes % 60:02d}"


# ---- audit reads (history, verify)
# Used by tracker.history and tracker.verify: batch reads of commits, the files
# a commit changed, and the hook's view of a repository during a push.

# Variables receive-pack sets so the hook can see the objects being pushed (kept
# in a quarantine folder until the hook accepts them).
QUARANTINE_VARS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")


@dataclass(frozen=True)
class CommitInfo:
    """One commit as ``git log`` reports it (message unparsed)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: str  # ISO 8601 with offset (``%aI``)
    message: str
    committed_at: str = ""  # ISO 8601 (``%cI``); only :func:`iter_log_commits` fills it


class PushRepo(GitRepo):
    """A repository seen from inside a ``pre-receive`` hook: pushed objects visible."""

    def run(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
            check: bool = True, pass_fds: tuple[int, ...] = ()) -> subprocess.CompletedProcess[bytes]:
        extra = {k: os.environ[k] for k in QUARANTINE_VARS if k in os.environ}
        if extra.get("GIT_OBJECT_DIRECTORY"):
            extra["GIT_OBJECT_DIRECTORY"] = str(Path(self.git_dir, extra["GIT_OBJECT_DIRECTORY"]).resolve())
        extra.update(env or {})
        return super().run(*args, input=input, env=extra, check=check, pass_fds=pass_fds)


def log_commits(
    repo: GitRepo,
    revs: Iterable[str],
    *,
    exclude: Iterable[str] = (),
    paths: Iterable[str] = (),
    since: str | None = None,
    until: str | None = None,
    max_count: int | None = None,
    first_parent: bool = False,
) -> list[CommitInfo]:
    """Commits reachable from ``revs`` and not from ``exclude``, newest first.

    ``revs``/``exclude`` must be commit ids or ref names already checked by the
    caller (:meth:`GitRepo.rev_parse`); ``since``/``until`` are ISO dates built by
    code. With ``paths``, only commits touching them (``--full-history``: a side
    commit whose change a merge dropped is still listed).
    """
    args = ["log", "-z", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%B", "--no-color"]
    if first_parent:
        args.append("--first-parent")
    if max_count is not None:
        args.append(f"--max-count={int(max_count)}")
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    path_list = list(paths)
    if path_list:
        args.append("--full-history")
    wanted = [r for r in revs if r and not r.startswith("-")]
    if not wanted:
        return []
    args += wanted
    excluded = [r for r in exclude if r and not r.startswith("-")]
    if excluded:
        args += ["--not", *excluded]
    args += ["--", *path_list]
    raw = repo.run(*args).stdout.decode("utf-8", "replace")
    commits = []
    for record in raw.split("\0"):
        if not record.strip():
            continue
        sha, parents, name, email, when, message = record.lstrip("\n").split("\x1f", 5)
        commits.append(CommitInfo(sha, tuple(parents.split()), name, email, when, message))
    return commits


def iter_log_commits(
    repo: GitRepo,
    rev: str,
    *,
    paths: Iterable[str] = (),
    since: str | None = None,
    until: str | None = None,
) -> Generator[CommitInfo, None, None]:
    """Commits reachable from ``rev``, newest first, read from ``git log`` as it writes them.

    For history with a limit: the caller stops when it has enough, and closing
    the generator ends git, so only the newest part of a long history is ever
    walked. With ``paths`` git's commit-graph changed-path filters skip the
    commits that did not touch them (``--full-history`` as in :func:`log_commits`).
    ``rev`` must be a commit id or ref name already checked by the caller.
    """
    if not rev or rev.startswith("-"):
        return
    args = ["log", "-z", "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%B", "--no-color"]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    path_list = list(paths)
    if path_list:
        args.append("--full-history")
    args += [rev, "--", *path_list]
    proc = subprocess.Popen(
        [*repo.base_args(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_clean_env(),
        cwd=repo.top,
    )
    assert proc.stdout is not None
    pending = b""
    try:
        while True:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *records, pending = pending.split(b"\0")
            for record in records:
                if record.strip():
                    yield _log_record(record)
        if pending.strip():
            yield _log_record(pending)
        stderr = proc.stderr.read() if proc.stderr else b""
        if proc.wait() != 0:
            raise GitError(args, proc.returncode, stderr.decode("utf-8", "replace"))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
        proc.wait()


def _log_record(record: bytes) -> CommitInfo:
    sha, parents, name, email, authored, committed, message = (
        record.decode("utf-8", "replace").lstrip("\n").split("\x1f", 6)
    )
    return CommitInfo(sha, tuple(parents.split()), name, email, authored, message, committed)


def changed_paths(repo: GitRepo, parent: str | None, commit: str, paths: Iterable[str] = ()) -> list[str]:
    """Paths that differ between ``parent`` (None: the empty tree) and ``commit``."""
    base = parent if parent else repo._empty_tree()
    raw = repo.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", base, commit, "--", *paths).stdout
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]


def read_files_at(repo: GitRepo, commit: str | None, paths: Iterable[str]) -> dict[str, bytes]:
    """``{path: bytes}`` of ``paths`` at ``commit`` by one ``cat-file --batch``; absent ones left out."""
    wanted = [p for p in dict.fromkeys(paths) if p and "\n" not in p]
    if commit is None or not wanted:
        return {}
    raw = repo.run("cat-file", "--batch", input="".join(f"{commit}:{p}\n" for p in wanted).encode()).stdout
    result: dict[str, bytes] = {}
    pos = 0
    for path in wanted:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split(b" ")
        if header[-1] == b"missing" or len(header) < 3:
            pos = end + 1
            continue
        size = int(header[2])
        if header[1] == b"blob":
            result[path] = raw[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return result


def commit_changes(
    repo: GitRepo, commits: Iterable[CommitInfo], paths: Iterable[str] = ()
) -> list[tuple[dict[str, bytes], dict[str, bytes]]]:
    """For each commit, the files it changed (limited to ``paths``) before and after.

    Non-merge commits are diffed in one ``diff-tree --stdin`` and read in one
    ``cat-file --batch``; a merge is compared with its first parent.
    """
    items = list(commits)
    path_list = list(paths)
    simple = [c.sha for c in items if len(c.parents) <= 1]
    entries: dict[str, list[tuple[str, str, str]]] = {sha: [] for sha in simple}
    if simple:
        raw = repo.run(
            "diff-tree", "--stdin", "-r", "-z", "--no-renames", "--root", "--no-abbrev", "--", *path_list,
            input=("\n".join(simple) + "\n").encode(),
        ).stdout
        tokens = raw.split(b"\0")
        current = ""
        i = 0
        while i < len(tokens):
            token = tokens[i].decode("utf-8", "surrogateescape")
            if token.startswith(":") and current:
                _, _, old, new, _ = token[1:].split(" ", 4)
                entries[current].append((tokens[i + 1].decode("utf-8", "surrogateescape"), old, new))
                i += 2
                continue
            if _HEX.match(token.strip()):
                current = token.strip()
            i += 1
    zero = {ZERO_OID, "0" * 64}
    blobs = repo.cat_blobs(oid for rows in entries.values() for _, a, b in rows for oid in (a, b) if oid not in zero)
    result = []
    for commit in items:
        if len(commit.parents) > 1:
            changed = changed_paths(repo, commit.parents[0], commit.sha, path_list)
            result.append((read_files_at(repo, commit.parents[0], changed), read_files_at(repo, commit.sha, changed)))
            continue
        rows = entries.get(commit.sha, [])
        before = {p: blobs[a] for p, a, _ in rows if a not in zero}
        after = {p: blobs[b] for p, _, b in rows if b not in zero}
        result.append((before, after))
    return result


def show_patch(repo: GitRepo, commit: str, paths: Iterable[str] = ()) -> str:
    """The raw diff a commit made (a merge: its combined diff), optionally limited to ``paths``."""
    raw = repo.run("show", "--format=", "--no-color", "--no-renames", "--patch", commit, "--", *paths).stdout
    return raw.decode("utf-8", "replace")


def merge_base(repo: GitRepo, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None (unrelated histories)."""
    proc = repo.run("merge-base", a, b, check=False)
    oid = proc.stdout.decode().strip()
    return oid if proc.returncode == 0 and _HEX.match(oid) else None


def is_ancestor(repo: GitRepo, ancestor: str, descendant: str) -> bool:
    """True when ``ancestor`` is reachable from ``descendant`` (a fast-forward)."""
    return repo.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0


def signing_required(repo: GitRepo) -> bool:
    """The store's git config says every commit must be signed (``tracker.signing = required``)."""
    proc = repo.run("config", "--get", "tracker.signing", check=False)
    return proc.stdout.decode().strip().lower() == "required"


def commits_signed(repo: GitRepo, shas: Iterable[str]) -> dict[str, bool]:
    """Whether each commit object carries a signature header (``gpgsig``)."""
    raw = repo.cat_blobs(shas)
    result = {}
    for sha, data in raw.items():
        header = data.split(b"\n\n", 1)[0]
        result[sha] = any(line.startswith((b"gpgsig ", b"gpgsig-sha256 ")) for line in header.split(b"\n"))
    return result


def maintain_commit_graph(repo: GitRepo) -> bool:
    """Write git's commit-graph with changed-path filters (fast ``git log -- path``).

    Incremental (``--split``), so calling it after writes stays cheap. Returns
    False when git could not write it (a read-only account), which is harmless.
    """
    proc = repo.run("commit-graph", "write", "--reachable", "--changed-paths", "--split", check=False)
    return proc.returncode == 0


def ensure_commit_graph(repo: GitRepo) -> None:
    """Write the commit-graph once when there is none (a file test, no process otherwise)."""
    info = repo.git_dir / "objects" / "info"
    if not (info / "commit-graph").exists() and not (info / "commit-graphs").is_dir():
        maintain_commit_graph(repo)


# ---- sync (remotes, fetch, merge, push)
# Used by tracker/sync.py. Remote names and URLs are checked here, right before
# git sees them; only the transports below are allowed, whatever a config says.

REMOTE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9_][A-Za-z0-9._-]*:(?!-)[^\\]+$")
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NETWORK_CONFIG = (
    "-c", "protocol.allow=never",
    "-c", "protocol.file.allow=always",
    "-c", "protocol.ssh.allow=always",
    "-c", "protocol.https.allow=always",
    "-c", "submodule.recurse=false",
)
# The ssh settings a site (or a test) sets in its environment reach git; no other GIT_*.
_PASSED_ENV = ("GIT_SSH_COMMAND", "GIT_SSH", "GIT_SSH_VARIANT")


class RemoteError(ValueError):
    """A remote name or URL that sync refuses (message in Chinese)."""


def check_remote_name(name: str) -> str:
    """A remote name: letters, digits, ``_`` and ``-`` only.

    Raises:
        RemoteError: naming the bad name.
    """
    if not REMOTE_NAME.match(name or ""):
        raise RemoteError(f"远端名称只能由字母、数字、_ 和 - 组成(不能以 - 开头): {name!r}")
    return name


def check_remote_url(url: str) -> str:
    """An ssh, https or file URL, scp-like ``user@host:path``, or an absolute local path.

    Anything git could read as an option or a command (a leading ``-``,
    ``ext::``, ``fd::`` or any ``transport::`` form), control characters and
    whitespace are refused.

    Raises:
        RemoteError: naming what is wrong.
    """
    from urllib.parse import urlsplit

    if not url or _URL_CONTROL.search(url):
        raise RemoteError("远端地址为空,或含有空白/控制字符")
    if url.startswith("-") or "::" in url:
        raise RemoteError(f"远端地址不能以 - 开头,也不能是 传输方式:: 形式: {url!r}")
    lowered = url.lower()
    if lowered.startswith(("ssh://", "https://")):
        parts = urlsplit(url)
        if not parts.hostname or parts.hostname.startswith("-") or (parts.username or "").startswith("-"):
            raise RemoteError(f"远端地址的主机名不合法: {url!r}")
        if not parts.path or parts.path.startswith("/-"):
            raise RemoteError(f"远端地址缺少仓库路径: {url!r}")
        return url
    if lowered.startswith("file://"):
        if not url[len("file://"):].startswith("/"):
            raise RemoteError(f"file 地址必须是绝对路径: {url!r}")
        return url
    if url.startswith("/"):
        return url
    if _SCP_LIKE.match(url):
        return url
    raise RemoteError(f"只接受 ssh://、https://、file:// 地址、user@host:路径 或绝对路径: {url!r}")


def _network_env() -> dict[str, str]:
    return {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}


def remote_list(repo: GitRepo) -> dict[str, str]:
    """``{name: url}`` of the configured remotes (names sync would refuse are left out)."""
    proc = repo.run("config", "--null", "--get-regexp", r"^remote\..*\.url$", check=False)
    result: dict[str, str] = {}
    for record in proc.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = record.partition("\n")
        name = key[len("remote."):-len(".url")] if key.startswith("remote.") else ""
        if REMOTE_NAME.match(name):
            result[name] = value
    return result


def remote_add(repo: GitRepo, name: str, url: str) -> None:
    """Add a remote whose branches are fetched as ``refs/remotes/NAME/plan/*``.

    Raises:
        RemoteError: a bad name or URL, or a name already used.
    """
    check_remote_name(name)
    check_remote_url(url)
    if name in remote_list(repo):
        raise RemoteError(f"远端 {name} 已存在")
    repo.run("remote", "add", "--", name, url)


def fetch(repo: GitRepo, name: str, refspecs: Iterable[str]) -> str:
    """``git fetch NAME REFSPEC...`` (no tags, no submodules); returns git's messages.

    Raises:
        RemoteError: the configured URL is not one sync accepts.
        GitError: the fetch failed (git's words in ``stderr``).
    """
    check_remote_name(name)
    url = remote_list(repo).get(name)
    if url is None:
        raise RemoteError(f"没有名为 {name} 的远端")
    check_remote_url(url)
    proc = _run_network(repo, ["fetch", "--no-tags", "--no-recurse-submodules", "--quiet", "--", name, *refspecs])
    return proc.stderr.decode("utf-8", "replace")


def _run_network(repo: GitRepo, args: list[str], check: bool = True) -> subprocess.CompletedProcess[bytes]:
    base = repo.base_args()
    cmd = [base[0], *NETWORK_CONFIG, *base[1:], *args]
    proc = subprocess.run(cmd, capture_output=True, env=_clean_env(_network_env()), cwd=repo.top, check=False)
    if check and proc.returncode != 0:
        raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


@dataclass(frozen=True)
class PushedRef:
    """One line of ``git push --porcelain``: flag ``=`` up to date, ``*`` new, `` `` fast-forward, ``!`` rejected."""

    ref: str
    flag: str
    summary: str

    @property
    def ok(self) -> bool:
        return self.flag != "!"


@dataclass(frozen=True)
class PushReport:
    """What the remote said about a push."""

    refs: tuple[PushedRef, ...]
    remote_messages: tuple[str, ...]  # the remote's own lines (its hook's reasons), ``remote: `` removed
    stderr: str
    returncode: int


def push(repo: GitRepo, name: str, refspecs: Iterable[str]) -> PushReport:
    """``git push --porcelain NAME SRC:DST...`` without force; never raises for a refused ref.

    Raises:
        RemoteError: the configured URL is not one sync accepts.
    """
    check_remote_name(name)
    url = remote_list(repo).get(name)
    if url is None:
        raise RemoteError(f"没有名为 {name} 的远端")
    check_remote_url(url)
    specs = list(refspecs)
    for spec in specs:
        if spec.startswith(("+", "-", ":")):
            raise ValueError(f"bad push refspec {spec!r}")
    proc = _run_network(repo, ["push", "--porcelain", "--no-verify", "--", name, *specs], check=False)
    refs = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and len(parts[0]) == 1:
            refs.append(PushedRef(ref=parts[1].rpartition(":")[2], flag=parts[0], summary=parts[2]))
    stderr = proc.stderr.decode("utf-8", "replace")
    remote = tuple(
        line[len("remote:"):].strip() for line in stderr.splitlines() if line.startswith("remote:") and line[7:].strip()
    )
    return PushReport(tuple(refs), remote, stderr, proc.returncode)


def ahead_behind(repo: GitRepo, local: str, remote: str) -> tuple[int, int]:
    """(commits only in ``local``, commits only in ``remote``)."""
    text = repo.out("rev-list", "--left-right", "--count", f"{local}...{remote}")
    left, right = text.split()
    return int(left), int(right)


def set_config(repo: GitRepo, key: str, value: str) -> None:
    """Set a config key chosen by code (``merge.zwgk-toml.driver``); never a user's key."""
    if not re.fullmatch(r"[a-z]+(\.[A-Za-z0-9_-]+)+", key):
        raise ValueError(f"bad config key {key!r}")
    repo.run("config", "--replace-all", key, value)


def get_config(repo: GitRepo, key: str) -> str | None:
    """A config value, or None when unset."""
    proc = repo.run("config", "--get", key, check=False)
    return proc.stdout.decode("utf-8", "replace").rstrip("\n") if proc.returncode == 0 else None


def create_branch(repo: GitRepo, ref: str, oid: str) -> bool:
    """Create ``ref`` at ``oid`` only if it does not exist yet (False when it does)."""
    return repo.update_ref(ref, oid, None)


def count_commits(repo: GitRepo, new: str, old: str | None = None) -> int:
    """How many commits ``new`` has that ``old`` (None: nothing) lacks."""
    args = ["rev-list", "--count", new] + ([f"^{old}"] if old else [])
    return int(repo.out(*args, "--"))


def contains(repo: GitRepo, ancestor: str, descendant: str) -> bool:
    """True when ``ancestor`` is reachable from ``descendant``."""
    return repo.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0


def common_base(repo: GitRepo, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None (unrelated histories)."""
    proc = repo.run("merge-base", a, b, check=False)
    oid = proc.stdout.decode().strip()
    return oid if proc.returncode == 0 and _HEX.match(oid) else None


def paths_changed(repo: GitRepo, old: str | None, new: str) -> list[str]:
    """Paths that differ between two commits (``old`` None: the empty tree)."""
    raw = repo.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", old or repo._empty_tree(), new).stdout
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]


def commit_author(repo: GitRepo, commit: str) -> tuple[str, str, str]:
    """(name, e-mail, ISO date) of a commit's author."""
    text = repo.out("show", "-s", "--format=%an%x00%ae%x00%aI", commit, "--")
    name, email, when = (text.split("\0") + ["", "", ""])[:3]
    return name, email, when
