"""The one unit-name resolver: full name, alias, pinyin initials, a unique segment; candidates otherwise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.planio import bundled_tasks_dir, load_plan_folder
from tracker.unit_names import UnitNameError, resolve_group, resolve_unit, resolve_unit_names

REGISTRY = load_plan_folder(bundled_tasks_dir()).registry
UNITS = sorted(REGISTRY.units)


@pytest.mark.parametrize(("typed", "meant"), [
    ("市发改局", "市发改局"), ("发改局", "市发改局"), ("fgj", "市发改局"), ("FGJ", "市发改局"),
    ("营里", "营里镇"), ("营里镇", "营里镇"), ("（营里镇）".strip("（）"), "营里镇"),
])
def test_each_way_of_naming_a_unit(typed: str, meant: str) -> None:
    assert resolve_unit_names(REGISTRY, typed) == {meant}
    assert resolve_unit(REGISTRY, typed) == meant


def test_ambiguous_initials_and_segments_list_every_candidate() -> None:
    with pytest.raises(UnitNameError) as err:
        resolve_unit_names(REGISTRY, "jtj")
    assert err.value.candidates == ["市交通局", "市教体局"]
    assert err.value.message == "单位 'jtj' 不唯一,可能是: 市交通局、市教体局"
    with pytest.raises(UnitNameError) as err:
        resolve_unit_names(REGISTRY, "镇")
    assert "营里镇" in err.value.candidates and "化龙镇" in err.value.candidates


def test_unknown_name_lists_close_names_or_says_there_are_none() -> None:
    with pytest.raises(UnitNameError) as err:
        resolve_unit_names(REGISTRY, "营里乡")  # shares 营里 with 营里镇 only
    assert err.value.candidates[0] == "营里镇"  # most shared characters first
    assert "相近的有: 营里镇" in err.value.message
    with pytest.raises(UnitNameError) as err:
        resolve_unit_names(REGISTRY, "火星局")
    assert err.value.candidates == [] and "没有相近的名称" in err.value.message


def test_a_group_means_its_members_but_is_not_one_unit() -> None:
    members = resolve_unit_names(REGISTRY, "各镇(街区)")
    assert {"营里镇", "圣城街道"} < members
    with pytest.raises(UnitNameError) as err:
        resolve_unit(REGISTRY, "各镇(街区)")
    assert "是分组" in err.value.message and "营里镇" in err.value.candidates
    assert {"营里镇"} < resolve_group(REGISTRY, "各镇")


@given(st.sampled_from(UNITS))
def test_every_canonical_name_and_alias_resolves_to_its_unit(name: str) -> None:
    for spelling in [name, *REGISTRY.units[name].aliases]:
        assert resolve_unit(REGISTRY, spelling) == name


@given(st.text(min_size=1, max_size=8))
def test_any_text_gives_known_units_or_an_error_with_known_candidates(text: str) -> None:
    try:
        names = resolve_unit_names(REGISTRY, text)
    except UnitNameError as exc:
        assert set(exc.candidates) <= set(REGISTRY.units) | set(REGISTRY.groups)
        assert exc.message
    else:
        assert names and names <= set(REGISTRY.units) | set(REGISTRY.groups)
