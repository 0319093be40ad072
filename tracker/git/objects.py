"""Git objects: read blobs and trees, write blobs, trees and commits in git's own format.

Objects are written in Python by this process (no git child): ``TYPE SIZE\\0`` + data,
hashed, zlib-compressed, written to a temporary name and renamed into place, so a
killed writer leaves no partial object, and every object exists before a ref can name
it. A commit is byte for byte what ``git commit-tree`` writes (tests compare them); when
the config could make git write something else, git writes it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.git.files import is_shared
from tracker.git.runner import HEX_OID, GitError, GitRunner

ZERO_OID = "0" * 40
ZERO_OIDS = frozenset({ZERO_OID, "0" * 64})
EMPTY_TREE = {
    "sha1": "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "sha256": "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}


@dataclass(frozen=True)
class TreeEntry:
    """One line of ``git ls-tree``."""

    mode: str
    kind: str  # "blob" | "tree" | "commit"
    oid: str
    path: str


def git_keeps_utf8(text: str) -> bool:
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



# Bytes the interpreter's built-in SHA may hash before hashlib is loaded instead: loading
# hashlib (OpenSSL) costs 3 ms of a command's start, the built-in SHA-1 is 8x slower per byte
# (25 us for a 5 KB task file), so a command checking a few cached files never loads OpenSSL.
_BUILTIN_HASH_BUDGET = 256 * 1024
_builtin_hashed = [0]


def _hasher(object_format: str, size: int) -> Any:
    """The SHA constructor of ``object_format`` (``sha1`` or ``sha256``) for ``size`` more bytes."""
    if "hashlib" not in sys.modules and _builtin_hashed[0] + size <= _BUILTIN_HASH_BUDGET:
        try:
            module = importlib.import_module("_sha256" if object_format == "sha256" else "_sha1")
            algo = getattr(module, object_format)
        except (ImportError, AttributeError):  # another interpreter: hashlib it is
            pass
        else:
            _builtin_hashed[0] += size
            return algo
    import hashlib

    return hashlib.sha256 if object_format == "sha256" else hashlib.sha1


class ObjectStore(GitRunner):
    """Reading and writing the objects of a repository."""

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


    def blob_id(self, data: bytes) -> str:
        """The id git gives ``data`` as a blob, computed without a process."""
        algo = _hasher(self.object_format(), len(data))
        digest: str = algo(b"blob %d\0" % len(data) + data).hexdigest()
        return digest

    # ------------------------------------------------------------ writing objects

    def empty_tree(self) -> str:
        """The id of the empty tree in this repository's object format."""
        return EMPTY_TREE[self.object_format()]

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

    def folder_listings(self, commit: str, folders: Iterable[str]) -> dict[str, list[TreeEntry]]:
        """Some folders of ``commit``'s tree (``""`` for the top) -> their entries, by one ``cat-file --batch``.

        What a read of a few files needs at any size of plan: the folders on their paths, not the
        whole tree (``ls-tree -r`` of 10,000 task files costs ~70 ms). Folders that do not
        exist (or are not trees) are left out.
        """
        wanted = list(dict.fromkeys(folders))
        if not wanted:
            return {}
        names = [f"{commit}^{{tree}}" if not f else f"{commit}:{f}" for f in wanted]
        if any("\n" in n for n in names):
            raise ValueError("folder names hold no newline")
        raw = self.run("cat-file", "--batch", input=("\n".join(names) + "\n").encode()).stdout
        width = 32 if self.object_format() == "sha256" else 20
        result: dict[str, list[TreeEntry]] = {}
        pos = 0
        for folder in wanted:
            end = raw.index(b"\n", pos)
            header = raw[pos:end].split(b" ")
            if len(header) < 3:  # "<name> missing"
                pos = end + 1
                continue
            size = int(header[2])
            body = raw[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
            if header[1] == b"tree":
                result[folder] = _parse_tree(body, width)
        return result

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
            if new_oid == self.empty_tree():
                current.pop(name, None)
                for key in [k for k in listing if k == sub_folder or k.startswith(sub_folder + "/")]:
                    del listing[key]
            else:
                current[name] = TreeEntry("040000", "tree", new_oid, name)
        entries = sorted(current.values(), key=tree_order)
        listing[folder] = entries
        return writer.write(b"tree", b"".join(_tree_record(e) for e in entries))


    def commit_tree(
        self, tree: str, parents: Iterable[str], message: str, *, author: tuple[str, str], when: str | None = None,
        signing_key: Path | None = None,
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
            or not git_keeps_utf8(message + author[0] + author[1])
            or not self._plain_commits()
        ):
            return self._git_commit_tree(tree, parent_list, message, author=author, when=when, signing_key=signing_key)
        ident = f"{_ident_clean(author[0])} <{_ident_clean(author[1])}> {stamp}"
        head = [f"tree {tree}"] + [f"parent {p}" for p in parent_list] + [f"author {ident}", f"committer {ident}"]
        for oid in [tree, *parent_list]:
            if not HEX_OID.match(oid):
                raise ValueError(f"bad object id {oid!r}")
        data = ("\n".join(head) + "\n\n").encode("utf-8", "surrogateescape") + message.encode("utf-8")
        if signing_key is not None:
            # git's own layout (gpg.format=ssh): the signature of the unsigned commit, as a
            # ``gpgsig`` header after the committer, each further line indented by one space
            armored = ssh_sign(signing_key, data).decode("ascii").rstrip("\n").replace("\n", "\n ")
            head.append(f"gpgsig {armored}")
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
        self, tree: str, parents: Iterable[str], message: str, *, author: tuple[str, str], when: str | None = None,
        signing_key: Path | None = None,
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
        if signing_key is not None:
            args = ["-c", "gpg.format=ssh", "-c", "gpg.ssh.program=ssh-keygen", "-c", f"user.signingKey={signing_key}",
                    "commit-tree", "-S", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.out(*args, input=message.encode("utf-8"), env=env)

    # ------------------------------------------------------------ moving refs

    def read_files_at(self, commit: str | None, paths: Iterable[str]) -> dict[str, bytes]:
        """``{path: bytes}`` of ``paths`` at ``commit`` by one ``cat-file --batch``; absent ones left out."""
        wanted = [p for p in dict.fromkeys(paths) if p and "\n" not in p]
        if commit is None or not wanted:
            return {}
        raw = self.run("cat-file", "--batch", input="".join(f"{commit}:{p}\n" for p in wanted).encode()).stdout
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


def _parse_tree(body: bytes, width: int) -> list[TreeEntry]:
    """A raw tree object's entries (``MODE NAME\\0`` + the binary object id, repeated)."""
    entries = []
    pos = 0
    while pos < len(body):
        space = body.index(b" ", pos)
        nul = body.index(b"\0", space)
        mode = body[pos:space].decode()
        oid = body[nul + 1 : nul + 1 + width].hex()
        kind = "tree" if mode == "40000" else "commit" if mode == "160000" else "blob"
        entries.append(TreeEntry(mode.rjust(6, "0"), kind, oid, body[space + 1 : nul].decode("utf-8", "surrogateescape")))
        pos = nul + 1 + width
    return entries


def ssh_sign(key: Path, payload: bytes) -> bytes:
    """An armored SSH signature of ``payload`` in git's namespace (``ssh-keygen -Y sign -n git``).

    Raises:
        GitError: ssh-keygen failed.
    """
    import subprocess

    proc = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "git", "-f", str(key)], input=payload,
                          capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout.startswith(b"-----BEGIN SSH SIGNATURE-----"):
        raise GitError(["ssh-keygen", "-Y"], proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


def tree_order(entry: TreeEntry) -> bytes:
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

    def __init__(self, repo: ObjectStore) -> None:
        import zlib

        self._compress = zlib.compress
        self.repo = repo
        self.objects = repo.git_dir / "objects"
        self.object_format = repo.object_format()
        self.sync = _fsync_objects(repo.git_dir)
        self.shared = is_shared(repo.git_dir)
        self._to_sync: list[Path] = []

    def write(self, kind: bytes, data: bytes) -> str:
        raw = b"%s %d\0" % (kind, len(data)) + data
        oid: str = _hasher(self.object_format, len(raw))(raw).hexdigest()
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
        import tempfile

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
