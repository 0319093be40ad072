"""History reads: commits as ``git log`` lists them, the files each changed, ancestry.

Used by history, verify, undo and sync. ``revs`` are commit ids or ref names the
caller has checked (:meth:`GitRunner.rev_parse`); dates are ISO dates built by code.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from datetime import datetime

from tracker.git.objects import ZERO_OIDS, ObjectStore
from tracker.git.runner import HEX_OID, GitError, GitRunner, clean_env
from tracker.messages import parse_trailers
from tracker.textsafe import clean_line

_LOG_FORMAT = "--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cI%x1f%B"


@dataclass(frozen=True)
class CommitInfo:
    """One commit: its id, parents, author and message (the one commit-metadata type)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: datetime
    message: str
    committed_at: datetime | None = None

    @property
    def subject(self) -> str:
        """The first line of the message, cleaned for display."""
        return clean_line(self.message.split("\n", 1)[0])

    @property
    def trailers(self) -> dict[str, list[str]]:
        """The trailers of the message (lower-case keys), see :func:`tracker.messages.parse_trailers`."""
        return parse_trailers(self.message)


def _log_args(
    revs: Iterable[str],
    exclude: Iterable[str],
    paths: list[str],
    since: str | None,
    until: str | None,
    max_count: int | None,
    first_parent: bool,
) -> list[str] | None:
    """The ``git log`` arguments both readers use; None when no rev is left to walk."""
    wanted = [r for r in revs if r and not r.startswith("-")]
    if not wanted:
        return None
    args = ["log", "-z", _LOG_FORMAT, "--no-color"]
    if first_parent:
        args.append("--first-parent")
    if max_count is not None:
        args.append(f"--max-count={int(max_count)}")
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    if paths:
        args.append("--full-history")  # a side commit whose change a merge dropped is still listed
    args += wanted
    excluded = [r for r in exclude if r and not r.startswith("-")]
    if excluded:
        args += ["--not", *excluded]
    return [*args, "--", *paths]


def _log_record(record: bytes) -> CommitInfo:
    sha, parents, name, email, authored, committed, message = (
        record.decode("utf-8", "replace").lstrip("\n").split("\x1f", 6)
    )
    return CommitInfo(sha, tuple(parents.split()), name, email, datetime.fromisoformat(authored), message,
                      datetime.fromisoformat(committed))


