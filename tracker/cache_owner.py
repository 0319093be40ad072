"""Who may write the store's derived data (``GITDIR/tracker-cache/``) and which of it a reader may believe.

The parsed-blob cache and the query index are written by the store's writer only: the
account that owns the git dir (in a single-user store, that user). Any other account
(an operator's shell in a group-shared store, root looking in) reads them only when
the file and every folder from ``tracker-cache/`` down to it are owned by the writer
and writable by nobody else, and never writes there: without a trusted entry it works
from the plan in memory. What a reader ignores, the writer replaces on its next run
(entries and index files by rename; its own folders made ``0755`` again).

A trusted file can still be one the writer wrote for something else (a member of a
group-writable git dir may move the writer's files around); so every entry also names
the blob it was parsed from, and an index the ``tasks/`` tree it describes, and the
callers check that.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

CACHE_DIR = "tracker-cache"
CACHE_FOLDER_MODE = 0o755
CACHE_FILE_MODE = 0o644


def writer_uid(git_dir: Path) -> int:
    """The uid of the store's writer: the owner of its git dir."""
    return git_dir.stat().st_uid


def is_writer(git_dir: Path) -> bool:
    """Whether this process runs as the store's writer (the only account that writes derived data)."""
    try:
        return os.geteuid() == writer_uid(git_dir)
    except OSError:
        return False


def trusted_stat(st: os.stat_result, writer: int, *, folder: bool = False) -> bool:
    """A file (or folder) the writer owns that nobody else may write, and not a symbolic link."""
    kind = stat.S_ISDIR(st.st_mode) if folder else stat.S_ISREG(st.st_mode)
    return kind and st.st_uid == writer and not st.st_mode & 0o022


def trusted_folders(folder: Path, git_dir: Path) -> bool:
    """Every folder from ``GITDIR/tracker-cache`` down to ``folder`` is trusted (see :func:`trusted_stat`)."""
    writer = writer_uid(git_dir)
    root = git_dir / CACHE_DIR
    here = folder
    chain = []
    while True:
        chain.append(here)
        if here == root:
            break
        if here == git_dir or here.parent == here:
            return False  # not under the cache folder
        here = here.parent
    for path in chain:
        try:
            if not trusted_stat(path.lstat(), writer, folder=True):
                return False
        except OSError:
            return False
    return True


def read_trusted(path: Path, git_dir: Path, folders: dict[Path, bool] | None = None) -> bytes | None:
    """The bytes of a cache file a reader may believe (file and folders trusted), else None.

    ``folders``: the folders' verdicts so far, kept by a caller reading many entries.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        if not trusted_stat(os.fstat(fd), writer_uid(git_dir)):
            return None
        known = folders if folders is not None else {}
        verdict = known.get(path.parent)
        if verdict is None:
            verdict = known[path.parent] = trusted_folders(path.parent, git_dir)
        return fh.read() if verdict else None


def prepare_folder(folder: Path, git_dir: Path) -> bool:
    """Make ``folder`` (under ``GITDIR/tracker-cache``) ready for the writer to write in; False: it cannot be.

    Missing folders are made ``0755``; the writer's own folders that others may write
    (a store made before this rule, ``--shared``) are made ``0755`` again. A folder
    owned by another account, or a symbolic link, stays as it is and nothing is
    written there (``tracker doctor`` names it). Only the writer calls this.
    """
    root = git_dir / CACHE_DIR
    chain = []
    here = folder
    while True:
        chain.append(here)
        if here == root:
            break
        if here == git_dir or here.parent == here:
            return False
        here = here.parent
    uid = os.geteuid()
    for path in reversed(chain):
        try:
            st = path.lstat()
        except FileNotFoundError:
            try:
                path.mkdir()
                os.chmod(path, CACHE_FOLDER_MODE)  # umask and a setgid parent do not decide it
            except OSError:
                return False
            continue
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
            return False
        if stat.S_IMODE(st.st_mode) != CACHE_FOLDER_MODE:
            try:
                os.chmod(path, CACHE_FOLDER_MODE)
            except OSError:
                return False
    return True


def write_entry(path: Path, data: bytes, git_dir: Path) -> None:
    """Write one cache file as the writer: by rename, ``0644``, in trusted folders; silently not when it cannot."""
    from tracker.git.files import write_atomic  # noqa: PLC0415 - only a write needs it

    if prepare_folder(path.parent, git_dir):
        with contextlib.suppress(OSError):
            write_atomic(path, data, git_dir, mode=CACHE_FILE_MODE)


def trusted_file(path: Path, git_dir: Path) -> os.stat_result | None:
    """The status of a cache file the writer alone could have written (it and its folders), else None."""
    try:
        st = path.lstat()
    except OSError:
        return None
    if not trusted_stat(st, writer_uid(git_dir)) or not trusted_folders(path.parent, git_dir):
        return None
    return st


__all__ = [
    "CACHE_DIR",
    "CACHE_FILE_MODE",
    "CACHE_FOLDER_MODE",
    "is_writer",
    "prepare_folder",
    "read_trusted",
    "trusted_file",
    "trusted_folders",
    "trusted_stat",
    "write_entry",
    "writer_uid",
]
