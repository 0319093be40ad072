"""The history walk: ``git log`` of a plan turned into events, newest first, as cheaply as a filter allows.

For one unit, only the versions whose text for that unit differs are parsed
(:func:`unit_fingerprint`); a limit reads only the newest part of the log."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracker.cache_owner import is_writer
from tracker.git.log import CommitInfo
from tracker.history.diffing import parse_bytes
from tracker.history.event_record import EventRecord
from tracker.history.events import (
    Event,
    FieldChange,
    HistoryFilter,
    _aware,
    _path_sort,
    apply_filter,
    commit_events,
    file_events,
    is_reminders_path,
    is_task_path,
    merge_resolution_changes,
)
from tracker.textsafe import clean_text

if TYPE_CHECKING:
    from tracker.git.log import CommitInfo

# ---------------------------------------------------------------- one unit, fast

# Keys that spell the unit outside its own tables ("单位" = {...}, "单位".status = ...).
_ESCAPE = re.compile(rb"\\[uU]")
_HEADER = re.compile(rb"^[ \t]*\[[^\n]*", re.MULTILINE)
_STRIPPED = re.compile(rb'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')


def unit_fingerprint(data: bytes, unit: str) -> bytes | None:
    """The text of a task file that holds ``unit``'s assignments, or None when unsure.

    That text is every table whose header names the unit
    (``[requirements.1.units."市发改局"]``, its sub-tables) up to the next
    header. Two versions with the same fingerprint give no event for the unit,
    so history parses only the versions where it differs. None (parse it) when
    the file could hold the unit's data elsewhere or in a form this does not
    follow: a ``\\u`` escape, the name used as a key outside its headers, a
    multi-line string or an open bracket inside the unit's tables, an array of
    tables over ``requirements``, or a ``reminder`` key (which changes how a
    commit's ``Reminder:`` trailer is shown).
    """
    name = unit.encode("utf-8")
    if not name or any(c in name for c in (b'"', b"'", b"\\", b"\n", b"\r")):
        return None
    if _ESCAPE.search(data) or b"reminder" in data:
        return None
    headers = [(m.start(), m.end()) for m in _HEADER.finditer(data)]
    spans: list[tuple[int, int, int]] = []  # (header start, header end, section end)
    for index, (begin, stop) in enumerate(headers):
        line = data[begin:stop]
        if name in line:
            spans.append((begin, stop, headers[index + 1][0] if index + 1 < len(headers) else len(data)))
        elif line.lstrip(b" \t").startswith(b"[[") and b"requirements" in line:
            return None
    as_key = re.compile(re.escape(name) + rb"[\"']?[ \t]*[=.]")
    for found in as_key.finditer(data):
        if not any(begin <= found.start() < end for begin, _, end in spans):
            return None
    for _, stop, end in spans:
        # A section must end where it is closed: no multi-line string, no bracket left open
        # (else the next "[" line may be inside a value and the unit's text go on past it).
        body = data[stop:end]
        if b'"""' in body or b"'''" in body:
            return None
        body = _STRIPPED.sub(b"", body)
        if body.count(b"[") + body.count(b"{") != body.count(b"]") + body.count(b"}"):
            return None
    text = b"\0".join(data[begin:end] for begin, _, end in spans)
    return text


class VersionMemo:
    """Parsed versions and unit fingerprints of the files one walk sees, keyed by their bytes.

    A commit's "before" is the next older commit's "after" (the same bytes
    object from one ``cat-file --batch``), so each version is parsed at most once.
    """

    def __init__(self, unit: str | None = None, parse: Callable[[bytes], dict[str, Any] | None] | None = None) -> None:
        self.unit = unit or None
        self._parse = parse or parse_bytes  # the store's parsed-blob cache, when given
        self._parsed: dict[bytes, dict[str, Any]] = {}
        self._prints: dict[bytes, bytes | None] = {}

    def fingerprint(self, data: bytes) -> bytes | None:
        """:func:`unit_fingerprint` of ``data`` for this walk's unit, memoised."""
        if self.unit is None:
            return None
        if data not in self._prints:
            self._prints[data] = unit_fingerprint(data, self.unit)
        return self._prints[data]

    def parse(self, data: bytes | None) -> dict[str, Any] | None:
        """:func:`parse_bytes`, memoised."""
        if data is None:
            return None
        if data not in self._parsed:
            self._parsed[data] = self._parse(data) or {}
        return self._parsed[data]

    def file_events(self, path: str, old: bytes | None, new: bytes | None) -> list[FieldChange]:
        """:func:`file_events` with memoised parses."""
        return file_events(path, old, new, parse=self.parse)

    def files_events(self, before: Mapping[str, bytes], after: Mapping[str, bytes]) -> list[FieldChange]:
        """:func:`files_events`, skipping what cannot concern this walk's unit.

        With a unit, a task file whose fingerprint is unchanged and any file
        other than task and reminder files (whose events name no unit) are
        skipped: the unit's events are those of the full comparison.
        """
        events: list[FieldChange] = []
        for path in sorted(set(before) | set(after), key=_path_sort):
            old, new = before.get(path), after.get(path)
            if self.unit is not None and not is_reminders_path(path):
                if not is_task_path(path):
                    continue
                if old is not None and new is not None:
                    mark = self.fingerprint(old)
                    if mark is not None and mark == self.fingerprint(new):
                        continue
            events.extend(self.file_events(path, old, new))
        return events



# ---------------------------------------------------------------- walking git


@dataclass
class HistoryResult:
    """Events plus, per commit, the raw patch when asked for."""

    events: list[Event] = field(default_factory=list)
    patches: dict[str, str] = field(default_factory=dict)


def walk(
    repo: Any,
    ref: str,
    flt: HistoryFilter,
    *,
    names: Mapping[str, str] | None = None,
    patch: bool = False,
    task_path: str | None = None,
    parse: Callable[[bytes], dict[str, Any] | None] | None = None,
) -> HistoryResult:
    """Field-level events on ``ref`` (a commit id), newest first, filtered.

    ``repo`` is a ``GitRepo``. For one task the log is limited to its
    file ``task_path`` (task files are never renamed, so no ``--follow``). Each
    commit's changed files are compared with its first parent's, field by field;
    a merge shows only what it resolved itself; a plan's first (root) commit is
    the starting point and yields no events.

    The log is read lazily, newest first: with ``flt.limit`` the walk stops once
    it holds that many events and the next commit is older than the oldest of
    them (exact as long as committer dates do not run backwards, and author
    dates are not later than committer dates, as with commits made by
    ``tracker``). With ``flt.unit`` only the versions whose text for that unit
    differs are parsed (:func:`unit_fingerprint`); the events are the same as
    those of a full parse. ``parse``: how a version's bytes become TOML data (default
    :func:`parse_bytes`; the store passes its parsed-blob cache, so a version parsed by an
    earlier run is read, not parsed again).
    """
    from tracker.git.log import commit_changes, ensure_commit_graph, iter_log_commits, show_patch  # noqa: PLC0415

    if is_writer(repo.git_dir):
        ensure_commit_graph(repo)  # git's own file: another account reading leaves nothing behind
    paths = [task_path] if (flt.task is not None and task_path) else []
    since = flt.since.isoformat() if flt.since else None
    until = flt.until.isoformat() if flt.until else None
    versions = VersionMemo(flt.unit, parse)
    # One task: what each commit did to its file comes from the record when there (tracker/history/event_record.py)
    record = EventRecord.open(repo.git_dir) if paths else None
    whole = VersionMemo(None, parse) if record is not None else versions  # recorded rows are for every unit
    result = HistoryResult()
    listed = _task_commits(repo, record, ref, paths[0]) if record is not None and not since and not until else None
    log = iter(listed) if listed is not None else iter_log_commits(repo, ref, paths=paths, since=since, until=until)
    learned: list[tuple[str, str, list[FieldChange]]] = []
    try:
        # Small batches first: "the newest 20" of a long history needs only its newest commits.
        size = 8 if flt.limit is not None else 200
        batch = list(itertools.islice(log, size))
        while batch:
            if flt.limit is not None and _enough(result.events, flt.limit, batch[0]):
                break
            known = record.lookup([c.sha for c in batch if len(c.parents) == 1], paths[0]) if record else {}
            unknown = [c for c in batch if c.parents and c.sha not in known]
            changes = dict(zip((c.sha for c in unknown), commit_changes(repo, unknown, paths), strict=True))
            for meta in batch:
                if not meta.parents:
                    continue  # a plan's first commit creates everything: the starting point, not an event
                if meta.sha in known:
                    rows = known[meta.sha]
                elif len(meta.parents) > 1:
                    before, after = changes[meta.sha]
                    parent_files = [
                        repo.read_files_at(p, list(after) + list(before)) for p in meta.parents
                    ]
                    rows = merge_resolution_changes(before, parent_files, after)
                else:
                    rows = whole.files_events(*changes[meta.sha])
                    if record is not None:
                        learned.append((meta.sha, paths[0], rows))
                if flt.task is not None:
                    rows = [r for r in rows if r.task == flt.task]
                events = [e for e in commit_events(meta, rows, names) if flt.keeps(e)]
                result.events.extend(events)
                if patch and events:
                    result.patches[meta.sha] = clean_text(show_patch(repo, meta.sha, paths))
            size = min(size * 4, 400)
            batch = list(itertools.islice(log, size))
    finally:
        if listed is None:
            log.close()  # type: ignore[attr-defined]
        if record is not None:
            record.add(learned)
            record.close()
    result.events = apply_filter(result.events, flt)
    if patch:
        kept = {e.commit for e in result.events}
        result.patches = {k: v for k, v in result.patches.items() if k in kept}
    return result


def _task_commits(repo: Any, record: EventRecord, ref: str, path: str) -> list[CommitInfo] | None:
    """The commits that changed ``path`` up to ``ref``, newest first, as ``git log --full-history`` lists them.

    From the record when it lists them up to ``ref``; when it lists them up to an
    ancestor of ``ref`` reached by commits with one parent (the writer's own, a
    fast-forward), git lists only the newer ones (their order then cannot differ from
    a whole walk's); else one whole ``git log`` of the file, recorded by the writer.
    None: the record cannot say (walk the log as before).
    """
    from tracker.git.log import is_ancestor, log_commits, read_commits  # noqa: PLC0415

    walked = record.walked(path)
    newer: list[CommitInfo] = []
    if walked is not None and walked != ref:
        linear = is_ancestor(repo, walked, ref) and repo.out("rev-list", "--merges", "--count", ref, f"^{walked}",
                                                               "--").strip() == "0"
        if linear:
            newer = log_commits(repo, [ref], exclude=[walked], paths=[path])
        else:
            walked = None
    if walked is None:
        commits = log_commits(repo, [ref], paths=[path])
        record.set_walk(path, ref, commits)
        return commits
    ids = record.touches(path)
    infos = record.commit_infos(ids)
    missing = [sha for sha in ids if sha not in infos]
    if missing:
        found = read_commits(repo, missing)
        record.save_infos(found)
        infos.update((c.sha, c) for c in found)
    if any(sha not in infos for sha in ids):
        return None
    if newer:
        record.set_walk(path, ref, newer, since=walked)
    return newer + [infos[sha] for sha in ids]


def _enough(events: Sequence[Event], limit: int, following: Any) -> bool:
    """True when no commit from ``following`` on can bring an event into the newest ``limit``."""
    if len(events) < limit:
        return False
    newest = sorted((_aware(e.at) for e in events), reverse=True)
    committed = following.committed_at or following.authored_at
    return bool(_aware(committed) < newest[limit - 1])
