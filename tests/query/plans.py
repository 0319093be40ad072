"""A small synthetic plan for query, listing and CLI tests (independent of the bundled plan)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from tracker.codec import dump_plan_info, dump_task
from tracker.model import Assignment, Note, Plan, PlanInfo, Requirement, Role, Status, Task
from tracker.units import Group, Registry, Unit, dump_registry

TOWNS = ["营里镇", "化龙镇", "圣城街道"]
CST = timezone(timedelta(hours=8))


def make_registry() -> Registry:
    registry = Registry()
    for name, aliases in [("市发改局", ["发改局"]), ("市工信局", []), ("市人社局", ["人社局"]),
                          ("市行政审批服务局", []), ("市财政局", [])]:
        registry.units[name] = Unit(name, "市直部门", aliases)
    for town in TOWNS:
        registry.units[town] = Unit(town, "街道" if town.endswith("街道") else "镇")
    registry.groups["各镇(街区)"] = Group("各镇(街区)", members=list(TOWNS), aliases=["相关镇(街区)"])
    registry.groups["市直相关部门"] = Group("市直相关部门")
    return registry


def _req(task: int, key: str, text: str, deadline: str, due: tuple[date, ...],
         leads: list[str], implementers: list[str]) -> Requirement:
    req = Requirement(task, key, text, deadline=deadline, due=due, leads=leads, implementers=implementers)
    for unit in leads:
        req.assignments[unit] = Assignment(unit, Role.LEAD)
    for unit in implementers:
        req.assignments[unit] = Assignment(unit, Role.IMPLEMENTER)
    return req


def make_plan() -> Plan:
    """Five tasks over two sections; statuses and dates chosen to exercise every term."""
    plan = Plan(PlanInfo(2019, title="测试计划", issued=date(2019, 7, 9)))
    s1, s2 = "一、扎实做好重点领域信息公开", "二、加强政策解读回应"
    sub1, sub2 = "(一)做好助推高质量发展信息公开", "(一)深入解读好重要政策措施"
    tasks = [
        Task(1, "推进新旧动能转换重大工程信息公开", s1, sub1, [
            _req(1, "1", "加大新旧动能转换重大工程配套制度措施的公开力度。", "全年", (date(2019, 12, 31),),
                 ["市发改局"], ["市工信局", *TOWNS])]),
        Task(2, "推进乡村振兴信息公开", s1, sub1, [
            _req(2, "1", "重点公开耕地质量提升计划和征地信息。", "6月底前", (date(2019, 6, 30),),
                 ["市人社局"], list(TOWNS)),
            _req(2, "2", "动态发布农村集体产权制度改革试点情况。", "", (), ["市发改局"], ["市直相关部门"])]),
        Task(5, "优化涉企服务", s1, "(二)做好优化营商环境信息公开", [
            _req(5, "1", "围绕减税降费公开政策。", "6月底前/全年", (date(2019, 6, 30), date(2019, 12, 31)),
                 ["市行政审批服务局"], ["营里镇"])]),
        Task(9, "做好征地信息公开", s2, sub2, [
            _req(9, "1", "公开征收土地方案。", "8月31日前", (date(2019, 8, 31),), ["市财政局"], [])]),
        Task(12, "政策解读", s2, sub2, [
            _req(12, "1", "没有单位的要求。", "持续推进", (), [], [])]),
    ]
    for task in tasks:
        plan.tasks[task.number] = task
    at = datetime(2019, 8, 1, 10, 0, tzinfo=CST)
    a = plan.tasks[2].requirements[0].assignments["营里镇"]
    a.status, a.updated, a.updated_by = Status.DONE, at, "yingli"
    a.notes.append(Note(at, "yingli", "已公开耕地计划"))
    a.evidence.append("http://example.gov.cn/a.html")
    plan.tasks[2].requirements[0].assignments["化龙镇"].status = Status.IN_PROGRESS
    plan.tasks[5].requirements[0].assignments["营里镇"].status = Status.NOT_APPLICABLE
    plan.tasks[1].requirements[0].assignments["市发改局"].status = Status.IN_PROGRESS
    plan.tasks[9].requirements[0].assignments["市财政局"].status = Status.BLOCKED
    return plan


def write_plan_folder(folder: Path, plan: Plan | None = None, registry: Registry | None = None) -> Path:
    """Write the plan as a ``tasks/``-like folder and return it."""
    plan = plan or make_plan()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.toml").write_text(dump_plan_info(plan.info), encoding="utf-8")
    (folder / "units.toml").write_text(dump_registry(registry or make_registry()), encoding="utf-8")
    for task in plan.sorted_tasks():
        (folder / f"{task.number:02d}.toml").write_text(dump_task(task), encoding="utf-8")
    return folder