def log_commits(
    repo: GitRunner,
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

    With ``paths``, only commits touching them (``--full-history``).
    """
    args = _log_args(revs, exclude, list(paths), since, until, max_count, first_parent)
    if args is None:
        return []
    raw = repo.run(*args).stdout
    return [_log_record(record) for record in raw.split(b"\0") if record.strip()]


def iter_log_commits(
    repo: GitRunner,
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
    commits that did not touch them.
    """
    args = _log_args([rev], (), list(paths), since, until, None, False)
    if args is None:
        return
    proc = subprocess.Popen(
        [*repo.base_args(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
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


def read_commits(repo: GitRunner, shas: Iterable[str]) -> list[CommitInfo]:
    """The named commits (checked ids), in the order given, by one ``git log --no-walk``."""
    wanted = [s for s in dict.fromkeys(shas) if HEX_OID.match(s)]
    if not wanted:
        return []
    raw = repo.run("log", "-z", _LOG_FORMAT, "--no-color", "--no-walk=unsorted", *wanted, "--").stdout
    return [_log_record(record) for record in raw.split(b"\0") if record.strip()]


def changed_paths(repo: ObjectStore, old: str | None, new: str, paths: Iterable[str] = ()) -> list[str]:
    """Paths that differ between ``old`` (None: the empty tree) and ``new``, optionally within ``paths``."""
    base = old or repo.empty_tree()
    raw = repo.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", base, new, "--", *paths).stdout
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]


def commit_changes(
    repo: ObjectStore, commits: Iterable[CommitInfo], paths: Iterable[str] = ()
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
            if HEX_OID.match(token.strip()):
                current = token.strip()
            i += 1
    zero = ZERO_OIDS
    blobs = repo.cat_blobs(oid for rows in entries.values() for _, a, b in rows for oid in (a, b) if oid not in zero)
    result = []
    for commit in items:
        if len(commit.parents) > 1:
            changed = changed_paths(repo, commit.parents[0], commit.sha, path_list)
            result.append((repo.read_files_at(commit.parents[0], changed), repo.read_files_at(commit.sha, changed)))
            continue
        rows = entries.get(commit.sha, [])
        before = {p: blobs[a] for p, a, _ in rows if a not in zero}
        after = {p: blobs[b] for p, _, b in rows if b not in zero}
        result.append((before, after))
    return result



def show_patch(repo: GitRunner, commit: str, paths: Iterable[str] = ()) -> str:
    """The raw diff a commit made (a merge: its combined diff), optionally limited to ``paths``."""
    raw = repo.run("show", "--format=", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--patch", commit, "--", *paths).stdout
    return raw.decode("utf-8", "replace")



def merge_base(repo: GitRunner, a: str, b: str) -> str | None:
    """The best common ancestor of two commits, or None (unrelated histories)."""
    proc = repo.run("merge-base", a, b, check=False)
    oid = proc.stdout.decode().strip()
    return oid if proc.returncode == 0 and HEX_OID.match(oid) else None



def is_ancestor(repo: GitRunner, ancestor: str, descendant: str) -> bool:
    """True when ``ancestor`` is reachable from ``descendant`` (a fast-forward)."""
    return repo.run("merge-base", "--is-ancestor", ancestor, descendant, check=False).returncode == 0



def count_commits(repo: GitRunner, new: str, old: str | None = None) -> int:
    """How many commits ``new`` has that ``old`` (None: nothing) lacks."""
    args = ["rev-list", "--count", new] + ([f"^{old}"] if old else [])
    return int(repo.out(*args, "--"))



def ahead_behind(repo: GitRunner, local: str, remote: str) -> tuple[int, int]:
    """(commits only in ``local``, commits only in ``remote``)."""
    text = repo.out("rev-list", "--left-right", "--count", f"{local}...{remote}")
    left, right = text.split()
    return int(left), int(right)



def commit_before(repo: GitRunner, rev: str, when: str) -> str | None:
    """The newest first-parent commit of ``rev`` made before ``when`` (a date)."""
    if rev.startswith("-") or when.startswith("-"):
        return None
    tip = repo.rev_parse(rev)
    if tip is None:
        return None
    proc = repo.run("rev-list", "-1", "--first-parent", "--before", when, tip, check=False)
    oid = proc.stdout.decode().strip()
    return oid if proc.returncode == 0 and HEX_OID.match(oid) else None


def maintain_commit_graph(repo: GitRunner) -> bool:
    """Write git's commit-graph with changed-path filters (fast ``git log -- path``).

    Incremental (``--split``), so calling it after writes stays cheap. Returns
    False when git could not write it (a read-only account), which is harmless.
    """
    proc = repo.run("commit-graph", "write", "--reachable", "--changed-paths", "--split", check=False)
    return proc.returncode == 0



def ensure_commit_graph(repo: GitRunner) -> None:
    """Write the commit-graph once when there is none (a file test, no process otherwise)."""
    info = repo.git_dir / "objects" / "info"
    if not (info / "commit-graph").exists() and not (info / "commit-graphs").is_dir():
        maintain_commit_graph(repo)


def commit_author(repo: GitRunner, commit: str) -> tuple[str, str, str]:
    """(name, e-mail, ISO date) of a commit's author."""
    text = repo.out("show", "-s", "--format=%an%x00%ae%x00%aI", commit, "--")
    name, email, when = (text.split("\0") + ["", "", ""])[:3]
    return name, email, when
