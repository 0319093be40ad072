"""The TOML edit engine: apply field changes to a task file's text, keeping every untouched byte.

Only the touched units' tables are edited and spliced back: line by line
(:mod:`tracker.toml_lines`) when the table and the edit are plain, else with tomlkit (a few
lines, not the whole file); anything unusual falls back to editing the whole file with
tomlkit. Either way the result is parsed with ``tomllib`` and must equal what was meant
(tomlkit has had bugs that reorder or merge tables), and must load as a task. A changed field whose value is no longer what the user saw is
a :class:`~tracker.changes.Conflict`, never an overwrite.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from typing import Any

from tracker.changes import Change, Conflict
from tracker.codec import CodecError, normalise_for_compare, notes_item, parse_toml, task_from_dict
from tracker.model import Note, Status, Task
from tracker.textsafe import clean_line, clean_text
from tracker.toml_lines import UnitLines, Unsupported, toml_value

_HEADER = re.compile(r"^\[.*$", re.MULTILINE)  # a table or array-of-tables header line


def _unit_segments(text: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(requirement, unit) -> (start, end) of the text of ``[requirements.K.units."U"]``, up to the next header.

    A table whose header appears twice (invalid TOML anyway) is left out, so it is never spliced.
    """
    headers = list(_HEADER.finditer(text))
    found: dict[tuple[str, str], tuple[int, int]] = {}
    twice: set[tuple[str, str]] = set()
    for n, match in enumerate(headers):
        line = match.group(0)
        if line.startswith("[[") or "units" not in line:
            continue
        try:
            parsed = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        reqs = parsed.get("requirements")
        if not isinstance(reqs, dict) or len(reqs) != 1:
            continue
        (requirement, body), = reqs.items()
        units = body.get("units") if isinstance(body, dict) and len(body) == 1 else None
        if not isinstance(units, dict) or len(units) != 1:
            continue
        (unit, table), = units.items()
        if table != {}:
            continue
        key = (requirement, unit)
        if key in found:
            twice.add(key)
        end = headers[n + 1].start() if n + 1 < len(headers) else len(text)
        found[key] = (match.start(), end)
    return {k: v for k, v in found.items() if k not in twice}


def edit_file(
    text: str,
    path: str,
    items: list[tuple[int, Change]],
    first_seen: dict[int, Any],
    now: datetime,
    login: str,
    *,
    splice: bool,
    line_edits: bool = True,
) -> tuple[str | None, list[Conflict], list[tuple[Change, str]], Task | None] | None:
    """Apply one file's changes: (new text or None when unchanged, conflicts, done, the new text parsed).

    ``splice``: edit only each touched unit's table (line by line when ``line_edits``
    and the table is plain, else with tomlkit) and splice it back; None when that
    cannot be done safely (the caller then edits the whole file).
    Either way the whole result is parsed with ``tomllib`` and must equal the
    intended data, and must load as a task.

    Raises:
        CodecError: the written text is not what was meant (whole-file mode).
    """
    plain = tomllib.loads(text)
    whole = None if splice else _tomlkit().parse(text)
    # (requirement, unit) -> (start, end, its table: UnitLines, or a tomlkit document)
    segments: dict[tuple[str, str], tuple[int, int, Any]] = {}
    where: dict[tuple[str, str], tuple[int, int]] | None = None
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
            summary = _edit_assignment(whole["requirements"][c.requirement]["units"][c.unit], a_plain, c, now, login)
        else:
            key = (c.requirement, c.unit)
            if key not in segments:
                where = _unit_segments(text) if where is None else where
                found = where.get(key)
                if found is None:
                    return None
                table: Any
                try:
                    table = UnitLines(text[found[0] : found[1]]) if line_edits else None
                    if table is not None and set(table.keys) != set(a_plain):
                        table = None  # part of the unit's table is written elsewhere in the file
                except Unsupported:
                    table = None
                segments[key] = (found[0], found[1], table if table is not None else _segment_doc(text[found[0] : found[1]]))
            start, end, table = segments[key]
            if table is None:
                return None
            summary = _UNEDITED
            if isinstance(table, UnitLines):
                try:
                    summary = _edit_lines(table, a_plain, c, now, login)
                except Unsupported:  # this edit needs tomlkit: from the table as edited so far
                    table = _segment_doc(table.text())
                    segments[key] = (start, end, table)
                    if table is None:
                        return None
            if summary is _UNEDITED:
                summary = _edit_assignment(table["requirements"][c.requirement]["units"][c.unit], a_plain, c, now, login)
        if summary is not None:
            done.append((c, summary))
    if not done:
        return None, conflicts, done, None
    if whole is not None:
        out = _tomlkit().dumps(whole)
    else:
        pieces: list[str] = []
        pos = 0
        for start, end, table in sorted(segments.values(), key=lambda s: s[0]):
            pieces += [text[pos:start], table.text() if isinstance(table, UnitLines) else _tomlkit().dumps(table)]
            pos = end
        pieces.append(text[pos:])
        out = "".join(pieces)
    try:
        intended = normalise_for_compare(plain)
        if whole is None and all(isinstance(t, UnitLines) for _s, _e, t in segments.values()):
            _check_tables(segments, intended, path)
            parsed = intended
        else:
            parsed = parse_toml(out, path)
        if parsed != intended:
            raise CodecError(path, None, "写出的 TOML 与预期不符(tomlkit 错误),已放弃写入")
        task = task_from_dict(parsed, out, path)
    except CodecError:
        if splice:
            return None
        raise
    return out, conflicts, done, task


