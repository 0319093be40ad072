"""Real task lists of other offices import the way a clerk reads them (issue 11, item 5).

Each folder of ``tests/data/notices/`` holds one published document, kept as retrieved, and an
``expected.toml`` written by hand from reading it (the keys: ``tests/data/notices/FORMAT.md``).
Each document is imported with the public API,
``tracker.importer.import_file(path, year, allow_unknown_units=True)``, and compared with its
expectations. Every difference is collected and reported at once, each line naming the
document, the task, the requirement and the field.

How strictly things are compared:

- task numbers: exactly the expected set (a missing or an extra task is a difference);
- titles: equal after folding full/half width (NFKC), dropping a leading ordinal (``一、``,
  ``(一)``, ``1.``, ``1、``, ``(1)``) and removing all whitespace and punctuation, so
  ``一、做好财政信息公开。`` equals ``做好财政信息公开``; a task without ``title`` in the
  expectations (a document with no title column) is not checked;
- requirements: the exact count, then each in order;
- units: the set of assignees equals the expected names resolved through the units the import
  returns (``result.units_text``: an alias resolves to its unit, a group with members expands);
  every expected group name must be a group there, every other name a unit;
- leads: when the expectations give ``leads`` (the document says who leads), the assignments
  with the lead role are exactly those units and every other assignment implements. Without
  ``leads``, roles are not checked;
- deadline: the text equal after width folding and removing whitespace and outer brackets;
- due: the exact dates, or the kind (``ongoing``, ``unspecified``, ``recurring``);
- a cut row (``[cut]``): its phrase is in no requirement, and the import kept it (a remark of
  the report or a task's unclassified text), so nothing is dropped silently.

A separate test checks that every document ends in a plan or a ``NoticeImportError``, never
another exception; another checks the data folder itself against FORMAT.md.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tracker.deadlines import DeadlineKind, resolve_deadline
from tracker.importer import ImportResult, NoticeImportError, import_file
from tracker.model import Plan, Requirement, Role, Task
from tracker.units import Registry, load_registry, normalise_name

NOTICES = Path(__file__).resolve().parents[1] / "data" / "notices"
FOLDERS = sorted(p for p in NOTICES.iterdir() if (p / "expected.toml").is_file())
LAYOUTS = {"flattened-table", "line-table", "pipe-table", "outline", "tab-table", "labelled-outline"}
DUE_KINDS = {"ongoing", "unspecified", "recurring"}

_ORDINAL = re.compile(r"^\s*(?:[((]?[一二三四五六七八九十百]+[))、.]|[((]?\d+[))、.]|[((]\d+[))])\s*")
_OUTER_BRACKETS = re.compile(r"^[((](.*)[))]$")


def load_expected(folder: Path) -> dict[str, Any]:
    with (folder / "expected.toml").open("rb") as handle:
        return tomllib.load(handle)


def document_of(folder: Path, expected: dict[str, Any]) -> Path:
    return folder / str(expected.get("document", "notice.txt"))


def normal_title(text: str) -> str:
    """Width folded, leading ordinal dropped, no whitespace or punctuation."""
    folded = unicodedata.normalize("NFKC", text).strip()
    folded = _ORDINAL.sub("", folded, count=1)
    return "".join(ch for ch in folded if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def normal_deadline(text: str) -> str:
    """Width folded, no whitespace, outer brackets dropped."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    match = _OUTER_BRACKETS.match(folded)
    return match.group(1) if match else folded


def _import(folder: Path, expected: dict[str, Any]) -> ImportResult:
    return import_file(document_of(folder, expected), int(expected["year"]), allow_unknown_units=True)


def _assignees(registry: Registry, names: list[str]) -> set[str]:
    out: set[str] = set()
    for name in names:
        out.update(normalise_name(n) for n in registry.expand(name))
    return out


def _compare_units(where: str, req: Requirement, spec: dict[str, Any], registry: Registry) -> list[str]:
    diffs = []
    expected_units = _assignees(registry, list(spec["units"]))
    actual_units = {normalise_name(u) for u in req.assignments}
    if actual_units != expected_units:
        diffs.append(
            f"{where}: units differ: missing {sorted(expected_units - actual_units)}, "
            f"unexpected {sorted(actual_units - expected_units)}"
        )
    if "leads" in spec:
        expected_leads = _assignees(registry, list(spec["leads"]))
        actual_leads = {normalise_name(u) for u, a in req.assignments.items() if a.role is Role.LEAD}
        if actual_leads != expected_leads:
            diffs.append(
                f"{where}: leads differ: expected {sorted(expected_leads)}, got {sorted(actual_leads)}"
            )
    return diffs


