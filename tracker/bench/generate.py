"""Synthetic stores shaped like the real plan, reproducible from a seed.

``generate(dest, tasks=N, commits=H, seed=1)`` writes a git repository holding a
plan of N tasks on ``plan/YEAR`` and H commits of history:

* the first commit adds ``tasks/plan.toml``, ``tasks/units.toml``,
  ``tasks/operators.toml`` and one file per task, rendered by the codec
  (:func:`tracker.codec.dump_task`, :func:`tracker.units.dump_registry`), so
  every file is a valid task file;
* each later commit is one realistic change by the operator of one unit (a
  status change, a progress note, an evidence item, or several at once), with
  the subject and trailers the service writes;
* history goes in through ``git fast-import`` (the only way to write 100,000
  commits in minutes), with fixed author dates: the same seed gives the same
  tree and the same commit ids.

An update re-renders only the changed unit's table (with the codec's
:func:`tracker.codec.assignment_table`) and splices it into the file, which is
what a tomlkit edit in place produces; a test checks the splice against a
full :func:`~tracker.codec.dump_task`.
"""

from __future__ import annotations

import random
import subprocess
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import tomlkit

from tracker.codec import (
    FLAT_LAYOUT_LIMIT,
    OPERATORS_FILE,
    PLAN_FILE,
    UNITS_FILE,
    assignment_table,
    dump_plan_info,
    dump_task,
    task_relpath,
)
from tracker.model import Assignment, Note, PlanInfo, Requirement, Role, Status, Task
from tracker.units import Registry, Unit, dump_registry, load_registry

CST = timezone(timedelta(hours=8))
EMAIL_DOMAIN = "zwgk.local"  # tracker.operators.EMAIL_DOMAIN: the address the service writes
ADMIN_LOGIN = "office"
AUDITOR_LOGIN = "audit"

# Enough units for "5-40 per requirement" when no registry is bundled.
_FALLBACK_DEPARTMENTS = [
    "市政府办公室",
    "市发改局",
    "市工信局",
    "市教体局",
    "市科技局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人社局",
    "市自然资源与规划局",
    "市住建局",
    "市交通局",
    "市水利局",
    "市农业农村局",
    "市海渔局",
    "市商务局",
    "市文旅局",
    "市卫健局",
    "市退役军人局",
    "市应急局",
    "市审计局",
    "市市场监管局",
    "市统计局",
    "市医保局",
    "市行政审批服务局",
    "市综合执法局",
    "市大数据中心",
    "市税务局",
    "市金融服务中心",
    "市生态环境分局",
    "市信访局",
    "市城市管理局",
    "市机关事务中心",
    "市供销社",
]
_FALLBACK_TOWNS = ["化龙镇", "营里镇", "台头镇", "田柳镇", "上口镇", "侯镇", "纪台镇", "稻田镇", "羊口镇"]
_FALLBACK_STREETS = ["圣城街道", "文家街道", "古城街道", "洛城街道", "孙家集街道"]

