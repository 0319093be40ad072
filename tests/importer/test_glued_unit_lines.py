"""责任单位 lines whose line break a PDF's layout lost are cut back at each clause's phrase."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tracker.importer.builder import parse_unit_line, split_glued_clauses
from tracker.units import load_registry

REGISTRY = load_registry((Path(__file__).resolve().parents[2] / "tasks" / "units.toml").read_text(encoding="utf-8"))
NAMES = ["市发改局", "市财政局", "市直各有关部门", "各镇(街区)", "市政府办公室", "市投资促进中心"]
PHRASES = ["牵头落实", "分别落实", "按职责分工分别落实", "按职责分工分别牵头落实", "配合", "负责"]


def test_a_collective_name_does_not_swallow_the_next_line() -> None:
    glued = "市直各有关部门按职责分工分别落实各镇(街区)分别落实"
    assert split_glued_clauses(glued, REGISTRY) == ["市直各有关部门按职责分工分别落实", "各镇(街区)分别落实"]


def test_lines_that_are_whole_stay_whole() -> None:
    for line in ["市发改局牵头落实;市财政局配合", "市发改局牵头负责组织实施", "市政府办公室牵头落实", "加强督查落实情况"]:
        assert split_glued_clauses(line, REGISTRY) == [line]


CLAUSE = st.tuples(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True), st.sampled_from(PHRASES))


@given(st.lists(CLAUSE, min_size=1, max_size=4))
def test_clause_lines_run_together_come_apart_as_written(clauses: list[tuple[list[str], str]]) -> None:
    lines = ["、".join(names) + phrase for names, phrase in clauses]
    assert all(parse_unit_line(line, 0, REGISTRY) is not None for line in lines)
    assert split_glued_clauses("".join(lines), REGISTRY) == lines
