"""The service edits one unit's table by splicing: same bytes as a whole-file tomlkit edit."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone

import pytest

from tracker.changes import Change
from tracker.planio import bundled_tasks_dir
from tracker.toml_edit import _unit_segments, edit_file

NOW = datetime(2019, 8, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def _cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for path in sorted(bundled_tasks_dir().glob("[0-9]*.toml"))[::3]:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        for key, req in data["requirements"].items():
            for unit in list(req.get("units", {}))[:2]:
                cases.append((path.name, text, key, unit))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("name", "text", "key", "unit"), CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES])
def test_splice_equals_whole_file_edit(name: str, text: str, key: str, unit: str) -> None:
    number = int(name.split(".")[0])
    items = list(enumerate([
        Change(number, key, unit, "status", "blocked"),
        Change(number, key, unit, "note", "第一条\n第二行 [requirements.1]"),
        Change(number, key, unit, "evidence", "https://example.org/a"),
    ]))
    spliced = edit_file(text, name, items, {}, NOW, "op1", splice=True)
    whole = edit_file(text, name, items, {}, NOW, "op1", splice=False)
    assert spliced is not None and whole is not None
    assert spliced[0] == whole[0]
    assert [s for _, s in spliced[2]] == [s for _, s in whole[2]] == ["未启动 → 受阻" if "status" not in
        tomllib.loads(text)["requirements"][key]["units"][unit] else spliced[2][0][1], "添加进展", "添加佐证"]
    # bytes outside the unit's table are untouched
    start, end = _unit_segments(text)[(key, unit)]
    assert spliced[0] is not None
    assert spliced[0].startswith(text[:start]) and spliced[0].endswith(text[end:])


def test_a_header_inside_a_string_does_not_fool_the_splice() -> None:
    text = (
        'number = 1\ntitle = "t"\nsection = ""\nsubsection = ""\n'
        '[requirements.1]\ntext = """\n[requirements.1.units."甲"]\nstatus = "done"\n"""\n'
        '[requirements.1.units."甲"]\nrole = "lead"\nstatus = "not_started"\n'
    )
    items = [(0, Change(1, "1", "甲", "status", "in_progress"))]
    # the first match is inside the string: the splice is refused by the whole-file check
    assert edit_file(text, "01.toml", items, {}, NOW, "op1", splice=True) is None
    out = edit_file(text, "01.toml", items, {}, NOW, "op1", splice=False)
    assert out is not None and out[0] is not None
    data = tomllib.loads(out[0])
    assert data["requirements"]["1"]["units"]["甲"]["status"] == "in_progress"
    assert data["requirements"]["1"]["text"] == '[requirements.1.units."甲"]\nstatus = "done"\n'