_SECTIONS = (
    "扎实做好重点领域信息公开",
    "着力加强政策解读回应",
    "持续深化政务公开标准化规范化",
    "切实提升政府信息公开质量",
    "强化政务公开工作保障",
)
_AREAS = (
    "重大建设项目",
    "公共资源配置",
    "财政预决算",
    "减税降费",
    "就业创业",
    "社会救助",
    "义务教育",
    "医疗卫生",
    "生态环境",
    "食品药品安全",
    "安全生产",
    "征地补偿",
    "棚户区改造",
    "农村集体经济",
    "扶贫脱贫",
    "营商环境",
    "双随机一公开",
    "行政审批",
    "市场监管",
    "住房保障",
    "养老服务",
    "文化旅游",
)
_VERBS = ("及时公开", "主动公开", "全面公开", "集中公开", "规范发布", "定期更新", "逐项公开", "细化公开")
_OBJECTS = (
    "政策文件",
    "办事指南",
    "审批结果",
    "执行情况",
    "监督检查结果",
    "资金分配结果",
    "项目批准信息",
    "招标投标信息",
    "统计数据",
    "责任清单",
    "工作进展",
    "解读材料",
    "考核结果",
    "补偿标准",
)
_TAILS = (
    "确保群众看得到、听得懂、能监督",
    "主动回应社会关切",
    "切实保障群众知情权、参与权和监督权",
    "推动相关工作落地见效",
    "做到应公开尽公开",
    "实现全过程公开",
    "提升公开的针对性和实效性",
)
_NOTE_PHRASES = (
    "已在政府门户网站专栏发布",
    "已完成相关信息梳理,正在审核",
    "已召开专题会议研究部署",
    "已公开{n}条信息",
    "正在按照时限要求推进",
    "已报送市政府办公室备案",
    "已同步在政务新媒体发布",
    "因系统升级,发布时间顺延",
    "已完成年度目标的{n}%",
    "已整改网站栏目设置问题",
)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞建国志红"
_DEADLINES = (
    ("全年", 6),
    ("年底前", 5),
    ("6月底前", 4),
    ("9月底前", 3),
    ("持续推进", 3),
    ("长期坚持", 2),
    ("6月底前/全年", 2),
    ("3月31日前", 2),
    ("本任务分工印发1个月内", 2),
    ("", 1),
)
_STATUS_WEIGHTS = (
    (Status.NOT_STARTED, 3),
    (Status.IN_PROGRESS, 5),
    (Status.DONE, 4),
    (Status.BLOCKED, 1),
    (Status.NOT_APPLICABLE, 1),
)
_NUMERALS = "一二三四五六七八九十"


@dataclass
class GenStats:
    """What a generation produced and how long it took."""

    tasks: int
    requirements: int
    assignments: int
    commits: int
    operators: int
    bytes_of_files: int
    nested: bool
    seconds: float
    head: str = ""


@dataclass
class _Operator:
    login: str
    name: str
    unit: str


@dataclass
class _TaskDoc:
    """A task, its rendered text split at table headers, and where each unit's table is."""

    task: Task
    segments: list[str]
    index: dict[tuple[str, str], int] = field(default_factory=dict)

    def text(self) -> str:
        return "".join(self.segments)


def default_registry() -> Registry:
    """The bundled unit registry, or a built-in one shaped like it (departments, towns, streets)."""
    try:
        from tracker.planio import bundled_tasks_dir

        path = bundled_tasks_dir() / UNITS_FILE
        registry = load_registry(path.read_text(encoding="utf-8"), str(path))
        if len(registry.units) >= 40:
            return registry
    except (FileNotFoundError, ValueError):
        pass
    registry = Registry()
    for name in _FALLBACK_DEPARTMENTS:
        registry.units[name] = Unit(name, "市直部门")
    for name in _FALLBACK_TOWNS:
        registry.units[name] = Unit(name, "镇")
    for name in _FALLBACK_STREETS:
        registry.units[name] = Unit(name, "街道")
    return registry


