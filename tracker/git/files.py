"""Files the tracker keeps under the git dir (locks, journal, cache), shared like the store.

In a store made with ``--shared GROUP`` every member of the group must be able to
write what another member created: folders are setgid and group-writable, files
group-writable; everything is written by rename, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def read_small(path: Path) -> bytes:
    """The first 100 bytes of a file, empty when it cannot be read."""
    try:
        return path.read_bytes()[:100]
    except OSError:
        return b""


def is_shared(git_dir: Path) -> bool:
    """The store is shared with a group (its git dir is group-writable)."""
    return bool(git_dir.stat().st_mode & 0o020)


def ensure_dir(folder: Path, git_dir: Path) -> None:
    """Create one folder under the git dir (its parent must exist), group-shared like the store."""
    if not folder.is_dir():
        folder.mkdir(exist_ok=True)
        if is_shared(git_dir):
            os.chmod(folder, 0o2775)


def match_mode(path: Path, git_dir: Path) -> None:
    """Make a file group-writable when the store is shared."""
    if is_shared(git_dir):
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o664)


def write_atomic(path: Path, data: bytes, git_dir: Path, mode: int | None = None) -> None:
    """Write a file under the git dir by rename, with the store's sharing mode (or ``mode``)."""
    ensure_dir(path.parent, git_dir)
    write_by_rename(path, lambda tmp: tmp.write_bytes(data), git_dir, mode)


def write_by_rename(path: Path, make: Callable[[Path], object], git_dir: Path, mode: int | None = None) -> None:
    """Make a file whole: ``make`` fills a new file beside ``path``, which is then renamed into place.

    A reader never sees half a file. The mode is the store's sharing mode, or ``mode``.
    """
    import tempfile  # writers only: a read-only command's start does not pay for it

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        make(Path(tmp))
        if mode is None:
            match_mode(Path(tmp), git_dir)
        else:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# The writer's own folder under the git dir (published tips, signing key): never shared.
PRIVATE_DIR = "tracker-writer"
# Derived data (parsed-blob cache, query index): written by the writer alone (tracker/cache_owner.py).
DERIVED_DIR = "tracker-cache"


def share_with_group(path: Path, gid: int) -> None:
    """chgrp -R, group read/write, setgid folders: every member can write (except the writer's own folders)."""
    for root, dirs, files in os.walk(path):
        for private in (PRIVATE_DIR, DERIVED_DIR):
            if private in dirs:
                dirs.remove(private)
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
