"""Column headers of the CSV files ``list`` and ``history`` write, in the interface's language.

The keys stay those of the JSON output (``--format json`` is for programs); a CSV
is opened by a clerk in Excel or WPS, so its first row speaks her language.
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.i18n import t

HEADERS: dict[str, tuple[str, str]] = {
    "task": ("序号", "task"),
    "requirement": ("要求", "requirement"),
    "requirements": ("要求数", "requirements"),
    "title": ("工作任务", "title"),
    "section": ("板块", "section"),
    "subsection": ("分项", "subsection"),
    "text": ("具体要求", "text"),
    "responsible": ("责任单位", "responsible"),
    "deadline": ("时限要求", "deadline"),
    "due": ("到期日", "due"),
    "leads": ("牵头单位", "leads"),
    "implementers": ("落实单位", "implementers"),
    "unit": ("单位", "unit"),
    "units": ("单位", "units"),
    "role": ("角色", "role"),
    "status": ("状态代码", "status"),
    "status_label": ("状态", "status label"),
    "overdue": ("逾期", "overdue"),
    "note": ("进展", "note"),
    "evidence": ("佐证", "evidence"),
    "updated": ("最后修改时间", "updated"),
    "updated_by": ("最后修改人", "updated by"),
    "commit": ("提交", "commit"),
    "at": ("时间", "at"),
    "login": ("账号", "login"),
    "name": ("姓名", "name"),
    "on_behalf_of": ("代为录入单位", "on behalf of"),
    "field": ("字段", "field"),
    "old": ("原值", "old"),
    "new": ("新值", "new"),
    "subject": ("提交说明", "subject"),
}


def csv_headers(keys: Iterable[str]) -> list[str]:
    """The header row for ``keys`` (an unknown key is its own header)."""
    return [t(*HEADERS[key]) if key in HEADERS else key for key in keys]
