"""Field-level events: what changed between two versions of the store's files, field by field.

Events are computed by comparing the files a commit changed with the same files at its
parent, never by trusting the commit message: a status change is ``status: in_progress ->
done``, a note is ``note: "" -> text``, an evidence item ``evidence: "" -> URL``. Plan
metadata, the unit registry, the operators file and the reminders file give events too
(dotted key paths as the field name). Pure: bytes and parsed TOML in, events out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.codec import META_FILES, task_number_from_path
from tracker.git.log import CommitInfo
from tracker.history.diffing import _ordered_union, canonical, leaf_changes, parse_bytes, render
from tracker.messages import login_from_email, trailer
from tracker.textsafe import clean_line

TASKS_PREFIX = "tasks/"
# Fields that change with every edit of an assignment; they are bookkeeping, not events.
BOOKKEEPING_FIELDS = frozenset({"updated", "updated_by"})
# The JSON row of an event, in this order (other tools read it: keep it exact).
EVENT_JSON_KEYS = (
    "commit",
    "at",
    "login",
    "name",
    "on_behalf_of",
    "task",
    "requirement",
    "unit",
    "field",
    "old",
    "new",
    "subject",
)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class FieldChange:
    """One field of one file changed, described for people.

    ``key`` is the TOML key path inside the file (for tooling and verify);
    ``old``/``new`` are rendered as text ("" when absent).
    """

    path: str
    task: int | None
    requirement: str
    unit: str
    field: str
    old: str
    new: str
    key: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """A :class:`FieldChange` with the commit that made it (one row of ``tracker history``)."""

    commit: str
    at: datetime
    login: str
    name: str
    on_behalf_of: str
    task: int | None
    requirement: str
    unit: str
    field: str
    old: str
    new: str
    subject: str
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON row: exactly the documented keys."""
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return {key: data[key] for key in EVENT_JSON_KEYS}



# ---------------------------------------------------------------- task files


