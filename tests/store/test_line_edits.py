"""The line editor's result means what tomlkit's whole-file edit means, and leaves every other line alone."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.changes import Change
from tracker.planio import bundled_tasks_dir
from tracker.textsafe import clean_line, clean_text
from tracker.toml_edit import _unit_segments, edit_file
from tracker.toml_lines import UnitLines, Unsupported, toml_value

FILES = {p.name: p.read_text(encoding="utf-8") for p in sorted(bundled_tasks_dir().glob("[0-9]*.toml"))}
TIMES = st.sampled_from([
    datetime(2019, 8, 1, 9, 30, tzinfo=timezone(timedelta(hours=8))),
    datetime(2026, 12, 1, 5, 53, 14, tzinfo=UTC),
])
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
# Shapes of a unit's table the tracker does not write itself: the editor must hand them to tomlkit.
VARIANTS = [
    lambda t: t,
    lambda t: t.replace('status = "', 'status =  "', 1),
    lambda t: t.replace("\nnotes = [\n", "\n# 进展\nnotes = [\n", 1),
    lambda t: t.replace('role = "implementer"\n', 'role = "implementer"  # 落实\n', 1),
    lambda t: t.replace('status = "in_progress"', 'status = "in_progress" # x', 1),
    lambda t: t.replace("evidence = []\n", "", 1),
    lambda t: t.replace("evidence = []\n", 'evidence = ["http://a"]\n', 1),
    lambda t: _table_elsewhere(t),
]


def _table_elsewhere(text: str) -> str:
    """A sub-table of a unit at the end of the file: the unit's table is not all in one place."""
    data = tomllib.loads(text)
    key, req = next(iter(data["requirements"].items()))
    unit = next(iter(req["units"]))
    return text + f'\n[requirements.{key}.units."{unit}".extra]\nnote = "手写的"\n'



@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, Change]], datetime]:
    name = draw(st.sampled_from(sorted(FILES)))
    text = draw(st.sampled_from(VARIANTS))(FILES[name])
    data = tomllib.loads(text)
    pairs = [(k, u) for k, r in data["requirements"].items() for u in r.get("units", {})]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=4))
    number = int(data["number"])
    changes = []
    for key, unit in chosen:
        kind = draw(st.sampled_from(["status", "note", "evidence", "note_remove"]))
        if kind == "status":
            value = draw(st.sampled_from(["not_started", "in_progress", "done", "blocked", "not_applicable"]))
        elif kind == "note":
            value = clean_text(draw(TEXT)).strip() or "进展"
        elif kind == "evidence":
            value = clean_line(draw(TEXT)) or "http://x"
        else:
            notes = data["requirements"][key]["units"][unit].get("notes", [])
            value = notes[-1]["text"] if notes else "无"
        changes.append(Change(number, key, unit, kind, value))
    return name, text, list(enumerate(changes)), draw(TIMES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_line_edits_mean_what_tomlkit_means(case: tuple[str, str, list[tuple[int, Change]], datetime]) -> None:
    name, text, items, now = case
    lines = edit_file(text, name, items, {}, now, "op1", splice=True)
    if lines is None:  # refused: the service edits the whole file instead
        lines = edit_file(text, name, items, {}, now, "op1", splice=False)
    whole = edit_file(text, name, items, {}, now, "op1", splice=False, line_edits=False)
    assert lines is not None and whole is not None
    assert [s for _, s in lines[2]] == [s for _, s in whole[2]]
    if whole[0] is None:
        assert lines[0] is None
        return
    assert lines[0] is not None
    assert tomllib.loads(lines[0]) == tomllib.loads(whole[0])
    # every line outside the touched units' tables is the same bytes, in the same order
    touched = {(c.requirement, c.unit) for _, c in items}
    spans = sorted(v for k, v in _unit_segments(text).items() if k in touched)
    outside, pos = [], 0
    for start, end in spans:
        outside.append(text[pos:start])
        pos = end
    outside.append(text[pos:])
    at = 0
    for piece in outside:
        found = lines[0].find(piece, at)
        assert found >= 0, piece[:80]
        at = found + len(piece)


def test_a_bulk_of_plain_tables_never_parses_with_tomlkit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the line editor: the bundled plan's tables are edited without tomlkit."""
    import tracker.toml_edit as toml_edit

    def no_tomlkit(_text: str) -> None:
        raise AssertionError("tomlkit parsed a plain table")

    monkeypatch.setattr(toml_edit._tomlkit(), "parse", no_tomlkit)
    name = sorted(FILES)[4]
    text = FILES[name]
    data = tomllib.loads(text)
    number = int(data["number"])
    items = list(enumerate(
        Change(number, k, u, field, value)
        for k, r in data["requirements"].items()
        for u in r["units"]
        for field, value in (("status", "blocked"), ("note", "批量"), ("evidence", "http://e/1"))
    ))
    out = edit_file(text, name, items, {}, datetime(2019, 8, 1, tzinfo=UTC), "op1", splice=True)
    assert out is not None and out[0] is not None
    for r in tomllib.loads(out[0])["requirements"].values():
        for a in r["units"].values():
            assert a["status"] == "blocked" and a["notes"][-1]["text"] == "批量" and a["evidence"][-1] == "http://e/1"


def test_unit_lines_refuses_what_it_cannot_keep() -> None:
    with pytest.raises(Unsupported):
        UnitLines('[requirements.1.units."甲"]\ntext = """\na\n"""\n')
    table = UnitLines('[requirements.1.units."甲"]\nstatus = "done" # 注\n')
    with pytest.raises(Unsupported):
        table.set_scalar("status", "blocked")
    assert toml_value('引"号\\\n\x01') == '"引\\"号\\\\\\n\\u0001"'
    assert toml_value(datetime(2019, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2019-01-02T03:04:05Z"


def test_a_unit_whose_notes_live_elsewhere_is_not_line_edited() -> None:
    """Notes written as an array of tables after the unit's table: adding ``notes = [...]`` would clash."""
    text = (
        'number = 1\ntitle = "t"\nsection = ""\nsubsection = ""\n\n[requirements.1]\ntext = "x"\n\n'
        '[requirements.1.units."甲"]\nrole = "lead"\nstatus = "not_started"\n\n'
        '[[requirements.1.units."甲".notes]]\nat = 2019-01-01T00:00:00Z\nby = "x"\ntext = "t"\n'
    )
    items = [(0, Change(1, "1", "甲", "note", "新进展"))]
    out = edit_file(text, "01.toml", items, {}, datetime(2019, 8, 1, tzinfo=UTC), "op1", splice=True)
    assert out is None or (out[0] is not None and tomllib.loads(out[0]))
