"""Flat diffs of parsed TOML: values rendered as text, nested tables flattened to key paths, and the
leaves that differ between two versions."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

# ---------------------------------------------------------------- rendering values


def render(value: Any) -> str:
    """A TOML value as one piece of text for a table or JSON row."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "、".join(render(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def canonical(value: Any) -> str:
    """A hashable, order-stable form of any TOML value (for set comparisons)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def parse_bytes(data: bytes | None) -> dict[str, Any] | None:
    """Parse a file's bytes; None when absent. Broken files raise ValueError."""
    if data is None:
        return None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(str(exc)) from None


# ---------------------------------------------------------------- flat diffs


def flatten(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Leaves of a TOML document by key path; arrays are leaves."""
    leaves: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        path = (*prefix, str(key))
        if isinstance(value, dict):
            leaves.update(flatten(value, path))
        else:
            leaves[path] = value
    return leaves


def leaf_changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[tuple[tuple[str, ...], Any, Any]]:
    """``(key path, old, new)`` for every leaf that differs (None when absent)."""
    a = flatten(old or {})
    b = flatten(new or {})
    changes = []
    for key in _ordered_union(a, b):
        if key not in a or key not in b or a[key] != b[key]:
            changes.append((key, a.get(key), b.get(key)))
    return changes


def _ordered_union(a: Mapping[Any, Any], b: Mapping[Any, Any]) -> list[Any]:
    seen = dict.fromkeys(a)
    seen.update(dict.fromkeys(b))
    return list(seen)