def task_events(path: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[FieldChange]:
    """Field changes between two parsed versions of one task file (None = absent)."""
    number = _task_number(path, old, new)

    def change(
        requirement: str, unit: str, name: str, before: Any, after: Any, key: tuple[str, ...]
    ) -> FieldChange:
        return FieldChange(path, number, requirement, unit, name, render(before), render(after), key)

    if old is None or new is None:
        if old is None and new is None:
            return []
        title_old = old.get("title", "") if old else ""
        title_new = new.get("title", "") if new else ""
        return [change("", "", "task", title_old, title_new, ())]

    events: list[FieldChange] = []
    for key in _ordered_union(old, new):
        if key == "requirements":
            continue
        if old.get(key) != new.get(key):
            events.append(change("", "", key, old.get(key), new.get(key), (key,)))
    old_reqs = _as_dict(old.get("requirements"))
    new_reqs = _as_dict(new.get("requirements"))
    for rkey in sorted(_ordered_union(old_reqs, new_reqs), key=_number_sort):
        before, after = old_reqs.get(rkey), new_reqs.get(rkey)
        base = ("requirements", rkey)
        if before is None or after is None:
            text_old = before.get("text", "") if isinstance(before, dict) else ""
            text_new = after.get("text", "") if isinstance(after, dict) else ""
            events.append(change(rkey, "", "requirement", text_old, text_new, base))
            continue
        for key in _ordered_union(before, after):
            if key == "units":
                continue
            if before.get(key) != after.get(key):
                events.append(change(rkey, "", key, before.get(key), after.get(key), (*base, key)))
        old_units = _as_dict(before.get("units"))
        new_units = _as_dict(after.get("units"))
        for unit in _ordered_union(old_units, new_units):
            a, b = old_units.get(unit), new_units.get(unit)
            ukey = (*base, "units", unit)
            if a is None or b is None:
                role_old = a.get("role", "") if isinstance(a, dict) else ""
                role_new = b.get("role", "") if isinstance(b, dict) else ""
                events.append(change(rkey, unit, "units", role_old, role_new, ukey))
                continue
            events.extend(_assignment_events(path, number, rkey, unit, a, b, ukey))
    return events


def _assignment_events(
    path: str,
    number: int | None,
    rkey: str,
    unit: str,
    a: Mapping[str, Any],
    b: Mapping[str, Any],
    ukey: tuple[str, ...],
) -> list[FieldChange]:
    events: list[FieldChange] = []
    for key in _ordered_union(a, b):
        if key in BOOKKEEPING_FIELDS or a.get(key) == b.get(key):
            continue
        before, after = a.get(key), b.get(key)
        if key == "notes":
            for old_text, new_text in _note_changes(_as_list(before), _as_list(after)):
                events.append(FieldChange(path, number, rkey, unit, "note", old_text, new_text, (*ukey, key)))
        elif key == "evidence":
            old_items, new_items = _as_list(before), _as_list(after)
            for item in old_items:
                if item not in new_items:
                    events.append(
                        FieldChange(path, number, rkey, unit, "evidence", render(item), "", (*ukey, key))
                    )
            for item in new_items:
                if item not in old_items:
                    events.append(
                        FieldChange(path, number, rkey, unit, "evidence", "", render(item), (*ukey, key))
                    )
        else:
            events.append(
                FieldChange(path, number, rkey, unit, key, render(before), render(after), (*ukey, key))
            )
    return events


def _note_changes(old: list[Any], new: list[Any]) -> list[tuple[str, str]]:
    """Appended notes as ("", text); removed or rewritten ones as (text, "")/(old, new)."""

    def text(note: Any) -> str:
        return render(note.get("text", "")) if isinstance(note, dict) else render(note)

    if new[: len(old)] == old:
        return [("", text(n)) for n in new[len(old) :]]
    old_keys = [canonical(n) for n in old]
    new_keys = [canonical(n) for n in new]
    removed = [text(n) for n, k in zip(old, old_keys, strict=True) if k not in new_keys]
    added = [text(n) for n, k in zip(new, new_keys, strict=True) if k not in old_keys]
    pairs: list[tuple[str, str]] = []
    for index in range(max(len(removed), len(added))):
        pairs.append(
            (removed[index] if index < len(removed) else "", added[index] if index < len(added) else "")
        )
    return pairs


def _task_number(path: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> int | None:
    rel = path[len(TASKS_PREFIX) :] if path.startswith(TASKS_PREFIX) else path
    try:
        number = task_number_from_path(rel)
    except ValueError:
        number = None
    if number is not None:
        return number
    for data in (new, old):
        if data and isinstance(data.get("number"), int):
            return int(data["number"])
    return None


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _number_sort(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (10**9, key)


# ---------------------------------------------------------------- other files


def is_reminders_path(path: str) -> bool:
    """Files that record reminders (``tasks/reminders.toml`` and the like)."""
    return path.startswith(TASKS_PREFIX) and "remind" in Path(path).name.lower()


def is_task_path(path: str) -> bool:
    """A task file under ``tasks/``."""
    if not path.startswith(TASKS_PREFIX):
        return False
    try:
        return task_number_from_path(path[len(TASKS_PREFIX) :]) is not None
    except ValueError:
        return False


def meta_events(path: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[FieldChange]:
    """Dotted-key events for plan.toml, units.toml, operators.toml and other TOML files."""
    stem = Path(path).stem
    events = []
    for key, before, after in leaf_changes(old, new):
        name = ".".join(key)
        if key[0] != stem:
            name = f"{stem}.{name}"
        events.append(FieldChange(path, None, "", "", name, render(before), render(after), key))
    return events


def reminder_events(
    path: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[FieldChange]:
    """One ``reminder`` event per reminder record added or changed.

    A record is an entry of an array of tables (``[[reminders]]``) or a table
    (``[reminders."市发改局"]``); its ``unit``, ``task`` and ``requirement``
    keys, when present, fill the event's columns.
    """
    events: list[FieldChange] = []
    for name, before, after in _records(old, new):
        record = after if isinstance(after, dict) else before if isinstance(before, dict) else {}
        unit = render(record.get("unit", "")) or (name if not name.isdigit() else "")
        task, requirement = _task_ref(record)
        events.append(
            FieldChange(
                path,
                task,
                requirement,
                unit,
                "reminder",
                _summary(before),
                _summary(after),
                ("reminders", name),
            )
        )
    return events


def _records(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[tuple[str, Any, Any]]:
    records: list[tuple[str, Any, Any]] = []
    old, new = old or {}, new or {}
    for key in _ordered_union(old, new):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, list | type(None)) and isinstance(b, list | type(None)):
            a_list, b_list = a or [], b or []
            a_keys = {canonical(x) for x in a_list}
            b_keys = {canonical(x) for x in b_list}
            records += [(str(i), x, None) for i, x in enumerate(a_list) if canonical(x) not in b_keys]
            records += [(str(i), None, x) for i, x in enumerate(b_list) if canonical(x) not in a_keys]
        elif isinstance(a, dict | type(None)) and isinstance(b, dict | type(None)) and _all_tables(a, b):
            a_map, b_map = a or {}, b or {}
            records += [
                (k, a_map.get(k), b_map.get(k))
                for k in _ordered_union(a_map, b_map)
                if a_map.get(k) != b_map.get(k)
            ]
        else:
            records.append((key, a, b))
    return records


def _all_tables(*maps: Mapping[str, Any] | None) -> bool:
    return all(isinstance(v, dict) for m in maps if m for v in m.values())


def _task_ref(record: Mapping[str, Any]) -> tuple[int | None, str]:
    raw = record.get("requirement") or record.get("task")
    items = record.get("items")
    if raw is None and isinstance(items, list) and len(items) == 1:
        raw = items[0]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw, ""
    if isinstance(raw, str) and raw:
        head, _, key = raw.partition(".")
        if head.isdigit():
            return int(head), key
    return None, ""


def _summary(record: Any) -> str:
    if record is None:
        return ""
    if isinstance(record, dict):
        for key in ("text", "message", "note", "items", "at"):
            if record.get(key):
                return render(record[key])
    return render(record)


def file_events(
    path: str, old: bytes | None, new: bytes | None, parse: Callable[[bytes | None], Any] | None = None
) -> list[FieldChange]:
    """Field changes of one file between two versions (bytes; None = absent).

    A file that does not parse gives one ``file`` event saying so, never an exception.
    ``parse`` replaces :func:`parse_bytes` (a memoising parser, see :class:`VersionMemo`).
    """
    if old == new:
        return []
    parse = parse or parse_bytes
    try:
        before, after = parse(old), parse(new)
    except ValueError as exc:
        return [FieldChange(path, None, "", "", "file", "", f"无法解析: {clean_line(str(exc))}")]
    if is_task_path(path):
        return task_events(path, before, after)
    if is_reminders_path(path):
        return reminder_events(path, before, after)
    return meta_events(path, before, after)


def files_events(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> list[FieldChange]:
    """Field changes of a whole commit, given the changed files before and after."""
    events: list[FieldChange] = []
    for path in sorted(set(before) | set(after), key=_path_sort):
        events.extend(file_events(path, before.get(path), after.get(path)))
    return events


def _path_sort(path: str) -> tuple[int, str]:
    name = path[len(TASKS_PREFIX) :] if path.startswith(TASKS_PREFIX) else path
    return (0 if name in META_FILES else 1, path)


# ---------------------------------------------------------------- commits -> events


def commit_events(
    meta: CommitInfo,
    changes: Sequence[FieldChange],
    names: Mapping[str, str] | None = None,
) -> list[Event]:
    """Attach the commit's who/when to its field changes.

    The login comes from the author e-mail (the service writes ``login@...``);
    ``names`` maps logins to display names from the operators file, falling back
    to the author name. ``On-behalf-of`` is shown as recorded. A commit with a
    ``Reminder:`` trailer and no reminder-file change still shows one
    ``reminder`` event per trailer, so a reminder is never invisible.
    """
    trailers = meta.trailers
    login = login_from_email(meta.author_email) or clean_line(meta.author_name)
    name = (names or {}).get(login) or clean_line(meta.author_name)
    on_behalf = clean_line(trailer(trailers, "On-behalf-of"))
    rows = list(changes)
    if not any(c.field == "reminder" for c in rows):
        for unit in trailers.get("reminder", []):
            task, req = _task_ref({"task": trailer(trailers, "Task")})
            rows.append(FieldChange("", task, req, clean_line(unit), "reminder", "", meta.subject))
    return [
        Event(
            commit=meta.sha,
            at=meta.authored_at,
            login=clean_line(login),
            name=name,
            on_behalf_of=on_behalf,
            task=c.task,
            requirement=c.requirement,
            unit=c.unit,
            field=c.field,
            old=c.old,
            new=c.new,
            subject=meta.subject,
            path=c.path,
        )
        for c in rows
    ]


def merge_resolution_changes(
    base_before: Mapping[str, bytes],
    parents_after: Sequence[Mapping[str, bytes]],
    merged: Mapping[str, bytes],
) -> list[FieldChange]:
    """Changes a merge made itself: fields whose merged value equals no parent's.

    ``base_before`` is the first parent's files (the "old" shown); a field taken
    unchanged from either parent is the other side's own commit and is shown there.
    """
    out: list[FieldChange] = []
    for change in files_events(base_before, merged):
        if all(_field_in(change, parent, merged) for parent in parents_after[:1]):
            continue
        if any(_field_in(change, parent, merged) for parent in parents_after[1:]):
            continue
        out.append(change)
    return out


def _field_in(change: FieldChange, parent: Mapping[str, bytes], merged: Mapping[str, bytes]) -> bool:
    """True when the changed key has the same value in ``parent`` as in ``merged``."""
    try:
        a = parse_bytes(parent.get(change.path))
        b = parse_bytes(merged.get(change.path))
    except ValueError:
        return False
    return bool(_get(a, change.key) == _get(b, change.key))


def _get(data: Any, key: Sequence[str]) -> Any:
    node = data
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# ---------------------------------------------------------------- filtering


@dataclass(frozen=True)
class HistoryFilter:
    """What ``tracker history`` was asked for."""

    task: int | None = None
    unit: str | None = None
    operator: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None

    def keeps(self, event: Event) -> bool:
        """Whether an event passes the filter (the limit is applied by the caller)."""
        if self.task is not None and event.task != self.task:
            return False
        if self.unit is not None and event.unit != self.unit:
            return False
        if self.operator is not None and self.operator not in (event.login, event.on_behalf_of):
            return False
        if self.since is not None and _aware(event.at) < _aware(self.since):
            return False
        return not (self.until is not None and _aware(event.at) > _aware(self.until))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.astimezone()


def apply_filter(events: Iterable[Event], flt: HistoryFilter) -> list[Event]:
    """Events passing ``flt``, newest first, cut at ``flt.limit``."""
    kept = [e for e in events if flt.keeps(e)]
    kept.sort(key=lambda e: _aware(e.at), reverse=True)
    return kept[: flt.limit] if flt.limit is not None else kept