def _compare_due(
    where: str, req: Requirement, spec: dict[str, Any], year: int, issued: date | None
) -> list[str]:
    due = spec["due"]
    if isinstance(due, list):
        wanted = tuple(date.fromisoformat(d) for d in due)
        if req.due != wanted:
            return [f"{where}: due differs: expected {[d.isoformat() for d in wanted]}, got {list(req.due)}"]
        return []
    kind = resolve_deadline(req.deadline, year, issued).kind
    if due == "ongoing" and (req.due or kind is not DeadlineKind.ONGOING):
        return [f"{where}: due: expected ongoing (no date), got {kind.value} {list(req.due)}"]
    if due == "unspecified" and (req.due or kind is not DeadlineKind.UNSPECIFIED):
        return [f"{where}: due: expected unspecified (no deadline), got {kind.value} {list(req.due)}"]
    if due == "recurring" and len(req.due) < 2:
        return [f"{where}: due: expected a recurring deadline (several dates), got {list(req.due)}"]
    return []


def _compare_requirement(
    where: str, req: Requirement, spec: dict[str, Any], registry: Registry, plan: Plan
) -> list[str]:
    diffs = _compare_units(where, req, spec, registry)
    if normal_deadline(req.deadline) != normal_deadline(str(spec["deadline"])):
        diffs.append(f"{where}: deadline differs: expected {spec['deadline']!r}, got {req.deadline!r}")
    diffs += _compare_due(where, req, spec, plan.year, plan.info.issued)
    return diffs


def _compare_task(slug: str, task: Task, spec: dict[str, Any], registry: Registry, plan: Plan) -> list[str]:
    where = f"{slug}: task {task.number}"
    diffs = []
    if "title" in spec and normal_title(task.title) != normal_title(str(spec["title"])):
        diffs.append(f"{where}: title differs: expected {spec['title']!r}, got {task.title!r}")
    wanted = list(spec.get("requirement", []))
    if len(task.requirements) != int(spec["requirements"]):
        texts = [r.text[:20] for r in task.requirements]
        diffs.append(
            f"{where}: expected {spec['requirements']} requirements, got {len(task.requirements)} {texts}"
        )
    for index, (req, req_spec) in enumerate(zip(task.requirements, wanted, strict=False), start=1):
        diffs += _compare_requirement(f"{where}: requirement {index}", req, req_spec, registry, plan)
    return diffs


def _compare_kinds(slug: str, expected: dict[str, Any], registry: Registry) -> list[str]:
    groups = {normalise_name(g) for g in expected.get("groups", [])}
    names = {
        normalise_name(n) for t in expected["tasks"] for r in t.get("requirement", []) for n in r["units"]
    }
    diffs = []
    for name in sorted(names):
        kind = registry.resolve(name).kind
        wanted = "group" if name in groups else "unit"
        if kind != wanted:
            diffs.append(f"{slug}: unit name {name!r}: expected a {wanted} in the plan's units, got {kind}")
    return diffs


def _compare_cut(slug: str, result: ImportResult, cut: dict[str, Any]) -> list[str]:
    phrase = normalise_name(str(cut["text"]))
    plan = result.plan
    in_requirements = [
        r.id for t in plan.tasks.values() for r in t.requirements if phrase in normalise_name(r.text)
    ]
    if in_requirements:
        return [f"{slug}: the cut row ({cut['row']}) was imported as requirement(s) {in_requirements}"]
    kept = [normalise_name(f"{r.message} {r.text}") for r in result.report.remarks]
    kept += [normalise_name(text) for t in plan.tasks.values() for text in t.unclassified]
    if not any(phrase in text for text in kept):
        return [f"{slug}: the cut row ({cut['row']}) is neither reported nor kept: dropped silently"]
    return []


