"""Task texts for the audit tests, built with the real codec (no git needed)."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

from tracker.codec import dump_task
from tracker.model import Assignment, Note, Requirement, Role, Status, Task

TZ = timezone(timedelta(hours=8))
AT = datetime(2019, 8, 1, 10, 0, tzinfo=TZ)
OFFICE = "市政府办公室"
NDRC = "市发改局"

OPERATORS = """
[operators.admin]
name = "管理员"
units = []
role = "admin"

[operators.zhangsan]
name = "张三"
units = ["市发改局"]
role = "operator"

[operators.lisi]
name = "李四"
units = ["市政府办公室"]
role = "operator"

[operators.wangwu]
name = "王五"
units = []
role = "auditor"
"""


def sample_task(number: int = 5) -> Task:
    """A task with two requirements; the first has two units."""
    req1 = Requirement(
        task=number,
        key="1",
        text="围绕优化营商环境公开政策",
        deadline="全年",
        due=(date(2019, 12, 31),),
        leads=[OFFICE, NDRC],
    )
    req1.assignments[OFFICE] = Assignment(OFFICE, Role.LEAD)
    req1.assignments[NDRC] = Assignment(NDRC, Role.LEAD)
    req2 = Requirement(
        task=number,
        key="2",
        text="公开涉企收费清单",
        deadline="6月底前",
        due=(date(2019, 6, 30),),
        implementers=[NDRC],
    )
    req2.assignments[NDRC] = Assignment(NDRC, Role.IMPLEMENTER)
    return Task(number=number, title="优化涉企服务", section="一、重点领域", requirements=[req1, req2])


def edited(
    task: Task,
    req: str,
    unit: str,
    *,
    status: Status | None = None,
    note: str | None = None,
    evidence: str | None = None,
    by: str = "zhangsan",
) -> Task:
    """A copy of ``task`` with one assignment edited the way the service does."""
    new = copy.deepcopy(task)
    assignment = new.requirement(req).assignments[unit]  # type: ignore[union-attr]
    if status is not None:
        assignment.status = status
    if note is not None:
        assignment.notes.append(Note(at=AT, by=by, text=note))
    if evidence is not None:
        assignment.evidence.append(evidence)
    assignment.updated = AT
    assignment.updated_by = by
    return new


def text(task: Task) -> bytes:
    return dump_task(task).encode("utf-8")
