"""The unit registry: every name the 2019 notice uses resolves; groups expand; kinds are right."""

from __future__ import annotations

import pytest

from tracker.codec import CodecError
from tracker.planio import bundled_tasks_dir
from tracker.units import Registry, dump_registry, fold_width, load_registry, normalise_name

TOWNS = ["化龙镇", "营里镇", "台头镇", "田柳镇", "上口镇", "侯镇", "纪台镇", "稻田镇", "羊口镇",
         "圣城街道", "文家街道", "古城街道", "洛城街道", "孙家集街道"]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry((bundled_tasks_dir() / "units.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("人社局", "市人社局"), ("市市场监督管理局局", "市市场监管局"), ("市市场监督管理局", "市市场监管局"),
     ("市自然资源和规划局", "市自然资源与规划局"), ("市退役军人局", "市退役军人事务局"), ("市海洋局", "市海渔局"),
     ("市海渔局", "市海渔局"), ("市教育局", "市教体局"), (" 市 发改局 ", "市发改局")],
)
def test_aliases_resolve(registry: Registry, name: str, canonical: str) -> None:
    resolved = registry.resolve(name)
    assert (resolved.name, resolved.kind) == (canonical, "unit")


@pytest.mark.parametrize("name", ["各镇(街区)", "相关镇(街区)", "各镇\uff08街区\uff09"])
def test_town_groups_expand_to_the_14_towns_and_streets(registry: Registry, name: str) -> None:
    assert registry.expand(name) == TOWNS


def test_parks_are_optional_members(registry: Registry) -> None:
    group = registry.groups["各镇(街区)"]
    assert group.optional == ["寿光经济开发区", "双王城生态经济园区"]
    group.include_optional = True
    try:
        assert registry.expand("各镇(街区)") == [*TOWNS, "寿光经济开发区", "双王城生态经济园区"]
    finally:
        group.include_optional = False


@pytest.mark.parametrize("name", ["市直各有关部门", "市直相关部门", "市直有关部门", "市直各相关部门"])
def test_vague_groups_stay_one_named_assignee(registry: Registry, name: str) -> None:
    assert registry.expand(name) == ["市直各有关部门"]


@pytest.mark.parametrize(
    ("unit", "kind"),
    [("市委办公室", "市委部门"), ("市委宣传部", "市委部门"), ("市委组织部", "市委部门"), ("市编办", "市委部门"),
     ("市水务集团", "其他"), ("潍坊科技学院", "其他"), ("市体育事业发展服务中心", "其他"), ("市投资促进中心", "其他"),
     ("营里镇", "镇"), ("圣城街道", "街道"), ("寿光经济开发区", "园区"), ("市发改局", "市直部门")],
)
def test_kinds(registry: Registry, unit: str, kind: str) -> None:
    assert registry.kind_of(unit) == kind


def test_unknown_names_are_unknown(registry: Registry) -> None:
    assert registry.resolve("市火星局").kind == "unknown"
    assert not registry.is_known("市火星局")


def test_fold_width_and_normalise_name() -> None:
    assert fold_width("\uff08\u4e00\uff09\uff0c\uff1b\uff11\u3000") == "(一),;1 "
    assert fold_width("、。“”《》") == "、。“”《》"
    assert normalise_name(" 各镇\uff08街区\uff09\u3000") == "各镇(街区)"


def test_dump_and_load_round_trip(registry: Registry) -> None:
    again = load_registry(dump_registry(registry))
    assert again.units == registry.units
    assert again.groups == registry.groups


def test_group_member_must_be_a_unit() -> None:
    with pytest.raises(CodecError, match="火星镇"):
        load_registry('[units."营里镇"]\nkind = "镇"\n\n[groups."各镇"]\nmembers = ["营里镇", "火星镇"]\n')


def test_unknown_kind_names_the_line() -> None:
    with pytest.raises(CodecError) as caught:
        load_registry('[units."营里镇"]\nkind = "村"\n')
    assert caught.value.line == 2
