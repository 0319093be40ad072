"""A small plan whose every number is worked out by hand in the tests (independent of the bundled plan).

As of 2019-09-02:

| req | due                    | unit     | role | status         | overdue | due within 30 |
|-----|------------------------|----------|------|----------------|---------|---------------|
| 1.1 | 2019-06-30             | 市发改局 | lead | in_progress    | 64 days |               |
| 1.1 |                        | 营里镇   | impl | done           |         |               |
| 1.1 |                        | 化龙镇   | impl | not_started    | 64 days |               |
| 2.1 | 2019-06-30, 2019-12-31 | 市财政局 | lead | blocked        | 64 days | (120 days)    |
| 2.1 |                        | 营里镇   | impl | not_applicable |         |               |
| 3.1 | 2019-09-20             | 市发改局 | lead | not_started    |         | 18 days       |
| 3.1 |                        | 化龙镇   | impl | in_progress    |         | 18 days       |
| 3.2 | (持续推进)             | 市财政局 | lead | done           |         |               |
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.query.plans import write_plan_folder as write_folder
from tracker.model import Assignment, Note, Plan, PlanInfo, Requirement, Role, Status, Task
from tracker.planio import LoadedPlan
from tracker.reminders import ReminderRecord
from tracker.units import Registry, Unit

AS_OF = date(2019, 9, 2)
CST = timezone(timedelta(hours=8))
SECTION_1 = "一、扎实做好重点领域信息公开"
SECTION_2 = "二、加强政策解读回应"
URL = "http://www.shouguang.gov.cn/xxgk/2019/a.html"


def _assign(req: Requirement, unit: str, role: Role, status: Status, note: str = "", evidence: str = "") -> None:
    a = Assignment(unit, role, status)
    if note:
        a.notes.append(Note(datetime(2019, 8, 1, 10, 0, tzinfo=CST), "op", note))
        a.updated, a.updated_by = datetime(2019, 8, 1, 10, 0, tzinfo=CST), "op"
    if evidence:
        a.evidence.append(evidence)
    req.assignments[unit] = a
    (req.leads if role is Role.LEAD else req.implementers).append(unit)


def make_registry() -> Registry:
    registry = Registry()
    for name, kind in [("市发改局", "市直部门"), ("市财政局", "市直部门"), ("营里镇", "镇"), ("化龙镇", "镇")]:
        registry.units[name] = Unit(name, kind)
    return registry


def make_plan() -> Plan:
    plan = Plan(PlanInfo(2019, title="2019年测试市政务公开工作任务分工", issuer="测试市政府办公室",
                         issued=date(2019, 7, 9)))
    r11 = Requirement(1, "1", "加大重大工程配套制度措施的公开力度。", deadline="6月底前", due=(date(2019, 6, 30),))
    _assign(r11, "市发改局", Role.LEAD, Status.IN_PROGRESS, note="已起草公开目录")
    _assign(r11, "营里镇", Role.IMPLEMENTER, Status.DONE, note="已公开", evidence=URL)
    _assign(r11, "化龙镇", Role.IMPLEMENTER, Status.NOT_STARTED)
    r21 = Requirement(2, "1", "围绕减税降费公开政策。", deadline="6月底前/全年",
                      due=(date(2019, 6, 30), date(2019, 12, 31)))
    _assign(r21, "市财政局", Role.LEAD, Status.BLOCKED, note="等待省厅口径")
    _assign(r21, "营里镇", Role.IMPLEMENTER, Status.NOT_APPLICABLE)
    r31 = Requirement(3, "1", "公开征收土地方案。", deadline="9月20日前", due=(date(2019, 9, 20),))
    _assign(r31, "市发改局", Role.LEAD, Status.NOT_STARTED)
    _assign(r31, "化龙镇", Role.IMPLEMENTER, Status.IN_PROGRESS, note="正在整理")
    r32 = Requirement(3, "2", "做好政策解读。", deadline="持续推进")
    _assign(r32, "市财政局", Role.LEAD, Status.DONE)
    plan.tasks[1] = Task(1, "推进重大工程信息公开", SECTION_1, "(一)助推高质量发展", [r11])
    plan.tasks[2] = Task(2, "优化涉企服务", SECTION_1, "(二)优化营商环境", [r21])
    plan.tasks[3] = Task(3, "做好征地信息公开", SECTION_2, "(一)解读重要政策", [r31, r32])
    return plan


def make_loaded() -> LoadedPlan:
    return LoadedPlan(make_plan(), make_registry())


REMINDERS = [
    ReminderRecord(date(2019, 8, 15), "admin", "市发改局", ("1.1",), ("1.1",)),
    ReminderRecord(date(2019, 8, 20), "admin", "市发改局", ("1.1", "3.1"), ("1.1",)),
    ReminderRecord(date(2019, 10, 1), "admin", "化龙镇", ("1.1",), ("1.1",)),  # after AS_OF: not counted
]


def write_plan_folder(folder: Path) -> Path:
    """The small plan as a ``tasks/``-like folder."""
    return write_folder(folder, make_plan(), make_registry())


@pytest.fixture
def loaded() -> LoadedPlan:
    return make_loaded()


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    """A store (git) holding the small plan; the current login is its admin."""
    from tracker.store import Store

    folder = write_plan_folder(tmp_path / "plan")
    repo = tmp_path / "repo"
    Store.init(repo, source=folder)
    return repo
