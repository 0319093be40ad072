"""The TOML edit engine: apply field changes to a task file's text, keeping every untouched byte.

Only the touched units' tables are edited with tomlkit (a few lines, not the whole file) and
spliced back; anything unusual falls back to editing the whole file. Either way the result is
parsed with ``tomllib`` and must equal what was meant (tomlkit has had bugs that reorder or merge
tables), and must load as a task. A changed field whose value is no longer what the user saw is
a :class:`~tracker.changes.Conflict`, never an overwrite.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from typing import Any

import tomlkit

from tracker.changes import Change, Conflict
from tracker.codec import CodecError, normalise_for_compare, notes_item, parse_toml, task_from_dict
from tracker.model import Note, Status, Task
from tracker.textsafe import clean_line, clean_text

_HEADER = re.compile(r"^\[.*$", re.MULTILINE)  # a table or array-of-tables header line


def _unit_segment(text: str, requirement: str, unit: str) -> tuple[int, int] | None:
    """(start, end) of the text of ``[requirements.K.units."U"]``, up to the next header; None if not found."""
    headers = list(_HEADER.finditer(text))
    for n, match in enumerate(headers):
        line = match.group(0)
        if line.startswith("[[") or unit not in line or "units" not in line:
            continue
        try:
            parsed = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        if parsed == {"requirements": {requirement: {"units": {unit: {}}}}}:
            end = headers[n + 1].start() if n + 1 < len(headers) else len(text)
            return match.start(), end
    return None


def edit_file(
    text: str,
    path: str,
    items: list[tuple[int, Change]],
    first_seen: dict[int, Any],
    now: datetime,
    login: str,
    *,
    splice: bool,
) -> tuple[str | None, list[Conflict], list[tuple[Change, str]], Task | None] | None:
    """Apply one file's changes: (new text or None when unchanged, conflicts, done, the new text parsed).

    ``splice``: tomlkit-edit only each touched unit's table and splice it back;
    None when that cannot be done safely (the caller then edits the whole file).
    Either way the whole result is parsed with ``tomllib`` and must equal the
    intended data, and must load as a task.

    Raises:
        CodecError: the written text is not what was meant (whole-file mode).
    """
    plain = tomllib.loads(text)
    whole = None if splice else tomlkit.parse(text)
    segments: dict[tuple[str, str], tuple[int, int, Any]] = {}
    conflicts: list[Conflict] = []
    done: list[tuple[Change, str]] = []
    for i, c in items:
        a_plain = plain["requirements"][c.requirement]["units"][c.unit]
        current = _fingerprint(a_plain, c.field)
        base = first_seen.setdefault(i, current)
        shown = _shown(a_plain, c.field)
        if c.expected is not None:
            expected = _normalise_expected(c)
            if shown != expected:
                conflicts.append(Conflict(c, expected, shown, a_plain.get("updated_by", ""), a_plain.get("updated")))
                continue
        elif current != base:
            conflicts.append(Conflict(c, _shown_fp(base, c.field), shown, a_plain.get("updated_by", ""), a_plain.get("updated")))
            continue
        if whole is not None:
            a_doc = whole["requirements"][c.requirement]["units"][c.unit]
        else:
            key = (c.requirement, c.unit)
            if key not in segments:
                found = _unit_segment(text, c.requirement, c.unit)
                if found is None:
                    return None
                try:
                    seg_doc = tomlkit.parse(text[found[0] : found[1]])
                    seg_doc["requirements"][c.requirement]["units"][c.unit]
                except Exception:  # noqa: BLE001 - any tomlkit trouble: edit the whole file instead
                    return None
                segments[key] = (found[0], found[1], seg_doc)
            a_doc = segments[key][2]["requirements"][c.requirement]["units"][c.unit]
        summary = _edit_assignment(a_doc, a_plain, c, now, login)
        if summary is not None:
            done.append((c, summary))
    if not done:
        return None, conflicts, done, None
    if whole is not None:
        out = tomlkit.dumps(whole)
    else:
        pieces: list[str] = []
        pos = 0
        for start, end, seg_doc in sorted(segments.values(), key=lambda s: s[0]):
            pieces += [text[pos:start], tomlkit.dumps(seg_doc)]
            pos = end
        pieces.append(text[pos:])
        out = "".join(pieces)
    try:
        parsed = parse_toml(out, path)
        if parsed != normalise_for_compare(plain):
            raise CodecError(path, None, "写出的 TOML 与预期不符(tomlkit 错误),已放弃写入")
        task = task_from_dict(parsed, out, path)
    except CodecError:
        if splice:
            return None
        raise
    return out, conflicts, done, task


def _fingerprint(a: dict[str, Any], field_name: str) -> Any:
    if field_name == "status":
        return a.get("status", "not_started")
    if field_name.startswith("note"):
        return [(n.get("at"), n.get("by"), n.get("text")) for n in a.get("notes", [])]
    return list(a.get("evidence", []))


def _shown_fp(fp: Any, field_name: str) -> str:
    if field_name == "status":
        return str(fp)
    if field_name.startswith("note"):
        return fp[-1][2] if fp else ""
    return "\n".join(fp)


def _shown(a: dict[str, Any], field_name: str) -> str:
    return _shown_fp(_fingerprint(a, field_name), field_name)


def _normalise_expected(c: Change) -> str:
    assert c.expected is not None
    if c.field == "status":
        try:
            return Status.parse(c.expected).value
        except ValueError:
            return c.expected
    if c.field.startswith("note"):
        return clean_text(c.expected).strip()
    return "\n".join(clean_line(x) for x in c.expected.split("\n") if x.strip())


def _edit_assignment(a_doc: Any, a_plain: dict[str, Any], c: Change, now: datetime, login: str) -> str | None:
    """Apply one change to the tomlkit table and the plain dict alike; a summary, or None if no-op."""
    if c.field == "status":
        old = a_plain.get("status", "not_started")
        if old == c.value:
            return None
        a_doc["status"] = c.value
        a_plain["status"] = c.value
        summary = f"{Status(old).label} → {Status(c.value).label}"
    elif c.field == "note":
        note = {"at": now, "by": login, "text": c.value}
        if "notes" in a_doc:
            item = tomlkit.inline_table()
            item.update(note)
            a_doc["notes"].append(item)
            a_doc["notes"].multiline(True)
        else:
            a_doc["notes"] = notes_item([Note(now, login, c.value)])
        a_plain.setdefault("notes", []).append(dict(note))
        summary = "添加进展"
    elif c.field == "evidence":
        if c.value in a_plain.get("evidence", []):
            return None
        if "evidence" not in a_doc:
            a_doc["evidence"] = tomlkit.array()
        a_doc["evidence"].append(c.value)
        if len(a_doc["evidence"]) > 1:
            a_doc["evidence"].multiline(True)
        a_plain.setdefault("evidence", []).append(c.value)
        summary = "添加佐证"
    elif c.field == "note_remove":
        notes = a_plain.get("notes", [])
        idx = max((i for i, n in enumerate(notes) if n.get("text") == c.value), default=None)
        if idx is None:
            return None
        del a_doc["notes"][idx]
        del notes[idx]
        summary = "删除进展"
    else:
        items = a_plain.get("evidence", [])
        if c.value not in items:
            return None
        idx = items.index(c.value)
        del a_doc["evidence"][idx]
        del items[idx]
        summary = "删除佐证"
    a_doc["updated"] = now
    a_doc["updated_by"] = login
    a_plain["updated"] = now
    a_plain["updated_by"] = login
    return summary
