"""The unit registry (``tasks/units.toml``): canonical names, kinds, aliases, groups.

A notice names units loosely (``人社局``, ``市市场监督管理局局``); the registry turns
every such name into one canonical unit, or into a group. Groups such as
``各镇(街区)`` expand to their members so every town reports on its own; vague
groups (``市直各有关部门``) have no members until the office assigns them, and
until then stay one named assignee.

File format::

    [units."市发改局"]
    kind = "市直部门"
    aliases = ["发改局"]

    [groups."各镇(街区)"]
    aliases = ["相关镇(街区)"]
    members = ["化龙镇", ...]
    optional = ["寿光经济开发区", "双王城生态经济园区"]  # the office may switch these on
    include_optional = false
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.codec import _Reader, parse_toml

KINDS = ("市直部门", "镇", "街道", "园区", "市委部门", "其他")


@dataclass
class Unit:
    """One responsible unit."""

    name: str
    kind: str = "市直部门"
    aliases: list[str] = field(default_factory=list)


@dataclass
class Group:
    """A named set of units. A vague group has no members yet."""

    name: str
    members: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)
    include_optional: bool = False
    aliases: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def vague(self) -> bool:
        return not self.members and not (self.include_optional and self.optional)

    def expand(self) -> list[str]:
        """Member units; a vague group stands for itself."""
        if self.vague:
            return [self.name]
        return list(self.members) + (list(self.optional) if self.include_optional else [])


@dataclass(frozen=True)
class Resolved:
    """What a name in a notice or a query means."""

    name: str  # canonical unit or group name, or the name as given when unknown
    kind: str  # "unit", "group" or "unknown"


# Full-width forms of ASCII (U+FF01..U+FF5E) -> ASCII, ideographic space -> space.
_WIDTH_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII forms (``,():;%1``) and the ideographic space as ASCII.

    Notices copied out of PDFs and web pages use either width at random; folding
    makes both spellings of one notice the same text. Chinese punctuation
    (、。“”《》) has no ASCII twin and is left alone.
    """
    return text.translate(_WIDTH_FOLD)


def normalise_name(name: str) -> str:
    """Fold the spellings notices use: full-width brackets, spaces."""
    return "".join(fold_width(name).split())


@dataclass
class Registry:
    """All units and groups of a plan, with alias lookup."""

    units: dict[str, Unit] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index: dict[str, Resolved] | None = None

    def _lookup(self) -> dict[str, Resolved]:
        if self._index is None:
            index: dict[str, Resolved] = {}
            for group in self.groups.values():
                for alias in [group.name, *group.aliases]:
                    index[normalise_name(alias)] = Resolved(group.name, "group")
            for unit in self.units.values():
                for alias in [unit.name, *unit.aliases]:
                    index[normalise_name(alias)] = Resolved(unit.name, "unit")
            self._index = index
        return self._index

    def resolve(self, name: str) -> Resolved:
        """Canonical unit or group for a name or alias; kind "unknown" otherwise."""
        return self._lookup().get(normalise_name(name), Resolved(normalise_name(name), "unknown"))

    def expand(self, name: str) -> list[str]:
        """The assignees a name in a notice stands for (groups expanded)."""
        resolved = self.resolve(name)
        if resolved.kind == "group":
            return self.groups[resolved.name].expand()
        return [resolved.name]

    def is_known(self, name: str) -> bool:
        """A unit, a group, or a group's member."""
        return self.resolve(name).kind != "unknown"

    def kind_of(self, name: str) -> str:
        unit = self.units.get(name)
        if unit:
            return unit.kind
        return "组" if name in self.groups else "未知"

    def members_of(self, group_name: str) -> list[str]:
        group = self.groups.get(group_name)
        return group.expand() if group else []

    def all_names(self) -> list[str]:
        return list(self.units) + list(self.groups)


def load_registry(text: str, path: str = "units.toml") -> Registry:
    """Parse ``tasks/units.toml``.

    Raises:
        CodecError: broken TOML, an unknown kind, a member that is not a unit.
    """
    data = parse_toml(text, path)
    rd = _Reader(text, path)
    registry = Registry()
    for name, u in rd.get(data, ("units",), dict, {}).items():
        keys = ("units", name)
        if not isinstance(u, dict):
            raise rd.fail(keys, f"单位 {name} 必须是表")
        kind = rd.get(u, (*keys, "kind"), str, "市直部门")
        if kind not in KINDS:
            raise rd.fail((*keys, "kind"), f"未知单位类别 {kind!r}(可用: {'、'.join(KINDS)})")
        registry.units[name] = Unit(name, kind, rd.str_list(u, (*keys, "aliases")))
    for name, g in rd.get(data, ("groups",), dict, {}).items():
        keys = ("groups", name)
        if not isinstance(g, dict):
            raise rd.fail(keys, f"分组 {name} 必须是表")
        group = Group(
            name=name,
            members=rd.str_list(g, (*keys, "members")),
            optional=rd.str_list(g, (*keys, "optional")),
            include_optional=rd.get(g, (*keys, "include_optional"), bool, False),
            aliases=rd.str_list(g, (*keys, "aliases")),
            note=rd.get(g, (*keys, "note"), str, ""),
        )
        for member in group.members + group.optional:
            if member not in registry.units:
                raise rd.fail((*keys, "members"), f"分组 {name} 的成员 {member} 不在单位名录中")
        registry.groups[name] = group
    return registry


def dump_registry(registry: Registry) -> str:
    """Render ``tasks/units.toml`` in a stable order (units by kind, then as listed)."""
    import tomlkit  # only writers need it: reading stays on tomllib

    doc = tomlkit.document()
    doc.add(tomlkit.comment("单位名录:规范名称、类别、别名;分组及其成员"))
    units = tomlkit.table(is_super_table=True)
    for unit in sorted(registry.units.values(), key=lambda u: KINDS.index(u.kind)):
        table = tomlkit.table()
        table["kind"] = unit.kind
        table["aliases"] = list(unit.aliases)
        units[unit.name] = table
    doc["units"] = units
    groups = tomlkit.table(is_super_table=True)
    for group in registry.groups.values():
        table = tomlkit.table()
        if group.note:
            table["note"] = group.note
        table["aliases"] = list(group.aliases)
        members = tomlkit.array()
        members.extend(group.members)
        if len(group.members) > 4:
            members.multiline(True)
        table["members"] = members
        if group.optional:
            table["optional"] = list(group.optional)
            table["include_optional"] = group.include_optional
        groups[group.name] = table
    doc["groups"] = groups
    return tomlkit.dumps(doc)


def registry_from_dict(data: dict[str, Any]) -> Registry:
    """Build a registry from plain data (tests, the synthetic store generator)."""
    import tomlkit  # only writers need it: reading stays on tomllib

    return load_registry(tomlkit.dumps(data))