def compare(slug: str, result: ImportResult, expected: dict[str, Any]) -> list[str]:
    """Every difference between an import and its expectations, one line each."""
    registry = load_registry(result.units_text)
    plan = result.plan
    wanted = {int(t["number"]): t for t in expected["tasks"]}
    diffs = []
    if set(plan.tasks) != set(wanted):
        diffs.append(
            f"{slug}: task numbers differ: missing {sorted(set(wanted) - set(plan.tasks))}, "
            f"unexpected {sorted(set(plan.tasks) - set(wanted))}"
        )
    for number in sorted(set(plan.tasks) & set(wanted)):
        diffs += _compare_task(slug, plan.tasks[number], wanted[number], registry, plan)
    diffs += _compare_kinds(slug, expected, registry)
    if "cut" in expected:
        diffs += _compare_cut(slug, result, expected["cut"])
    return diffs


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_real_notice_imports_as_expected(folder: Path) -> None:
    expected = load_expected(folder)
    try:
        result = _import(folder, expected)
    except NoticeImportError as exc:
        pytest.fail(f"{folder.name}: import failed: {exc}", pytrace=False)
    diffs = compare(folder.name, result, expected)
    if diffs:
        pytest.fail(f"{folder.name}: {len(diffs)} difference(s):\n" + "\n".join(diffs), pytrace=False)


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_real_notice_ends_in_plan_or_clear_error(folder: Path) -> None:
    expected = load_expected(folder)
    try:
        result = _import(folder, expected)
    except NoticeImportError as exc:
        assert str(exc).strip(), f"{folder.name}: NoticeImportError without a message"
        return
    except Exception as exc:  # the point of the test: anything else is a bug
        pytest.fail(f"{folder.name}: import raised {type(exc).__name__}: {exc}", pytrace=False)
    assert result.plan.tasks, f"{folder.name}: a plan without tasks instead of an error"


# ------------------------------------------------------------------ the data folder itself


def test_at_least_eight_documents() -> None:
    assert len(FOLDERS) >= 8, [f.name for f in FOLDERS]


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_expected_file_follows_format(folder: Path) -> None:
    expected = load_expected(folder)
    slug = folder.name
    for key in ("source_url", "retrieved", "office", "year", "layout", "complete", "sha256", "tasks"):
        assert key in expected, f"{slug}: expected.toml has no {key!r}"
    assert str(expected["source_url"]).startswith(("http://", "https://")), slug
    assert expected["layout"] in LAYOUTS, f"{slug}: layout {expected['layout']!r} not in {sorted(LAYOUTS)}"
    assert document_of(folder, expected).is_file(), f"{slug}: no document file"
    digest = hashlib.sha256(document_of(folder, expected).read_bytes()).hexdigest()
    assert digest == expected["sha256"], f"{slug}: the document changed; it must stay as retrieved"
    assert (not expected["complete"]) == ("cut" in expected), (
        f"{slug}: `complete = false` goes with a [cut] table"
    )
    if "cut" in expected:
        text = document_of(folder, expected).read_text(encoding="utf-8")
        assert str(expected["cut"]["text"]) in text, f"{slug}: the cut phrase is not in the document"
    numbers = [int(t["number"]) for t in expected["tasks"]]
    assert numbers == sorted(set(numbers)), f"{slug}: task numbers must be unique and in order"
    groups = set(expected.get("groups", []))
    named = set()
    for task in expected["tasks"]:
        reqs = task.get("requirement", [])
        assert len(reqs) == task["requirements"], (
            f"{slug}: task {task['number']}: count != listed requirements"
        )
        for req in reqs:
            assert req["units"], f"{slug}: task {task['number']}: a requirement without units"
            assert set(req.get("leads", [])) <= set(req["units"]), (
                f"{slug}: task {task['number']}: lead not a unit"
            )
            due = req["due"]
            assert isinstance(due, list) or due in DUE_KINDS, f"{slug}: task {task['number']}: due {due!r}"
            if isinstance(due, list):
                assert all(date.fromisoformat(d).year >= expected["year"] for d in due), slug
            named.update(req["units"])
    assert groups <= named, f"{slug}: groups never named by a requirement: {sorted(groups - named)}"


def test_readme_lists_every_document() -> None:
    readme = (NOTICES / "README.md").read_text(encoding="utf-8")
    for folder in FOLDERS:
        expected = load_expected(folder)
        assert f"`{folder.name}`" in readme, f"README.md does not list {folder.name}"
        assert str(expected["source_url"]) in readme, f"README.md lacks the address of {folder.name}"


