"""Tasks as plain JSON-able data and back: the form the parsed-blob cache and the query index keep.

No pickle or marshal: the cache may sit in a folder others can write, and a JSON entry can only
ever become data (a damaged one raises, and the caller parses the blob instead).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from tracker.codec import attach_conflicts, dump_conflicts
from tracker.model import Assignment, Note, Requirement, Role, Status, Task


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def task_to_plain(task: Task) -> dict[str, Any]:
    """A task as JSON-able data (for the on-disk cache; no pickle: the folder may be shared)."""
    return {
        "number": task.number,
        "title": task.title,
        "section": task.section,
        "subsection": task.subsection,
        "unclassified": list(task.unclassified),
        "continues": task.continues,
        "conflicts": dump_conflicts(task.conflicts),
        "requirements": [
            {
                "key": r.key,
                "text": r.text,
                "responsible": r.responsible,
                "deadline": r.deadline,
                "due": [d.isoformat() for d in r.due],
                "leads": list(r.leads),
                "implementers": list(r.implementers),
                "inherited": r.inherited,
                "assignments": [
                    {
                        "unit": a.unit,
                        "role": a.role.value,
                        "status": a.status.value,
                        "notes": [[_dt(n.at), n.by, n.text] for n in a.notes],
                        "evidence": list(a.evidence),
                        "updated": _dt(a.updated),
                        "updated_by": a.updated_by,
                        "unknown_unit": a.unknown_unit,
                    }
                    for a in r.assignments.values()
                ],
            }
            for r in task.requirements
        ],
    }


_ROLES = {r.value: r for r in Role}
_STATUSES = {s.value: s for s in Status}
_from_iso = datetime.fromisoformat


def task_from_plain(data: dict[str, Any]) -> Task:
    """Inverse of :func:`task_to_plain`; a fresh object every time (callers may mutate it).

    Raises:
        KeyError, TypeError, ValueError: a damaged entry (the caller parses the blob instead).
    """
    task = Task(
        number=data["number"],
        title=data["title"],
        section=data["section"],
        subsection=data["subsection"],
        unclassified=list(data["unclassified"]),
        continues=data["continues"],
    )
    number = task.number
    if not isinstance(number, int) or not isinstance(task.title, str):
        raise TypeError("bad cache entry")
    for r in data["requirements"]:
        req = Requirement(
            task=number,
            key=r["key"],
            text=r["text"],
            responsible=r["responsible"],
            deadline=r["deadline"],
            due=tuple(date.fromisoformat(d) for d in r["due"]),
            leads=list(r["leads"]),
            implementers=list(r["implementers"]),
            inherited=r["inherited"],
        )
        assignments = req.assignments
        for a in r["assignments"]:
            updated = a["updated"]
            assignments[a["unit"]] = Assignment(
                a["unit"],
                _ROLES[a["role"]],
                _STATUSES[a["status"]],
                [Note(_from_iso(n[0]), n[1], n[2]) for n in a["notes"]],
                list(a["evidence"]),
                _from_iso(updated) if updated else None,
                a["updated_by"],
                a["unknown_unit"],
            )
        task.requirements.append(req)
    attach_conflicts(task, data.get("conflicts", ""))
    return task


# TOML data as JSON: dates and times become one-key objects under a key no TOML file of ours
# uses (a document holding such a key is simply not cached).
_TAGS: dict[str, Callable[[str], Any]] = {
    "\u0000dt": datetime.fromisoformat, "\u0000d": date.fromisoformat, "\u0000t": time.fromisoformat,
}


def toml_to_plain(data: Any) -> Any:
    """``tomllib`` data as JSON-able data (None: it cannot be kept so, e.g. a tag-like key)."""
    try:
        return _encode(data)
    except ValueError:
        return None


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        if any(k.startswith("\u0000") for k in value):
            raise ValueError("reserved key")
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, datetime):
        return {"\u0000dt": value.isoformat()}
    if isinstance(value, date):
        return {"\u0000d": value.isoformat()}
    if isinstance(value, time):
        return {"\u0000t": value.isoformat()}
    if isinstance(value, float) and value != value:
        raise ValueError("nan")  # JSON would keep it, but not equal to itself: parse instead
    return value


def toml_from_plain(value: Any) -> Any:
    """Inverse of :func:`toml_to_plain`.

    Raises:
        ValueError, TypeError: a damaged entry (the caller parses the blob instead).
    """
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            kind = _TAGS.get(key)
            if kind is not None:
                return kind(inner)
        return {k: toml_from_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [toml_from_plain(v) for v in value]
    return value


__all__ = ["task_from_plain", "task_to_plain", "toml_from_plain", "toml_to_plain"]
