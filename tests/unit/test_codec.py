"""Task files: what dump_task writes reads back the same, and a one-unit edit touches only its lines."""

from __future__ import annotations

import difflib
import tomllib
from datetime import date, datetime, timedelta, timezone

import pytest
import tomlkit

from tracker.codec import CodecError, dump_task, find_line, load_task
from tracker.model import Assignment, Note, Requirement, Role, Status, Task
from tracker.planio import bundled_tasks_dir

TZ = timezone(timedelta(hours=8))


def _task() -> Task:
    req = Requirement(task=5, key="1", text="围绕“放管服”改革(一)。\n第二段。", responsible="市政府办公室牵头落实\n各镇(街区)分别落实",
                      deadline="6月底前/全年", due=(date(2019, 6, 30), date(2019, 12, 31)),
                      leads=["市政府办公室"], implementers=["营里镇", "侯镇"], inherited=True)
    req.assignments["市政府办公室"] = Assignment("市政府办公室", Role.LEAD)
    req.assignments["营里镇"] = Assignment(
        "营里镇", Role.IMPLEMENTER, Status.DONE, [Note(datetime(2019, 8, 1, 10, tzinfo=TZ), "zs", "已公开 \"全文\"")],
        ["https://example.org/a", "寿政办发〔2019〕3号"], datetime(2019, 8, 1, 10, tzinfo=TZ), "zs")
    req.assignments["侯镇"] = Assignment("侯镇", Role.IMPLEMENTER, unknown_unit=True)
    return Task(5, "优化涉企服务", "一、扎实做好重点领域信息公开", "(二)做好优化营商环境信息公开", [req], ["未归类的一行"])


def test_round_trip() -> None:
    task = _task()
    text = dump_task(task)
    assert load_task(text, "05.toml") == task
    assert "\\u" not in text  # Chinese as is
    assert 'text = """\n围绕' in text  # paragraphs as multi-line strings
    assert '[requirements.1.units."营里镇"]' in text


def test_bundled_files_load_and_keep_their_bytes() -> None:
    folder = bundled_tasks_dir()
    for number in range(1, 42):
        path = folder / f"{number:02d}.toml"
        text = path.read_text(encoding="utf-8")
        task = load_task(text, path.name)
        assert task.number == number
        assert dump_task(task) == text


def test_changing_one_units_status_rewrites_only_its_lines() -> None:
    original = (bundled_tasks_dir() / "01.toml").read_text(encoding="utf-8")
    doc = tomlkit.parse(original)
    doc["requirements"]["1"]["units"]["营里镇"]["status"] = "in_progress"  # type: ignore[index]
    edited = tomlkit.dumps(doc)
    before, after = original.splitlines(keepends=True), edited.splitlines(keepends=True)
    changed = [line for line in difflib.unified_diff(before, after, n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-status = "not_started"\n', '+status = "in_progress"\n']
    status_line = find_line(original, ("requirements", "1", "units", "营里镇", "status"))
    assert status_line is not None
    assert before[: status_line - 1] == after[: status_line - 1]
    assert before[status_line:] == after[status_line:]
    assert tomllib.loads(edited)["requirements"]["1"]["units"]["营里镇"]["status"] == "in_progress"
    assert len(original.encode()) - len(edited.encode()) == len("not_started") - len("in_progress")


def test_errors_name_file_and_line() -> None:
    text = dump_task(_task()).replace('status = "done"', 'status = "finished"')
    with pytest.raises(CodecError) as caught:
        load_task(text, "05.toml")
    assert caught.value.path == "05.toml"
    assert text.splitlines()[caught.value.line - 1] == 'status = "finished"'  # type: ignore[operator]
    with pytest.raises(CodecError, match="不是日期"):
        load_task(dump_task(_task()).replace("due = [2019-06-30", 'due = ["2019-06-30"'), "05.toml")
    with pytest.raises(CodecError, match="TOML 格式错误"):
        load_task("number = \n", "05.toml")
