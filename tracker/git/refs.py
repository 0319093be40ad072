"""Refs: read them, move a branch only by compare-and-swap, and the writer lock around it.

Writers of one store serialise the short "move the ref, update the working tree" step
with an ``flock`` held by the writer *and* its git children, so a lock file git left
behind when a writer was killed is known to be stale (a side file says a writer was
inside) and is removed; a lock of a live foreign git process is waited for briefly,
then reported.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from tracker.git.files import ensure_dir, match_mode, read_small, write_atomic
from tracker.git.objects import ZERO_OID
from tracker.git.runner import HEX_OID, GitError, GitRunner

LOCK_WAIT_SECONDS = 5.0
# A git lock file of a process that is not a tracker writer is taken for stale
# after this long (git holds ref and index locks for milliseconds).
FOREIGN_LOCK_STALE_SECONDS = 30.0


class LockBusy(RuntimeError):
    """Another writer holds the store for longer than we wait."""



class RefStore(GitRunner):
    """The refs of a repository and the writer lock that guards moving them."""

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
        if HEX_OID.match(text):
            return None
        proc = self.run("symbolic-ref", "-q", "HEAD", check=False)
        return proc.stdout.decode().strip() or None

    def update_ref(self, ref: str, new: str, old: str | None, pass_fds: tuple[int, ...] = ()) -> bool:
        """Compare-and-swap ``ref`` from ``old`` (None: must not exist) to ``new``.

        Returns False when the ref no longer holds ``old`` (a lost race).

        Raises:
            GitError: when git fails for another reason (e.g. a lock held).
        """
        if not ref.startswith("refs/heads/") or not HEX_OID.match(new):
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
        ensure_dir(folder, self.git_dir)
        lock_path = folder / "write.lock"
        fd = os.open(lock_path, os.O_RDONLY | os.O_CREAT, 0o666)
        match_mode(lock_path, self.git_dir)
        timeout = LOCK_WAIT_SECONDS if timeout is None else timeout
        marker = folder / "inside"
        try:
            # Short random polls: a queue of busy writers must not starve one of
            # them. The wait is cut off only when nobody makes progress (the
            # marker names each new holder) for ``timeout`` seconds.
            deadline = time.monotonic() + timeout
            seen = read_small(marker)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    now = read_small(marker)
                    if now != seen:
                        seen, deadline = now, time.monotonic() + timeout
                    if time.monotonic() > deadline:
                        raise LockBusy(f"数据仓库正由另一个写入进程占用超过 {timeout:.0f} 秒,请稍后重试") from None
                    import random  # only while waiting for another writer

                    time.sleep(random.uniform(0.002, 0.02))
            if marker.exists():
                self._remove_git_locks(force=True, timeout=timeout)
            write_atomic(marker, f"{os.getpid()} {time.time_ns()}\n".encode(), self.git_dir)
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

    def create_branch(self, ref: str, oid: str) -> bool:
        """Create ``ref`` at ``oid`` only if it does not exist yet (False when it does)."""
        return self.update_ref(ref, oid, None)