def test_title_normalisation_reads_like_a_clerk() -> None:
    assert normal_title("一、做好财政信息公开。") == normal_title("做好财政信息公开")
    assert normal_title("(一)做好 财政信息公开") == "做好财政信息公开"
    assert normal_title("1.推进“放管服”改革") == "推进放管服改革"
    assert normal_title("做好财政信息公开") != normal_title("做好预算信息公开")
    assert normal_deadline("(2019年6月底前完成)") == "2019年6月底前完成"


# ------------------------------------------------------------------ the comparison itself

# The hand-written expectations of tests/data/plan-pipe.txt, a table today's importer reads:
# proof that a faithful import passes and that each kind of difference is named.
PLAN_PIPE_EXPECTED = """
year = 2020
groups = ["市直各有关部门"]

[[tasks]]
number = 1
title = "1.推进财政信息公开"
requirements = 2

[[tasks.requirement]]
units = ["市财政局", "市直各有关部门"]
leads = ["市财政局"]
deadline = "全年"
due = ["2020-12-31"]

[[tasks.requirement]]
units = ["财政局"]
deadline = "6月底前"
due = ["2020-06-30"]

[[tasks]]
number = 2
title = "推进就业信息公开。"
requirements = 1

[[tasks.requirement]]
units = ["市人社局"]
leads = ["市人社局"]
deadline = "本任务分工印发1个月内"
due = ["2020-04-02"]
"""


def _plan_pipe() -> ImportResult:
    return import_file(NOTICES.parent / "plan-pipe.txt", 2020, allow_unknown_units=True)


def test_comparison_passes_a_faithful_import() -> None:
    assert compare("plan-pipe", _plan_pipe(), tomllib.loads(PLAN_PIPE_EXPECTED)) == []


def test_comparison_names_document_task_requirement_and_field() -> None:
    expected = tomllib.loads(PLAN_PIPE_EXPECTED)
    first, second = expected["tasks"]
    first["requirement"][1]["due"] = ["2020-07-31"]
    first["requirement"][0]["leads"] = ["市直各有关部门"]
    second["title"] = "推进社保信息公开"
    second["requirement"][0]["units"] = ["市人社局", "市海事局"]
    second["requirement"][0]["deadline"] = "年底前"
    expected["groups"] = []
    expected["tasks"].append({"number": 3, "requirements": 0})
    expected["cut"] = {"row": "the second row of task 1", "text": "公开政府采购信息"}
    diffs = compare("plan-pipe", _plan_pipe(), expected)
    assert diffs == [
        "plan-pipe: task numbers differ: missing [3], unexpected []",
        "plan-pipe: task 1: requirement 1: leads differ: expected ['市直各有关部门'], got ['市财政局']",
        "plan-pipe: task 1: requirement 2: due differs: expected ['2020-07-31'], got [datetime.date(2020, 6, 30)]",
        "plan-pipe: task 2: title differs: expected '推进社保信息公开', got '推进就业信息公开'",
        "plan-pipe: task 2: requirement 1: units differ: missing ['市海事局'], unexpected []",
        "plan-pipe: task 2: requirement 1: deadline differs: expected '年底前', got '本任务分工印发1个月内'",
        "plan-pipe: unit name '市海事局': expected a unit in the plan's units, got unknown",
        "plan-pipe: unit name '市直各有关部门': expected a unit in the plan's units, got group",
        "plan-pipe: the cut row (the second row of task 1) was imported as requirement(s) ['1.2']",
    ]


def test_comparison_tells_ongoing_from_unspecified() -> None:
    expected = tomllib.loads(PLAN_PIPE_EXPECTED)
    expected["tasks"][0]["requirement"][0]["due"] = "ongoing"
    expected["tasks"][1]["requirement"][0]["due"] = "unspecified"
    diffs = compare("plan-pipe", _plan_pipe(), expected)
    assert diffs == [
        "plan-pipe: task 1: requirement 1: due: expected ongoing (no date), got dated [datetime.date(2020, 12, 31)]",
        "plan-pipe: task 2: requirement 1: due: expected unspecified (no deadline), got dated "
        "[datetime.date(2020, 4, 2)]",
    ]