def dump_operators(operators: list[_Operator]) -> str:
    """``tasks/operators.toml``: the office admin, an auditor, one operator per unit."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("操作员:登录账号 -> 姓名、单位、角色(合成数据)"))
    table = tomlkit.table(is_super_table=True)
    admin = tomlkit.table()
    admin["name"] = "政务公开办"
    admin["units"] = []
    admin["role"] = "admin"
    table[ADMIN_LOGIN] = admin
    auditor = tomlkit.table()
    auditor["name"] = "审计员"
    auditor["units"] = []
    auditor["role"] = "auditor"
    table[AUDITOR_LOGIN] = auditor
    for op in operators:
        item = tomlkit.table()
        item["name"] = op.name
        item["units"] = [op.unit]
        item["role"] = "operator"
        table[op.login] = item
    doc["operators"] = table
    return tomlkit.dumps(doc)


class _Generator:
    def __init__(self, tasks: int, seed: int, assignments: int | None, year: int) -> None:
        self.rng = random.Random(seed)
        self.n_tasks = tasks
        self.year = year
        self.registry = default_registry()
        self.units = sorted(self.registry.units)
        self.towns = [u for u in self.units if self.registry.units[u].kind in ("镇", "街道", "园区")]
        self.departments = [u for u in self.units if u not in self.towns]
        self.operators = [
            _Operator(f"op{i:03d}", self._person(), unit) for i, unit in enumerate(self.units, start=1)
        ]
        self.by_unit = {op.unit: op for op in self.operators}
        # Mean units per requirement so that tasks x requirements x units ~ assignments.
        per_task = (assignments / tasks) if assignments else 37.0
        self.units_mean = min(38.0, max(5.5, per_task / 2.0 + 1.0))
        self.clock = datetime(year, 3, 1, 9, 0, tzinfo=CST)

    # ------------------------------------------------------------ text
    def _person(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choices(_GIVEN, k=self.rng.randint(1, 2)))

    def _sentence(self) -> str:
        r = self.rng
        return (
            f"围绕{r.choice(_AREAS)}领域,{r.choice(_VERBS)}{r.choice(_OBJECTS)}和{r.choice(_OBJECTS)},"
            f"{r.choice(_TAILS)}"
        )

    def _note_text(self) -> str:
        return self.rng.choice(_NOTE_PHRASES).format(n=self.rng.randint(3, 98))

    def _evidence(self, number: int) -> str:
        r = self.rng
        if r.random() < 0.7:
            return (
                f"http://www.shouguang.gov.cn/zwgk/{self.year}/{number:05d}/t{r.randint(100000, 999999)}.html"
            )
        return f"寿政办发〔{self.year}〕{r.randint(1, 120)}号"

    def _weighted(self, pairs: tuple[tuple[object, int], ...]) -> object:
        items, weights = zip(*pairs, strict=True)
        return self.rng.choices(items, weights=weights)[0]

    def _due(self, deadline: str) -> tuple[date, ...]:
        y = self.year
        table: dict[str, tuple[date, ...]] = {
            "全年": (date(y, 12, 31),),
            "年底前": (date(y, 12, 31),),
            "6月底前": (date(y, 6, 30),),
            "9月底前": (date(y, 9, 30),),
            "6月底前/全年": (date(y, 6, 30), date(y, 12, 31)),
            "3月31日前": (date(y, 3, 31),),
            "本任务分工印发1个月内": (date(y, 4, 15),),
        }
        return table.get(deadline, ())

    def _units_count(self) -> int:
        extra = self.rng.expovariate(1.0 / max(0.5, self.units_mean - 5))
        return max(5, min(40, len(self.units), 5 + int(extra)))

    # ------------------------------------------------------------ plan
    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=self.rng.randint(60, 5400))
        return self.clock

    def make_task(self, number: int) -> Task:
        r = self.rng
        sec = (number - 1) * len(_SECTIONS) // self.n_tasks
        sub = (number - 1) % 4
        task = Task(
            number=number,
            title=f"做好{r.choice(_AREAS)}信息公开",
            section=f"{_NUMERALS[sec]}、{_SECTIONS[sec]}",
            subsection=f"({_NUMERALS[sub]})做好{r.choice(_AREAS)}信息公开",
        )
        n_requirements = r.choices((1, 2, 3, 4, 5), weights=(4, 3, 2, 1, 1))[0]
        for key in range(1, n_requirements + 1):
            count = self._units_count()
            if count >= 14 and r.random() < 0.6:
                pool = self.towns + r.sample(self.departments, k=max(0, count - len(self.towns)))
                chosen = pool[:count]
            else:
                chosen = r.sample(self.units, k=count)
            n_leads = 1 if r.random() < 0.8 else 2
            leads, implementers = chosen[:n_leads], chosen[n_leads:]
            deadline = str(self._weighted(_DEADLINES))
            req = Requirement(
                task=number,
                key=str(key),
                text="\n".join(self._sentence() + "。" for _ in range(r.randint(1, 3))),
                responsible="、".join(leads) + "牵头," + "、".join(implementers[:6]) + "等按职责分工落实",
                deadline=deadline,
                due=self._due(deadline),
                leads=list(leads),
                implementers=list(implementers),
            )
            for unit in chosen:
                a = Assignment(unit=unit, role=Role.LEAD if unit in leads else Role.IMPLEMENTER)
                a.status = self._weighted(_STATUS_WEIGHTS)  # type: ignore[assignment]
                if a.status is not Status.NOT_STARTED:
                    op = self.by_unit[unit]
                    for _ in range(r.randint(0, 2)):
                        a.notes.append(Note(at=self._tick(), by=op.login, text=self._note_text()))
                    if a.status is Status.DONE or r.random() < 0.3:
                        a.evidence = [self._evidence(number) for _ in range(r.randint(1, 2))]
                    a.updated = self.clock
                    a.updated_by = op.login
                req.assignments[unit] = a
            task.requirements.append(req)
        return task

    # ------------------------------------------------------------ updates
    def change(self, doc: _TaskDoc) -> tuple[str, str, str, str, list[str]]:
        """Apply one operator's change to ``doc``; return (login, name, unit, req key, subject parts)."""
        r = self.rng
        req = r.choice(doc.task.requirements)
        unit = r.choice(list(req.assignments))
        a = req.assignments[unit]
        op = self.by_unit[unit]
        at = self._tick()
        parts: list[str] = []
        kind = r.random()
        if kind < 0.55 or a.status is Status.NOT_STARTED:
            old = a.status
            choices = [s for s, _ in _STATUS_WEIGHTS if s is not old]
            a.status = r.choice(choices)
            parts.append(f"{old.label} → {a.status.label}")
            if r.random() < 0.5:
                a.notes.append(Note(at=at, by=op.login, text=self._note_text()))
                parts.append("添加进展")
        elif kind < 0.85:
            a.notes.append(Note(at=at, by=op.login, text=self._note_text()))
            parts.append("添加进展")
        else:
            a.evidence.append(self._evidence(doc.task.number))
            parts.append("添加佐证")
        a.updated = at
        a.updated_by = op.login
        _splice(doc, req.key, unit, a)
        return op.login, op.name, unit, req.key, parts


