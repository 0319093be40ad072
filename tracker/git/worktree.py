"""The work tree and index of a non-bare store: what is dirty, and bringing paths to a commit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

from tracker.git.objects import ObjectStore


class WorkTree(ObjectStore):
    """Index and work-tree reads and updates (only for a repository with a work tree)."""

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
        found = read_index(data, set(wanted), hash_len)
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
            gone = [p for p in wanted if not self.path_exists(commit, p)]
        gone = list(gone)
        present = [p for p in wanted if p not in gone]
        if present:
            # checkout applies smudge filters: those the config names are emptied first
            self.run(*self.filter_guard(), "checkout", "-q", commit, "--", *present, pass_fds=pass_fds)
        if gone:
            self.run("rm", "-q", "--cached", "--ignore-unmatch", "--", *gone, pass_fds=pass_fds)
            for path in gone:
                assert self.work_tree is not None
                with contextlib.suppress(FileNotFoundError):
                    (self.work_tree / path).unlink()

    def path_exists(self, commit: str, path: str) -> bool:
        """Whether ``path`` exists in ``commit``'s tree."""
        return any(e.path == path for e in self.ls_tree(commit, path, recursive=False))


def read_index(data: bytes, wanted: set[str], hash_len: int) -> dict[str, str] | None:
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

