"""The report as JSON: the same structure as :class:`~tracker.reports.model.Report`, keys stable."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from tracker.reports.model import Counts, Report


def _plain(value: Any) -> Any:
    if isinstance(value, Counts):
        data = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        data["done_percent"] = value.done_percent
        return data
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def report_to_dict(report: Report) -> dict[str, Any]:
    """Plain JSON-ready data: enums as their keys, dates as ISO strings."""
    data: dict[str, Any] = _plain(report)
    if not report.has_changes:
        data["changes"] = None
    return data


def render_json(report: Report) -> str:
    """Indented UTF-8 JSON ending in a newline; the same report gives the same bytes."""
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