def split_task_text(task: Task, text: str) -> _TaskDoc:
    """Split a rendered task at its table headers, indexing each unit's table."""
    lines = text.splitlines(keepends=True)
    segments: list[str] = []
    for line in lines:
        if line.startswith("[") or not segments:
            segments.append(line)
        else:
            segments[-1] += line
    doc = _TaskDoc(task, segments)
    for i, seg in enumerate(segments):
        header = seg.split("\n", 1)[0]
        if header.startswith("[requirements.") and ".units." in header:
            parsed = tomllib.loads(header + "\n")
            ((key, req_data),) = parsed["requirements"].items()
            (unit,) = req_data["units"]
            doc.index[(key, unit)] = i
    return doc


def render_assignment_body(assignment: Assignment) -> str:
    """The lines of one unit's table, as the codec renders them (without the header)."""
    holder = tomlkit.document()
    holder.add("x", assignment_table(assignment))
    return tomlkit.dumps(holder).split("\n", 1)[1]


def _splice(doc: _TaskDoc, key: str, unit: str, assignment: Assignment) -> None:
    i = doc.index[(key, unit)]
    header, rest = doc.segments[i].split("\n", 1)
    stripped = rest.rstrip("\n")
    suffix = rest[len(stripped) + 1 :]
    doc.segments[i] = header + "\n" + render_assignment_body(assignment) + suffix


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _commit_header(branch: str, login: str, name: str, at: datetime, message: str) -> bytes:
    stamp = f"{int(at.timestamp())} +0800"
    ident = f"{name} <{login}@{EMAIL_DOMAIN}> {stamp}"
    return f"commit refs/heads/{branch}\nauthor {ident}\ncommitter {ident}\n".encode() + _data(
        message.encode()
    )


def commit_message(
    task: int,
    key: str,
    unit: str,
    parts: list[str],
    login: str,
    notes: list[str] | None = None,
    evidence: list[str] | None = None,
) -> str:
    """The message ``tracker.service`` writes for one unit's change.

    Subject ``任务5.1 市发改局: 推进中 → 已完成, 添加进展``; body naming each field, user
    text quoted with ``> ``; trailers ``Task:``, ``Unit:``, ``Operator:``.
    """
    body = [f"任务{task}.{key} {unit}"]
    for part in parts:
        if "→" in part:
            body.append(f"  状态: {part}")
        else:
            body.append(f"  {part}:")
            texts = notes if part == "添加进展" else evidence
            body += [f"  > {t}" for t in texts or []]
    return (
        f"任务{task}.{key} {unit}: {', '.join(parts)}\n\n"
        + "\n".join(body)
        + f"\n\nTask: {task}\nUnit: {unit}\nOperator: {login}\n"
    )


