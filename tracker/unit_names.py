"""What a unit name typed by a person means: the one resolver every command and the query language use.

A clerk types a unit the way she says it: the full name (``市发改局``), a short
name or alias (``发改局``), pinyin initials (``fgj``), or a part of the name that
only one unit has (``营里`` -> 营里镇). :func:`resolve_unit_names` turns any of
these into canonical names from the registry, or raises :class:`UnitNameError`
naming the candidates, so every command (and ``--dry-run`` or not) answers a
typo with the same line.

Pinyin comes from pypinyin, the maintained library for Chinese readings
(polyphonic characters included); it loads large dictionaries, so it is
imported only when a name is not found as written.

Pure core: no typer, no textual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import product

from tracker.i18n import t
from tracker.textsafe import clean_line
from tracker.units import Registry, normalise_name

__all__ = ["UnitNameError", "not_assigned", "pinyin_initials", "resolve_group", "resolve_unit", "resolve_unit_names", "unit_label"]

SHOWN = 12  # candidates listed in one message
# Characters nearly every unit name has: sharing them says nothing about which unit was meant.
_GENERIC = set("市局委办镇街道区室部会中心所站队院处厅组")


class UnitNameError(ValueError):
    """A unit name that is unknown or fits several units; ``candidates`` are what it may have meant."""

    def __init__(self, name: str, message: str, candidates: list[str]) -> None:
        self.name = name
        self.message = message
        self.candidates = candidates
        super().__init__(message)


def pinyin_initials(name: str) -> frozenset[str]:
    """Pinyin first letters of a name, one string per reading of its polyphonic characters.

    Brackets and punctuation are dropped; ASCII letters and digits are kept.
    """
    return _initials(name)


@lru_cache(maxsize=4096)
def _initials(name: str) -> frozenset[str]:
    from pypinyin import Style, pinyin  # imported lazily: it loads large dictionaries

    letters: list[list[str]] = []
    for chars in pinyin(name, style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: list(s)):  # type: ignore[arg-type,return-value]
        options = sorted({c[:1].lower() for c in chars if c[:1].isascii() and c[:1].isalnum()})
        if options:
            letters.append(options)
    combos = 1
    for options in letters:
        combos *= len(options)
    if combos > 256:  # many polyphonic characters: keep the first reading of each
        letters = [options[:1] for options in letters]
    return frozenset("".join(p) for p in product(*letters))


@lru_cache(maxsize=32)
def _initials_index(spellings: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    """pinyin initials -> canonical names, from (spelling, canonical name) pairs."""
    index: dict[str, set[str]] = {}
    for spelling, name in spellings:
        variants = {spelling}
        if spelling.startswith("市") and len(spelling) > 1:
            variants.add(spelling[1:])  # 市发改局 is also said 发改局: fgj
        for variant in variants:
            for initials in _initials(variant):
                index.setdefault(initials, set()).add(name)
    return {k: frozenset(v) for k, v in index.items()}


def _spellings(registry: Registry, groups: bool) -> tuple[tuple[str, str], ...]:
    pairs = [(spelling, unit.name) for unit in registry.units.values() for spelling in (unit.name, *unit.aliases)]
    if groups:
        pairs += [(spelling, g.name) for g in registry.groups.values() for spelling in (g.name, *g.aliases)]
    return tuple(pairs)


def _listed(names: Iterable[str]) -> str:
    names = list(names)
    shown = "、".join(names[:SHOWN])
    return shown + (t(f" 等 {len(names)} 个", f" and {len(names) - SHOWN} more") if len(names) > SHOWN else "")


def _ambiguous(kind_zh: str, kind_en: str, value: str, names: list[str]) -> UnitNameError:
    shown = _listed(sorted(names))
    return UnitNameError(value, t(f"{kind_zh} {value!r} 不唯一,可能是: {shown}",
                                  f"{kind_en} {value!r} is ambiguous, it may be: {shown}"), sorted(names))


def _near(spellings: tuple[tuple[str, str], ...], value: str) -> list[str]:
    """Canonical names sharing the most telling characters with ``value`` (for an unknown name)."""
    wanted = set(normalise_name(value)) - _GENERIC
    scores: dict[str, int] = {}
    for spelling, name in spellings:
        score = len(wanted & set(spelling))
        if score:
            scores[name] = max(scores.get(name, 0), score)
    return sorted(scores, key=lambda n: (-scores[n], n))


def _unknown(kind_zh: str, kind_en: str, value: str, near: list[str]) -> UnitNameError:
    if near:
        shown = _listed(near)
        return UnitNameError(value, t(f"未知{kind_zh} {value!r}(相近的有: {shown})",
                                      f"unknown {kind_en} {value!r} (close: {shown})"), near)
    return UnitNameError(value, t(f"未知{kind_zh} {value!r}(名录中没有相近的名称;`tracker list --by assignment` 列出各单位)",
                                  f"unknown {kind_en} {value!r} (nothing close in the registry; "
                                  "`tracker list --by assignment` shows the units)"), [])


def _guess(spellings: tuple[tuple[str, str], ...], value: str, kind_zh: str, kind_en: str) -> str:
    """Pinyin initials, then a unique part of a name or alias; UnitNameError when nothing or several fit."""
    lowered = value.strip().lower()
    if re.fullmatch(r"[a-z0-9]+", lowered):
        found = sorted(_initials_index(spellings).get(lowered, frozenset()))
        if len(found) == 1:
            return found[0]
        if found:
            raise _ambiguous(kind_zh, kind_en, value, found)
    wanted = normalise_name(value)
    hits = sorted({name for spelling, name in spellings if wanted and wanted in normalise_name(spelling)})
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise _ambiguous(kind_zh, kind_en, value, hits)
    raise _unknown(kind_zh, kind_en, value, _near(spellings, value))


def resolve_unit_names(registry: Registry, name: str) -> frozenset[str]:
    """The canonical assignee names ``name`` stands for.

    A unit (full name, alias, pinyin initials, a unique part of its name) gives
    itself; a group (by name or alias) gives itself and its members, so a query
    for 各镇(街区) finds every town's assignment. A plan without a registry takes
    names as written.

    Raises:
        UnitNameError: an empty, unknown or ambiguous name; the message lists the candidates.
    """
    value = clean_line(name).strip()
    if not value:
        raise UnitNameError(name, t("单位名称不能为空", "the unit name is empty"), [])
    resolved = registry.resolve(value)
    if resolved.kind == "unit":
        return frozenset({resolved.name})
    if resolved.kind == "group":
        return frozenset({resolved.name, *registry.members_of(resolved.name)})
    if not registry.units:  # a plan without a registry: names as written
        return frozenset({resolved.name})
    return frozenset({_guess(_spellings(registry, groups=False), value, "单位", "unit")})


def resolve_unit(registry: Registry, name: str) -> str:
    """The one canonical assignee ``name`` stands for (a unit, or a vague group that is one assignee).

    Raises:
        UnitNameError: unknown or ambiguous, or a group of several units (``--on-behalf-of``,
            ``operator add --unit`` and ``resolve`` need one unit).
    """
    names = resolve_unit_names(registry, name)
    if len(names) == 1:
        return next(iter(names))
    group = registry.resolve(clean_line(name).strip()).name
    members = sorted(names - {group})
    raise UnitNameError(name, t(f"{group} 是分组,请写其中一个单位: {_listed(members)}",
                                f"{group} is a group; name one of its units: {_listed(members)}"), members)


def resolve_group(registry: Registry, name: str) -> frozenset[str]:
    """A group (by name, alias, initials or a unique part) and every unit it may hold.

    Raises:
        UnitNameError: an unknown or ambiguous group name.
    """
    value = clean_line(name).strip()
    resolved = registry.resolve(value)
    if resolved.kind == "group":
        group_name = resolved.name
    else:
        pairs = tuple((spelling, g.name) for g in registry.groups.values() for spelling in (g.name, *g.aliases))
        try:
            group_name = _guess(pairs, value, "分组", "group")
        except UnitNameError as exc:
            if exc.candidates:
                raise
            known = "、".join(registry.groups) or t("无", "none")
            raise UnitNameError(value, t(f"未知分组 {value!r}(可用: {known})",
                                         f"unknown group {value!r} (known: {known})"), list(registry.groups)) from None
    group = registry.groups[group_name]
    return frozenset({group_name, *group.members, *group.optional})


def unit_label(units: frozenset[str], typed: str) -> str:
    """How to name what :func:`resolve_unit_names` gave: the unit itself, else the name as typed."""
    return next(iter(units)) if len(units) == 1 else clean_line(typed).strip()


def not_assigned(where: str, units: Iterable[str]) -> str:
    """The line saying that task or requirement ``where`` has no assignment for ``units``."""
    names = "、".join(sorted(units))
    return t(f"{where} 没有 {names} 的分工", f"{where} has no assignment for {names}")
