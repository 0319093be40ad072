"""Three-way merge of the store's TOML files, field by field.

Used by the git merge driver (``tracker merge-driver %O %A %B %P``) and by
``tracker sync``. The merge works on parsed data, then writes the result into
*our* file with tomlkit, so every untouched byte of our side stays as it was.

Rules (``b`` = base, ``o`` = ours, ``t`` = theirs):

* A value changed on one side only takes that side's value.
* Tables merge key by key: different fields of one task, different
  requirements, different units of one requirement never collide.
* ``notes`` (lists of ``{at, by, text}``) are a union ordered by ``at``; a note
  removed on one side stays removed.
* ``evidence``, ``aliases``, ``members``, ``optional``, ``leads``,
  ``implementers``, ``unclassified`` and operator ``units`` are sets: additions
  from both sides are kept, removals from either side are applied.
* ``updated`` / ``updated_by`` are bookkeeping, never a conflict of their own:
  changed on one side, that side's; on both, the later ``updated`` wins with
  its ``updated_by`` (they describe the last change, they are not a decision
  anybody made). Both sites setting one status differently is one conflict.
* A table deleted on one side and changed on the other is kept (nothing is
  lost) and a conflict is recorded with the deleted side's value absent.
* Anything else changed on both sides to different values is a **conflict**:
  the file keeps our value for now and records both values.

Conflict form (stored in the file, read by ``codec.load_task``)::

    [[conflicts]]
    path = ["requirements", "1", "units", "营里镇", "status"]
    ours = "done"                    # absent when our side deleted it
    theirs = "blocked"               # absent when their side deleted it
    ours_by = "zhangsan"             # the assignment's updated_by on that side
    ours_at = 2019-08-01T10:00:00+08:00
    theirs_by = "lisi"
    theirs_at = 2019-08-02T09:00:00+08:00

``path`` is the list of keys from the top of the file to the field. In a
task file a path ``requirements.R.units.U.F`` is one unit's field and shows up
as ``Assignment.conflicts``; every conflict of a task is in
``Task.conflicts``. Resolving a conflict (``tracker.sync.resolve_conflict``)
sets the chosen value and removes the entry, in one commit. The ``conflicts``
array itself merges by path: an entry resolved on one side stays resolved.

The merged text always parses and, for task, unit and plan files, validates;
:class:`MergeError` is raised only when an input itself is broken.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

import tomlkit
import tomlkit.items

from tracker.codec import (
    OPERATORS_FILE,
    PLAN_FILE,
    UNITS_FILE,
    CodecError,
    conflict_entry,
    conflict_from_entry,
    load_plan_info,
    load_task,
    normalise_for_compare,
    notes_item,
    task_number_from_path,
    text_item,
)
from tracker.model import FieldConflict, Note

CONFLICTS_KEY = "conflicts"
# Who and when of a table's last change: they follow the merge, they are never a conflict.
STAMP_FIELDS = ("updated", "updated_by")
SET_LISTS = frozenset(
    {"evidence", "aliases", "members", "optional", "leads", "implementers", "unclassified", "units"}
)


class _Missing:
    """A key absent on one side (TOML has no null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class MergeError(ValueError):
    """An input that cannot be merged (broken TOML, or a result that does not validate)."""


@dataclass
class MergeResult:
    """The merged text and the conflicts this merge recorded in it."""

    text: str
    conflicts: list[FieldConflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class Side:
    """Who made a side's change, used when the file itself does not say."""

    by: str = ""
    at: datetime | None = None


def merge_texts(
    base: str,
    ours: str,
    theirs: str,
    path: str,
    *,
    ours_side: Side | None = None,
    theirs_side: Side | None = None,
) -> MergeResult:
    """Merge two versions of one TOML file against their common ancestor.

    Args:
        base: the common ancestor's text ("" when the file is new on both sides).
        ours: our (local) text; the result keeps its formatting.
        theirs: their (remote) text.
        path: the file's path in the repository (``tasks/05.toml``), used to
            pick the validator and in error messages.
        ours_side, theirs_side: author and time of each side's change, used for
            conflicts outside a unit's table (which has its own updated_by).

    Raises:
        MergeError: ours or theirs is not valid TOML, or the merged file does
            not validate (e.g. a group member deleted on the other side).
    """
    if ours == theirs or theirs == base:
        return MergeResult(ours)
    if ours == base:
        return MergeResult(theirs)
    ours_data = _parse(ours, path, "本地")
    theirs_data = _parse(theirs, path, "远端")
    try:
        base_data = tomllib.loads(base) if base.strip() else {}
    except tomllib.TOMLDecodeError:
        base_data = {}
    merger = _Merger(ours_data, theirs_data, ours_side or Side(), theirs_side or Side())
    merged = merger.merge_root(base_data, ours_data, theirs_data)
    text = render(ours, merged)
    validate(text, path)
    return MergeResult(text, merger.conflicts)


def merge_data(base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldConflict]]:
    """The merge on parsed data only (what :func:`merge_texts` writes out)."""
    merger = _Merger(dict(ours), dict(theirs), Side(), Side())
    return merger.merge_root(dict(base), dict(ours), dict(theirs)), merger.conflicts


def _parse(text: str, path: str, side: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MergeError(f"{path}: {side}版本不是有效的 TOML: {exc}") from None


# ---------------------------------------------------------------- the data merge


def _sort_key(value: Any) -> Any:
    """A total order over TOML values, for deterministic (symmetric) set merges."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return (0, aware.timestamp(), "")
    if isinstance(value, date):
        return (0, datetime.combine(value, time()).replace(tzinfo=UTC).timestamp(), "")
    return (1, 0.0, repr(value))


def _freeze(value: Any) -> Any:
    """A hashable stand-in for a TOML value."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _set_merge(base: list[Any], ours: list[Any], theirs: list[Any], sort_all: Callable[[Any], Any] | None) -> list[Any]:
    base_keys = {_freeze(v) for v in base}
    ours_keys = {_freeze(v) for v in ours}
    theirs_keys = {_freeze(v) for v in theirs}
    kept = [v for v in base if _freeze(v) in ours_keys and _freeze(v) in theirs_keys]
    added: dict[Any, Any] = {}
    for v in [*ours, *theirs]:
        key = _freeze(v)
        if key not in base_keys:
            added.setdefault(key, v)
    if sort_all is not None:
        return sorted([*kept, *added.values()], key=sort_all)
    return kept + sorted(added.values(), key=lambda v: repr(_freeze(v)))


def _note_key(note: Any) -> Any:
    if isinstance(note, dict):
        return (_sort_key(note.get("at")), str(note.get("by", "")), str(note.get("text", "")))
    return (_sort_key(None), "", repr(note))


def _stamp(table: Mapping[str, Any]) -> dict[str, Any]:
    return {key: table[key] for key in STAMP_FIELDS if key in table}


def _merged_stamp(b: Mapping[str, Any], o: Mapping[str, Any], t: Mapping[str, Any]) -> dict[str, Any]:
    """``updated`` / ``updated_by`` of a merged table: bookkeeping, never a conflict of its own.

    They say who changed the table last, so they follow the changes: a stamp
    changed on one side only is that side's; changed on both, the later
    ``updated`` wins as a pair (an absent one counts as oldest; a tie goes to
    the greater name, so merging either way round gives the same file).
    A real disagreement (the status) is the conflict, listed once.
    """
    base, ours, theirs = _stamp(b), _stamp(o), _stamp(t)
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs

    def later(stamp: dict[str, Any]) -> tuple[bool, Any, str]:
        at = stamp.get("updated")
        return (isinstance(at, date), _sort_key(at), str(stamp.get("updated_by", "")))

    return max((ours, theirs), key=later)


class _Merger:
    def __init__(self, ours_root: dict[str, Any], theirs_root: dict[str, Any], ours_side: Side, theirs_side: Side) -> None:
        self.ours_root = ours_root
        self.theirs_root = theirs_root
        self.ours_side = ours_side
        self.theirs_side = theirs_side
        self.conflicts: list[FieldConflict] = []

    def merge_root(self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
        b = {k: v for k, v in base.items() if k != CONFLICTS_KEY}
        o = {k: v for k, v in ours.items() if k != CONFLICTS_KEY}
        t = {k: v for k, v in theirs.items() if k != CONFLICTS_KEY}
        merged = self.merge_value(b, o, t, ())
        assert isinstance(merged, dict)
        entries = self.merge_conflict_entries(
            base.get(CONFLICTS_KEY, []), ours.get(CONFLICTS_KEY, []), theirs.get(CONFLICTS_KEY, [])
        )
        for conflict in self.conflicts:
            entries[conflict.path] = conflict_entry(conflict)
        if entries:
            merged[CONFLICTS_KEY] = [entries[p] for p in sorted(entries)]
        return merged

    def merge_conflict_entries(self, base: Any, ours: Any, theirs: Any) -> dict[tuple[str, ...], dict[str, Any]]:
        """Existing conflict records merge by path; a record resolved on one side stays resolved."""

        def index(entries: Any) -> dict[tuple[str, ...], dict[str, Any]]:
            found: dict[tuple[str, ...], dict[str, Any]] = {}
            if isinstance(entries, list):
                for entry in entries:
                    if isinstance(entry, dict) and isinstance(entry.get("path"), list):
                        found[tuple(str(p) for p in entry["path"])] = entry
            return found

        b, o, t = index(base), index(ours), index(theirs)
        result: dict[tuple[str, ...], dict[str, Any]] = {}
        for key in sorted(set(o) | set(t)):
            bo, oo, to = b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING)
            if oo == to or to == bo:
                chosen = oo
            elif oo == bo:
                chosen = to
            else:
                chosen = oo if oo is not MISSING else to
            if chosen is not MISSING:
                result[key] = chosen
        return result

    def merge_value(self, b: Any, o: Any, t: Any, path: tuple[str, ...]) -> Any:
        if o == t:
            return o
        if o == b:
            return t
        if t == b:
            return o
        name = path[-1] if path else ""
        if isinstance(o, dict) and isinstance(t, dict):
            return self.merge_table(b if isinstance(b, dict) else {}, o, t, path)
        if isinstance(o, list) and isinstance(t, list):
            base_list = b if isinstance(b, list) else []
            if name == "notes":
                return _set_merge(base_list, o, t, _note_key)
            if name in SET_LISTS and all(not isinstance(v, dict | list) for v in [*o, *t, *base_list]):
                return _set_merge(base_list, o, t, None)
        self.record(path, o, t)
        # Deleted on one side, changed on the other: keep the changed value, nothing is lost.
        return t if o is MISSING else o

    def merge_table(self, b: dict[str, Any], o: dict[str, Any], t: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys = list(o) + [k for k in t if k not in o]
        stamp = _merged_stamp(b, o, t)
        for key in keys:
            if key in STAMP_FIELDS:
                value = stamp.get(key, MISSING)
            else:
                value = self.merge_value(b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING), (*path, key))
            if value is not MISSING:
                result[key] = value
        return result

    def record(self, path: tuple[str, ...], ours: Any, theirs: Any) -> None:
        ours_by, ours_at = self.who(self.ours_root, path, self.ours_side)
        theirs_by, theirs_at = self.who(self.theirs_root, path, self.theirs_side)
        self.conflicts.append(FieldConflict(
            path, None if ours is MISSING else ours, None if theirs is MISSING else theirs,
            ours_by, ours_at, theirs_by, theirs_at,
        ))

    @staticmethod
    def who(root: dict[str, Any], path: tuple[str, ...], side: Side) -> tuple[str, datetime | None]:
        """The updated_by/updated of the unit table holding ``path``, else the side's author."""
        if len(path) >= 4 and path[0] == "requirements" and path[2] == "units":
            table = root.get("requirements", {}).get(path[1], {}).get("units", {}).get(path[3])
            if isinstance(table, dict) and (table.get("updated_by") or table.get("updated")):
                at = table.get("updated")
                return str(table.get("updated_by", "")), at if isinstance(at, datetime) else None
        return side.by, side.at


# ---------------------------------------------------------------- writing the result


def _to_item(key: str, value: Any) -> Any:
    """Plain data -> a tomlkit item in the codec's house format."""
    if (
        key == "notes"
        and isinstance(value, list)
        and all(isinstance(n, dict) and isinstance(n.get("at"), datetime) and isinstance(n.get("text"), str) for n in value)
    ):
        return notes_item(Note(at=n["at"], by=str(n.get("by", "")), text=n["text"]) for n in value)
    if key == "text" and isinstance(value, str) and "\n" in value:
        return text_item(value)
    if isinstance(value, dict):
        table = tomlkit.table(is_super_table=all(isinstance(v, dict) for v in value.values()) and bool(value))
        for k, v in value.items():
            table[k] = _to_item(k, v)
        return table
    if isinstance(value, list) and value and all(not isinstance(v, dict) for v in value):
        array = tomlkit.array()
        array.extend(value)
        if len(value) > 1 and key in SET_LISTS:
            array.multiline(True)
        return array
    return tomlkit.item(value)


def _apply(container: Any, merged: Mapping[str, Any]) -> None:
    """Make a tomlkit container hold ``merged``, touching only what differs."""
    for key in [k for k in container if k not in merged]:
        del container[key]
    for key, value in merged.items():
        if key in container:
            current = normalise_for_compare(container[key])
            if current == value:
                continue
            if isinstance(value, dict) and isinstance(current, dict) and isinstance(container[key], dict):
                _apply(container[key], value)
                continue
        container[key] = _to_item(key, value)


def render(ours_text: str, merged: Mapping[str, Any]) -> str:
    """Write ``merged`` into our text with tomlkit; fall back to a fresh file if tomlkit errs.

    Raises:
        MergeError: when neither way gives text that parses back to ``merged``.
    """
    try:
        doc = tomlkit.parse(ours_text)
        _apply(doc, merged)
        text = tomlkit.dumps(doc)
        if tomllib.loads(text) == merged:
            return text
    except Exception:  # noqa: BLE001 - tomlkit bugs of any kind: use the fallback below
        pass
    doc = tomlkit.document()
    for key, value in merged.items():
        doc[key] = _to_item(key, value)
    text = tomlkit.dumps(doc)
    if tomllib.loads(text) != merged:
        raise MergeError("合并结果写出后与预期不符(tomlkit 错误)")
    return text


def validate(text: str, path: str) -> None:
    """Check a merged file the way the store will read it.

    Raises:
        MergeError: naming the file and what is wrong.
    """
    relpath = path.split("tasks/", 1)[1] if "tasks/" in path else path.rsplit("/", 1)[-1]
    try:
        if task_number_from_path(relpath) is not None:
            load_task(text, path)
        elif relpath == UNITS_FILE:
            from tracker.units import load_registry

            load_registry(text, path)
        elif relpath == PLAN_FILE:
            load_plan_info(text, path)
        elif relpath == OPERATORS_FILE:
            from tracker.operators import load_operators

            load_operators(text, path)
        else:
            tomllib.loads(text)
    except (CodecError, ValueError) as exc:
        raise MergeError(f"合并结果无法通过校验: {exc}") from None


def conflicts_in(text: str) -> list[FieldConflict]:
    """The conflicts recorded in a file (for listings; unparsable text has none)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    entries = data.get(CONFLICTS_KEY, [])
    if not isinstance(entries, list):
        return []
    return [conflict_from_entry(e) for e in entries if isinstance(e, dict)]


def flatten(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Leaf values by key path (tables are walked, lists are leaves)."""
    out: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            out.update(flatten(value, (*prefix, key)))
        else:
            out[(*prefix, key)] = value
    return out


def field_changes(old_text: str, new_text: str) -> list[tuple[tuple[str, ...], Any, Any]]:
    """``(path, old, new)`` for every leaf that differs; ``MISSING`` for absent."""
    try:
        old = flatten(tomllib.loads(old_text)) if old_text else {}
        new = flatten(tomllib.loads(new_text)) if new_text else {}
    except tomllib.TOMLDecodeError:
        return []
    paths: Iterable[tuple[str, ...]] = list(old) + [p for p in new if p not in old]
    return [(p, old.get(p, MISSING), new.get(p, MISSING)) for p in paths if old.get(p, MISSING) != new.get(p, MISSING)]


def _without_stamps(data: Mapping[str, Any]) -> dict[str, Any]:
    """Parsed data with the who/when of conflict records left out (they come from commit metadata)."""
    out = dict(data)
    if isinstance(out.get(CONFLICTS_KEY), list):
        out[CONFLICTS_KEY] = [
            {k: v for k, v in e.items() if k not in ("ours_by", "ours_at", "theirs_by", "theirs_at")}
            if isinstance(e, dict) else e
            for e in out[CONFLICTS_KEY]
        ]
    return out


def merge_explains(
    base: bytes | None, ours: bytes | None, theirs: bytes | None, merged: bytes | None, path: str
) -> bool:
    """True when ``merged`` is exactly what the sync merge makes of the two sides.

    For ``tracker verify`` and the pre-receive hook: such a merge adds nothing
    of its author's own (conflicts are recorded, not decided), so anyone who
    may sync may make it. The who/when of conflict records is not compared.
    """
    if ours == theirs or theirs == base:
        return merged == ours
    if ours == base:
        return merged == theirs
    if ours is None or theirs is None:
        return merged == (theirs if ours is None else ours)  # deleted vs changed: the change is kept
    if merged is None:
        return False
    try:
        b = tomllib.loads(base.decode("utf-8")) if base else {}
        o = tomllib.loads(ours.decode("utf-8"))
        t = tomllib.loads(theirs.decode("utf-8"))
        m = tomllib.loads(merged.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    expected, _ = merge_data(b, o, t)
    return _without_stamps(expected) == _without_stamps(m)