def generate(
    dest: Path,
    *,
    tasks: int,
    commits: int,
    seed: int = 1,
    assignments: int | None = None,
    year: int = 2019,
    bare: bool = False,
    progress: Callable[[str], None] | None = None,
) -> GenStats:
    """Write a synthetic store at ``dest`` (which must not exist or be empty).

    Args:
        tasks: number of task files.
        commits: commits on ``plan/YEAR``, the first one adding every file.
        seed: same seed, same tree and same commit ids.
        assignments: about how many assignments in all (default ~37 per task).
        bare: a bare repository (as on a server) instead of a checked-out clone.
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} 不是空目录")
    dest.mkdir(parents=True, exist_ok=True)
    gen = _Generator(tasks, seed, assignments, year)
    nested = tasks > FLAT_LAYOUT_LIMIT
    branch = f"plan/{year}"
    git = ["git", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false"]
    subprocess.run([*git, "init", "-q", *(["--bare"] if bare else []), "-b", branch, str(dest)], check=True)
    gitdir = dest if bare else dest / ".git"
    fi = subprocess.Popen(
        [*git, f"--git-dir={gitdir}", "fast-import", "--quiet", "--done"],
        stdin=subprocess.PIPE,
    )
    assert fi.stdin is not None
    out = fi.stdin
    docs: list[_TaskDoc] = []
    info = PlanInfo(
        year=year,
        title=f"{year}年政务公开工作任务分工(合成数据)",
        issuer="寿光市人民政府办公室",
        issued=date(year, 3, 15),
        source=f"tracker.bench generate --tasks {tasks} --seed {seed}",
    )
    files: list[tuple[str, bytes]] = [
        (PLAN_FILE, dump_plan_info(info).encode()),
        (UNITS_FILE, dump_registry(gen.registry).encode()),
        (OPERATORS_FILE, dump_operators(gen.operators).encode()),
    ]
    n_req = n_asg = 0
    for number in range(1, tasks + 1):
        task = gen.make_task(number)
        text = dump_task(task)
        docs.append(split_task_text(task, text))
        files.append((task_relpath(number, nested=nested), text.encode()))
        n_req += len(task.requirements)
        n_asg += sum(len(r.assignments) for r in task.requirements)
        if number % 1000 == 0:
            say(f"任务 {number}/{tasks}")
    first = _commit_header(
        branch,
        ADMIN_LOGIN,
        "政务公开办",
        gen.clock,
        f"建立合成计划: {tasks} 项任务\n\nOperator: {ADMIN_LOGIN}\n",
    )
    out.write(first)
    for rel, payload in files:
        out.write(f"M 100644 inline tasks/{rel}\n".encode() + _data(payload))
    out.write(b"\n")
    size = sum(len(p) for _, p in files)
    for i in range(1, commits):
        doc = docs[gen.rng.randrange(len(docs))]
        login, name, unit, key, parts = gen.change(doc)
        a = doc.task.requirement(key).assignments[unit]  # type: ignore[union-attr]
        message = commit_message(
            doc.task.number,
            key,
            unit,
            parts,
            login,
            notes=[a.notes[-1].text] if a.notes else [],
            evidence=a.evidence[-1:],
        )
        out.write(_commit_header(branch, login, name, gen.clock, message))
        rel = task_relpath(doc.task.number, nested=nested)
        out.write(f"M 100644 inline tasks/{rel}\n".encode() + _data(doc.text().encode()) + b"\n")
        if i % 10000 == 0:
            say(f"提交 {i}/{commits}")
    out.write(b"done\n")
    out.close()
    if fi.wait() != 0:
        raise RuntimeError("git fast-import failed")
    gd = ["git", f"--git-dir={gitdir}"]
    if not bare:
        subprocess.run([*git, "-C", str(dest), "checkout", "-q", "-f", branch], check=True)
    subprocess.run(
        [*gd, "commit-graph", "write", "--reachable", "--changed-paths"], check=True, capture_output=True
    )
    head = subprocess.run(
        [*gd, "rev-parse", branch], check=True, capture_output=True, text=True
    ).stdout.strip()
    return GenStats(
        tasks=tasks,
        requirements=n_req,
        assignments=n_asg,
        commits=max(1, commits),
        operators=len(gen.operators) + 2,
        bytes_of_files=size,
        nested=nested,
        seconds=time.perf_counter() - started,
        head=head,
    )