def _check_tables(segments: dict[tuple[str, str], tuple[int, int, Any]], intended: dict[str, Any], path: str) -> None:
    """Every line-edited table, parsed alone, is the unit's intended table.

    Nothing else of the file changed, and each table was all of its unit's keys between
    two headers, so this proves the file means what was meant without parsing all of it.

    Raises:
        CodecError: a table does not parse, or not to what was meant.
    """
    for (requirement, unit), (_start, _end, table) in segments.items():
        got = parse_toml(table.text(), path)
        meant = intended["requirements"][requirement]["units"][unit]
        if got != {"requirements": {requirement: {"units": {unit: meant}}}}:
            raise CodecError(path, None, "写出的 TOML 与预期不符,已放弃写入")


def _tomlkit() -> Any:
    """tomlkit, imported when an edit needs it: line edits do not (its import is 15 ms of a start)."""
    import tomlkit

    return tomlkit


_UNEDITED = "\0unedited"  # _edit_lines did not run: the tomlkit path makes the edit


def _segment_doc(segment: str) -> Any:
    """A unit's table parsed by tomlkit, or None when tomlkit cannot take it alone."""
    try:
        return _tomlkit().parse(segment)
    except Exception:  # noqa: BLE001 - any tomlkit trouble: edit the whole file instead
        return None


def _edit_lines(table: UnitLines, a_plain: dict[str, Any], c: Change, now: datetime, login: str) -> str | None:
    """:func:`_edit_assignment` line by line: a summary, or None if no-op.

    Raises:
        Unsupported: the edit is not one the line editor makes; nothing was changed.
    """
    before = list(table.lines)
    try:
        if c.field == "status":
            old = a_plain.get("status", "not_started")
            if old == c.value:
                return None
            table.set_scalar("status", c.value)
            summary = f"{Status(old).label} → {Status(c.value).label}"
        elif c.field == "note":
            item = f"{{at = {toml_value(now)}, by = {toml_value(login)}, text = {toml_value(c.value)}}}"
            table.append_item("notes", item)
            summary = "添加进展"
        elif c.field == "evidence":
            if c.value in a_plain.get("evidence", []):
                return None
            table.append_item("evidence", toml_value(c.value), multiline_from=2)
            summary = "添加佐证"
        else:
            raise Unsupported(c.field)  # removals: tomlkit
        table.set_scalar("updated", now)
        table.set_scalar("updated_by", login)
    except Unsupported:
        table.lines = before
        table.keys = UnitLines(table.text()).keys
        raise
    if c.field == "status":
        a_plain["status"] = c.value
    elif c.field == "note":
        a_plain.setdefault("notes", []).append({"at": now, "by": login, "text": c.value})
    else:
        a_plain.setdefault("evidence", []).append(c.value)
    a_plain["updated"] = now
    a_plain["updated_by"] = login
    return summary


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
            item = _tomlkit().inline_table()
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
            a_doc["evidence"] = _tomlkit().array()
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
