"""``tracker report`` and ``tracker remind`` through typer's CliRunner on a real store.

The numbers of every format are checked against ``tracker list --by assignment --format json``
run with the same query and as-of date.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from tracker import operators
from tracker.cli import app
from tracker.model import Status
from tracker.reports import FORMATS

AS_OF = "2019-09-02"
KEYS = ["total", "done", "in_progress", "not_started", "blocked", "not_applicable", "overdue", "due_soon"]


def run(*args: str) -> tuple[int, str, str, bytes]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr, result.stdout_bytes


def expected_from_list(repo: Path, query: str) -> dict[str, int]:
    # "--" so that a query starting with "-" (a negation) is not read as an option
    code, out, err, _ = run("list", "--by", "assignment", "--format", "json", "--as-of", AS_OF, "--repo", str(repo),
                            "--", query)
    assert code == 0, err
    rows = json.loads(out)
    today = date.fromisoformat(AS_OF)
    counts = Counter(r["status"] for r in rows)
    soon = sum(
        1 for r in rows
        if not Status(r["status"]).is_closed
        and any(today <= date.fromisoformat(d) <= today + timedelta(days=30) for d in r["due"])
    )
    return {"total": len(rows), **{s.value: counts[s.value] for s in Status},
            "overdue": sum(r["overdue"] for r in rows), "due_soon": soon}


def _ints(cells: list[str]) -> dict[str, int]:
    return dict(zip(KEYS, (int(c) for c in cells[: len(KEYS)]), strict=True))


def numbers_in(fmt: str, data: bytes) -> dict[str, int]:
    """The summary numbers as each format shows them."""
    if fmt == "json":
        summary = json.loads(data)["summary"]
        return {k: summary[k] for k in KEYS}
    if fmt == "table":
        line = next(x for x in data.decode().splitlines() if x.startswith("全部"))
        return _ints(line.split()[1:])
    if fmt == "markdown":
        line = next(x for x in data.decode().splitlines() if x.startswith("| 全部 |"))
        return _ints([c.strip() for c in line.strip("|").split("|")][1:])
    if fmt == "html":
        row = re.search(r"<tr><td>全部</td>(.*?)</tr>", data.decode())
        assert row is not None
        return _ints(re.findall(r">(\d+)</td>", row.group(1)))
    if fmt == "docx":
        table = docx.Document(io.BytesIO(data)).tables[0]
        return _ints([c.text for c in table.rows[1].cells][1:])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(wb["台账"].iter_rows(min_row=2, values_only=True))
    labels = Counter(r[9] for r in rows)
    ledger = {"total": len(rows), **{s.value: labels[s.label] for s in Status},
              "overdue": sum(r[10] == "是" for r in rows), "due_soon": sum(r[12] is not None for r in rows)}
    total = next(r for r in wb["分单位"].iter_rows(values_only=True) if r[0] == "合计")
    assert _ints([str(v) for v in total[2:]]) == ledger
    return ledger


@pytest.mark.parametrize("query", ["", "unit:化龙镇", "-status:done task:1..2"])
def test_every_format_agrees_with_tracker_list(small_store: Path, tmp_path: Path, query: str) -> None:
    expected = expected_from_list(small_store, query)
    assert expected["total"] > 0
    for fmt in FORMATS:
        out = tmp_path / f"r-{fmt}"
        code, _, err, _ = run("report", "--format", fmt, "-o", str(out), "--as-of", AS_OF,
                              "--repo", str(small_store), "--", query)
        assert code == 0, err
        assert numbers_in(fmt, out.read_bytes()) == expected, fmt


def test_every_format_is_the_same_bytes_twice(small_store: Path, tmp_path: Path) -> None:
    for fmt in FORMATS:
        outputs = []
        for n in (1, 2):
            out = tmp_path / f"{n}.{fmt}"
            assert run("report", "-f", fmt, "-o", str(out), "--as-of", AS_OF, "--repo", str(small_store))[0] == 0
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1], fmt


def test_report_to_stdout_is_deterministic(small_store: Path) -> None:
    first = run("report", "--format", "markdown", "--as-of", AS_OF, "--repo", str(small_store))
    second = run("report", "--format", "markdown", "--as-of", AS_OF, "--repo", str(small_store))
    assert first[0] == 0 and first[3] == second[3]
    assert "截至2019年9月2日" in first[1]


def test_bad_options_are_usage_errors(small_store: Path) -> None:
    assert run("report", "--format", "pdf", "--repo", str(small_store))[0] == 2
    assert run("report", "--as-of", "2019-13-01", "--repo", str(small_store))[0] == 2
    code, _, err, _ = run("report", "--since", "2019-10-01", "--as-of", AS_OF, "--repo", str(small_store))
    assert code == 2 and "--since" in err
    code, _, err, _ = run("report", "unit:不存在的局", "--repo", str(small_store))
    assert code == 1 and "不存在的局" in err


def test_writing_into_a_missing_folder_fails_cleanly(small_store: Path, tmp_path: Path) -> None:
    code, _, err, _ = run("report", "-o", str(tmp_path / "no" / "such" / "r.md"), "--repo", str(small_store))
    assert code == 1 and "无法写入" in err
    assert not (tmp_path / "no").exists()


def test_remind_records_a_commit_history_shows_and_the_next_report_counts(small_store: Path, tmp_path: Path) -> None:
    code, out, err, _ = run("remind", "--as-of", AS_OF, "--repo", str(small_store))
    assert code == 0, err
    # 市发改局 (1.1 late, 3.1 due), 市财政局 (2.1 late), 化龙镇 (1.1 late, 3.1 due) owe something; 营里镇 does not
    assert re.findall(r"^(\S+):$", out, re.M) == ["市发改局", "市财政局", "化龙镇"]
    assert "已逾期64天" in out and "剩余18天" in out
    assert "催办 3 个单位: 市发改局、市财政局、化龙镇" in err

    code, out, err, _ = run("history", "--format", "json", "--repo", str(small_store))
    assert code == 0, err
    reminders = [e for e in json.loads(out) if e["field"] == "reminder"]
    assert sorted(e["unit"] for e in reminders) == ["化龙镇", "市发改局", "市财政局"]
    assert all(e["login"] == operators.current_login() and e["commit"] and e["at"] for e in reminders)
    assert len({e["commit"] for e in reminders}) == 1  # one commit of its own

    code, out, err, _ = run("report", "--format", "json", "--as-of", AS_OF, "--repo", str(small_store))
    data = json.loads(out)
    assert {r["unit"]: (r["count"], r["items"]) for r in data["reminders"]} == {
        "市发改局": (1, {"1.1": 1, "3.1": 1}), "市财政局": (1, {"2.1": 1}), "化龙镇": (1, {"1.1": 1, "3.1": 1})
    }
    assert data["summary"]["reminders"] == 5
    assert [o["reminders"] for o in data["overdue"]] == [1, 1, 1]

    # a second round counts twice, and the message says so
    code, out, _, _ = run("remind", "unit:市财政局", "--as-of", AS_OF, "--repo", str(small_store))
    assert code == 0 and "此前已催办1次" in out
    data = json.loads(run("report", "--format", "json", "--as-of", AS_OF, "--repo", str(small_store))[1])
    assert {r["unit"]: r["count"] for r in data["reminders"]}["市财政局"] == 2


def test_remind_writes_one_file_per_unit(small_store: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    code, out, err, _ = run("remind", "--as-of", AS_OF, "--format", "markdown", "-o", str(folder),
                            "--repo", str(small_store))
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["化龙镇.md", "市发改局.md", "市财政局.md"]
    text = (folder / "市财政局.md").read_text(encoding="utf-8")
    assert text.startswith("# 关于抓紧落实") and "任务2.1" in text and "等待省厅口径" in text


def test_only_an_admin_may_remind_and_dry_run_records_nothing(
    small_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = run("history", "--format", "json", "--repo", str(small_store))[1]
    code, out, err, _ = run("remind", "--as-of", AS_OF, "--dry-run", "--repo", str(small_store))
    assert code == 0 and "市发改局:" in out and "已记录" not in err
    monkeypatch.setattr(operators, "_os_login", lambda: "zhangsan")
    code, out, err, _ = run("remind", "--as-of", AS_OF, "--repo", str(small_store))
    assert code == 1 and "只有管理员可以催办" in err and out == ""
    code, out, _, _ = run("remind", "--as-of", AS_OF, "--dry-run", "--repo", str(small_store))
    assert code == 0 and "市发改局:" in out
    assert run("history", "--format", "json", "--repo", str(small_store))[1] == before


def test_nobody_to_remind(small_store: Path) -> None:
    code, out, err, _ = run("remind", "unit:营里镇", "--as-of", AS_OF, "--repo", str(small_store))
    assert code == 0 and out == "" and "没有需要催办" in err


def test_since_lists_the_changes_made_with_tracker_set(small_store: Path) -> None:
    code, _, err, _ = run("set", "3.1", "--unit", "市发改局", "--status", "推进中", "--note", "已对接", "--repo",
                          str(small_store))
    assert code == 0, err
    today = date.today().isoformat()
    code, out, err, _ = run("report", "--since", today, "--as-of", today, "--format", "json", "--repo", str(small_store))
    assert code == 0, err
    changes = [(c["requirement"], c["unit"], c["field"], c["new"]) for c in json.loads(out)["changes"]]
    assert ("3.1", "市发改局", "status", "推进中") in changes and ("3.1", "市发改局", "note", "已对接") in changes
    assert all(c[1] for c in changes)  # store creation (plan, units, operators) is not a unit's change


@pytest.mark.parametrize("query", ["", "unit:市发改局", "status:blocked", "unit:化龙镇 or unit:市发改局"])
def test_a_report_builds_only_the_tasks_its_query_can_match(
    small_store: Path, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the query index, only candidate tasks are built, and the report is the one the whole plan gives."""
    from tracker.cli import report_cmd
    from tracker.plan_index import PlanIndex
    from tracker.reports import build_report, render
    from tracker.reports.model import query_matcher
    from tracker.store import Store

    built: list[int] = []
    real_tasks = PlanIndex.tasks

    def counting(self: PlanIndex, numbers: object = None) -> dict[int, object]:
        found = real_tasks(self, numbers)  # type: ignore[arg-type]
        built.extend(found)
        return found  # type: ignore[return-value]

    monkeypatch.setattr(PlanIndex, "tasks", counting)
    report, _source = report_cmd.make_report(query or None, as_of=date.fromisoformat(AS_OF), plan=None, repo=small_store)
    store = Store.open(small_store)
    whole = store.snapshot(store.default_year()).loaded
    parsed = report_cmd.parse_query(query or None, _source, date.fromisoformat(AS_OF))[0]
    expected = build_report(whole, as_of=date.fromisoformat(AS_OF), matcher=query_matcher(parsed, whole, date.fromisoformat(AS_OF)), query=query)
    assert render(report, "json") == render(expected, "json")
    naming = {t.number for t in whole.plan.tasks.values() for r in t.requirements for a in r.assignments.values()
              if a.unit in query}
    if query.startswith("unit:"):
        assert naming and naming < set(whole.plan.tasks)  # the query narrows: the test can tell
    assert sorted(built) == sorted(naming if query.startswith("unit:") else whole.plan.tasks)
