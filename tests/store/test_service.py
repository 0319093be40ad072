"""The one write path: Service.apply, permissions, races, conflicts, work trees."""

from __future__ import annotations

import os
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.git import refs as git_refs
from tracker.git.refs import FOREIGN_LOCK_STALE_SECONDS, LockBusy
from tracker.operators import Operator
from tracker.service import (
    Change,
    ConflictError,
    HandEdits,
    InvalidChange,
    PermissionDenied,
    Service,
)
from tracker.store import Store


def git(store: Store, *args: str) -> str:
    return store.repo.out(*args)


def trailers(store: Store, commit: str) -> list[tuple[str, str]]:
    message = git(store, "cat-file", "commit", commit).split("\n\n", 1)[1]
    out = subprocess.run(["git", "interpret-trailers", "--parse"], input=message.encode(), capture_output=True,
                         check=True).stdout.decode()
    return [tuple(line.split(": ", 1)) for line in out.splitlines()]  # type: ignore[misc]


def first_assignment(store: Store, task: int = 5) -> tuple[int, str, str]:
    req = store.load().plan.tasks[task].requirements[0]
    return task, req.key, next(iter(req.assignments))


def assignment(store: Store, task: int, key: str, unit: str, ref: str | None = None):  # noqa: ANN201
    loaded = store.load(ref=ref) if ref else store.load()
    return loaded.plan.tasks[task].requirement(key).assignments[unit]  # type: ignore[union-attr]


# ------------------------------------------------------------------ the commit


def test_status_change_is_one_commit_with_code_built_message(store: Store, operator_for: Callable[[str], Operator]) -> None:
    task, key, unit = first_assignment(store)
    before = store.tip(2019)
    op = operator_for(unit)
    result = Service(store, op).apply([Change(task, key, unit, "status", "推进中")])
    assert result.commit == store.tip(2019)
    assert git(store, "rev-parse", f"{result.commit}^") == before
    assert result.subject == f"任务{task}.{key} {unit}: 未启动 → 推进中"
    assert ("Task", str(task)) in trailers(store, result.commit)
    assert ("Unit", unit) in trailers(store, result.commit)
    assert ("Operator", op.login) in trailers(store, result.commit)
    assert ("Plan", "2019") in trailers(store, result.commit)
    assert not any(k == "On-behalf-of" for k, _ in trailers(store, result.commit))
    author = git(store, "log", "-1", "--format=%an|%ae|%cn|%ce", result.commit)
    assert author == f"{op.name}|{op.login}@zwgk.local|{op.name}|{op.login}@zwgk.local"
    a = assignment(store, task, key, unit)
    assert a.status.value == "in_progress" and a.updated_by == op.login and a.updated is not None
    assert git(store, "diff", "--name-only", before, result.commit) == f"tasks/{task:02d}.toml"


def test_only_the_units_lines_change(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    before = store.tip(2019)
    Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    diff = git(store, "diff", "-U0", before, "plan/2019")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ['-status = "not_started"', '+status = "done"', *[c for c in changed if c.startswith("+updated")]]
    assert len(changed) == 4


def test_note_and_evidence_are_added(store: Store, operator_for: Callable[[str], Operator]) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, operator_for(unit))
    svc.apply([Change(task, key, unit, "note", "第一条")])
    result = svc.apply([Change(task, key, unit, "note", "第二条\n两行"), Change(task, key, unit, "evidence", "http://example.org/a")])
    a = assignment(store, task, key, unit)
    assert [n.text for n in a.notes] == ["第一条", "第二条\n两行"]
    assert a.notes[-1].by == operator_for(unit).login
    assert a.evidence == ["http://example.org/a"]
    assert "> 第二条" in result.message and "> 两行" in result.message


def test_bulk_change_is_one_commit(store: Store, admin: Operator) -> None:
    plan = store.load().plan
    changes = [Change(t.number, r.key, u, "status", "done") for t in plan.sorted_tasks()[:3] for r in t.requirements for u in list(r.assignments)[:2]]
    before = store.tip(2019)
    result = Service(store, admin).apply(changes)
    assert git(store, "rev-list", "--count", f"{before}..plan/2019") == "1"
    assert result.subject.startswith(f"批量更新 {len(changes)} 项: ")
    assert "\n" not in result.subject
    loaded = store.load()
    assert all(loaded.plan.tasks[c.task].requirement(c.requirement).assignments[c.unit].status.value == "done" for c in changes)  # type: ignore[union-attr]


def test_no_op_makes_no_commit(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    before = store.tip(2019)
    result = Service(store, admin).apply([Change(task, key, unit, "status", "not_started")])
    assert result.commit is None and store.tip(2019) == before


def test_dry_run_writes_nothing(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    before = store.tip(2019)
    result = Service(store, admin).apply([Change(task, key, unit, "status", "done")], dry_run=True)
    assert result.commit is None and result.dry_run and "未启动 → 已完成" in result.subject
    assert store.tip(2019) == before


def test_alias_is_recorded_as_canonical_name(store: Store, admin: Operator) -> None:
    loaded = store.load()
    unit = next(u for u in loaded.registry.units.values() if u.aliases and any(
        u.name in r.assignments for r in loaded.plan.requirements()))
    req = next(r for r in loaded.plan.requirements() if unit.name in r.assignments)
    result = Service(store, admin).apply([Change(req.task, req.key, unit.aliases[0], "status", "done")])
    assert ("Unit", unit.name) in trailers(store, result.commit or "")


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (Change(999, "1", "市发改局", "status", "done"), "没有任务 999"),
        (Change(5, "99", "市发改局", "status", "done"), "没有第 99 条要求"),
        (Change(5, "1", "不存在局", "status", "done"), "没有 不存在局 的分工"),
        (Change(5, "1", "市发改局", "status", "差不多"), "未知状态"),
        (Change(5, "1", "市发改局", "title", "x"), "未知字段"),
        (Change(5, "1", "市发改局", "note", " \x1b\x07\u202e "), "不能为空"),
        (Change(5, "../../etc", "市发改局", "status", "done"), "没有第 ../../etc 条要求"),
    ],
)
def test_bad_changes_are_refused_before_anything_is_built(store: Store, admin: Operator, change: Change, words: str) -> None:
    before, objects = store.tip(2019), git(store, "count-objects")
    with pytest.raises(InvalidChange, match=words):
        Service(store, admin).apply([change])
    assert store.tip(2019) == before
    assert git(store, "count-objects") == objects


# ------------------------------------------------------------------ permissions


def test_operator_may_not_change_another_units_assignment(store: Store, operator_for: Callable[[str], Operator]) -> None:
    req = store.load().plan.tasks[5].requirements[0]
    mine, other = list(req.assignments)[:2]
    before = store.tip(2019)
    with pytest.raises(PermissionDenied, match=f"不能修改 {other}") as info:
        Service(store, operator_for(mine)).apply([Change(5, req.key, mine, "status", "done"), Change(5, req.key, other, "status", "done")])
    assert [c.unit for c in info.value.refused] == [other]
    assert store.tip(2019) == before


def test_auditor_and_guest_may_not_write(store: Store, auditor: Operator) -> None:
    task, key, unit = first_assignment(store)
    with pytest.raises(PermissionDenied, match="审计员"):
        Service(store, auditor).apply([Change(task, key, unit, "status", "done")])
    guest = Operator("nobody9", "nobody9", (), "guest")
    with pytest.raises(PermissionDenied, match="请管理员运行 tracker operator add nobody9 --unit 单位"):
        Service(store, guest).apply([Change(task, key, unit, "status", "done")])


def test_permissions_come_from_the_file_at_the_tip(store: Store, operator_for: Callable[[str], Operator], admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    op = operator_for(unit)
    Service(store, admin).remove_operator(op.login)
    with pytest.raises(PermissionDenied, match="请管理员运行"):
        Service(store, op).apply([Change(task, key, unit, "status", "done")])
    forged = Operator("op-forged", "x", (unit,), "admin")
    with pytest.raises(PermissionDenied):
        Service(store, forged).apply([Change(task, key, unit, "status", "done")])


def test_admin_entering_a_units_data_is_recorded(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    result = Service(store, admin).apply([Change(task, key, unit, "status", "done")], on_behalf_of=unit)
    assert ("On-behalf-of", unit) in trailers(store, result.commit or "")
    assert ("Operator", "admin") in trailers(store, result.commit or "")
    other = list(store.load().plan.tasks[task].requirements[0].assignments)[1]
    with pytest.raises(InvalidChange, match="不能修改其他单位"):
        Service(store, admin).apply([Change(task, key, other, "status", "done")], on_behalf_of=unit)


def test_only_admin_may_act_on_behalf(store: Store, operator_for: Callable[[str], Operator]) -> None:
    task, key, unit = first_assignment(store)
    with pytest.raises(PermissionDenied, match="只有管理员"):
        Service(store, operator_for(unit)).apply([Change(task, key, unit, "status", "done")], on_behalf_of=unit)


def test_may_edit_explains(store: Store, operator_for: Callable[[str], Operator], admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    other = list(store.load().plan.tasks[task].requirements[0].assignments)[1]
    svc = Service(store, operator_for(unit))
    assert svc.may_edit(unit)[0] is True
    ok, why = svc.may_edit(other)
    assert ok is False and other in why
    assert Service(store, admin).may_edit(other)[0] is True


# ------------------------------------------------------------------ races and conflicts


def _race(svc: Service, before_move: Callable[[], object]) -> None:
    """Run ``before_move`` once, right before ``svc`` tries to move the branch."""
    real = svc.store._move
    state = {"done": False}

    def racing(*args: object, **kwargs: object) -> bool:
        if not state["done"]:
            state["done"] = True
            before_move()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    svc.store._move = racing  # type: ignore[method-assign]


def test_lost_race_is_reapplied_on_the_new_tip(store: Store, operator_for: Callable[[str], Operator]) -> None:
    req = store.load().plan.tasks[5].requirements[0]
    a, b = list(req.assignments)[:2]
    svc_a, svc_b = Service(store, operator_for(a)), Service(store, operator_for(b))
    other = {}
    _race(svc_a, lambda: other.setdefault("r", svc_b.apply([Change(5, req.key, b, "status", "done")])))
    result = svc_a.apply([Change(5, req.key, a, "status", "blocked")])
    assert result.attempts == 2
    assert git(store, "rev-parse", f"{result.commit}^") == other["r"].commit
    assert assignment(store, 5, req.key, a).status.value == "blocked"
    assert assignment(store, 5, req.key, b).status.value == "done"


def test_same_field_changed_meanwhile_is_a_conflict(store: Store, operator_for: Callable[[str], Operator], admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, operator_for(unit))
    _race(svc, lambda: Service(store, admin).apply([Change(task, key, unit, "status", "blocked")]))
    winner_tip: list[str] = []
    with pytest.raises(ConflictError) as info:
        winner_tip.append(store.tip(2019))
        svc.apply([Change(task, key, unit, "status", "done")])
    (conflict,) = info.value.conflicts
    assert (conflict.base, conflict.current, conflict.by) == ("not_started", "blocked", "admin")
    assert conflict.at is not None
    assert assignment(store, task, key, unit).status.value == "blocked"
    assert "admin" in str(info.value)


def test_concurrent_notes_on_one_assignment_conflict_rather_than_vanish(store: Store, operator_for: Callable[[str], Operator], admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, operator_for(unit))
    _race(svc, lambda: Service(store, admin).apply([Change(task, key, unit, "note", "管理员的进展")]))
    with pytest.raises(ConflictError):
        svc.apply([Change(task, key, unit, "note", "单位的进展")])
    assert [n.text for n in assignment(store, task, key, unit).notes] == ["管理员的进展"]


def test_expected_value_is_checked(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, admin)
    svc.apply([Change(task, key, unit, "status", "in_progress", expected="未启动")])
    with pytest.raises(ConflictError) as info:
        svc.apply([Change(task, key, unit, "status", "done", expected="未启动")])
    assert info.value.conflicts[0].current == "in_progress"


# ------------------------------------------------------------------ trailers cannot be forged


FORGED = "已完成\nUnit: 市政府办公室\n\nOn-behalf-of: 市政府办公室\nOperator: admin\n---\nTask: 1"


def test_note_cannot_forge_a_trailer(store: Store, operator_for: Callable[[str], Operator]) -> None:
    task, key, unit = first_assignment(store)
    op = operator_for(unit)
    result = Service(store, op).apply([Change(task, key, unit, "note", FORGED)])
    parsed = trailers(store, result.commit or "")
    assert parsed == [("Task", str(task)), ("Requirement", f"{task}.{key}"), ("Unit", unit),
                      ("Operator", op.login), ("Plan", "2019")]
    log_trailers = git(store, "log", "-1", "--format=%(trailers:key=Unit,valueonly)", "plan/2019").split()
    assert log_trailers == [unit]
    assert assignment(store, task, key, unit).notes[-1].text == FORGED


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=80).filter(lambda s: s.strip()))
def test_any_note_text_is_stored_clean_and_leaves_trailers_alone(store: Store, admin: Operator, text: str) -> None:
    from tracker.textsafe import clean_text

    task, key, unit = first_assignment(store)
    if not clean_text(text).strip():
        with pytest.raises(InvalidChange):
            Service(store, admin).apply([Change(task, key, unit, "note", text)])
        return
    result = Service(store, admin).apply([Change(task, key, unit, "note", text)])
    assert assignment(store, task, key, unit).notes[-1].text == clean_text(text).strip()
    keys = [k for k, _ in trailers(store, result.commit or "")]
    assert set(keys) == {"Task", "Requirement", "Unit", "Operator", "On-behalf-of", "Plan"}
    assert "\n" not in result.subject


# ------------------------------------------------------------------ bare and checked-out stores


def test_bare_store_takes_commits(bare_store: Store) -> None:
    admin = bare_store.operators()["admin"]
    task, key, unit = first_assignment(bare_store)
    result = Service(bare_store, admin).apply([Change(task, key, unit, "status", "done")])
    assert bare_store.bare and bare_store.tip(2019) == result.commit
    assert assignment(bare_store, task, key, unit).status.value == "done"
    assert bare_store.fsck()[0]


def test_checked_out_work_tree_follows(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    text = (store.path / "tasks" / f"{task:02d}.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text)["requirements"][key]["units"][unit]["status"] == "done"
    assert git(store, "status", "--porcelain") == ""


def test_hand_edits_are_refused_before_the_ref_moves(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    path = store.path / "tasks" / f"{task:02d}.toml"
    edited = path.read_text(encoding="utf-8") + "\n# 手工修改\n"
    path.write_text(edited, encoding="utf-8")
    before = store.tip(2019)
    with pytest.raises(HandEdits, match=f"tasks/{task:02d}.toml"):
        Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    assert store.tip(2019) == before
    assert path.read_text(encoding="utf-8") == edited


def test_staged_hand_edits_are_refused_too(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    path = store.path / "tasks" / f"{task:02d}.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# x\n", encoding="utf-8")
    git(store, "add", "--", f"tasks/{task:02d}.toml")
    path.write_text(store.read_files(store.tip(2019), [f"{task:02d}.toml"])[f"{task:02d}.toml"].decode(), encoding="utf-8")
    with pytest.raises(HandEdits):
        Service(store, admin).apply([Change(task, key, unit, "status", "done")])


def test_hand_edits_to_other_files_survive_a_commit(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    other = store.path / "tasks" / "01.toml"
    edited = other.read_text(encoding="utf-8") + "\n# 手工修改\n"
    other.write_text(edited, encoding="utf-8")
    Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    assert other.read_text(encoding="utf-8") == edited
    assert git(store, "status", "--porcelain") == " M tasks/01.toml"


def test_reading_and_writing_another_plan_leaves_the_work_tree_alone(store: Store, admin: Operator) -> None:
    Service(store, admin).new_plan(2020, "all")
    git(store, "checkout", "-q", "plan/2020")
    snapshot = {p: p.read_bytes() for p in (store.path / "tasks").iterdir()}
    head, index_mtime = git(store, "rev-parse", "HEAD"), (store.repo.git_dir / "index").stat().st_mtime_ns
    loaded = store.load(2019)
    assert loaded.plan.year == 2019
    task, key, unit = first_assignment(store, 5)
    Service(store, admin, 2019).apply([Change(task, key, unit, "status", "done")])
    assert {p: p.read_bytes() for p in (store.path / "tasks").iterdir()} == snapshot
    assert git(store, "rev-parse", "HEAD") == head
    assert (store.repo.git_dir / "index").stat().st_mtime_ns == index_mtime
    assert git(store, "status", "--porcelain") == ""
    assert store.load(2019).plan.tasks[task].requirement(key).assignments[unit].status.value == "done"  # type: ignore[union-attr]


def test_killed_between_ref_move_and_checkout_is_finished_by_the_next_writer(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, admin)
    real_checkout = store.repo.checkout_paths

    def die(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # stands in for a kill after update-ref

    store.repo.checkout_paths = die  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt):
        svc.apply([Change(task, key, unit, "status", "done")])
    store.repo.checkout_paths = real_checkout  # type: ignore[method-assign]
    assert assignment(store, task, key, unit).status.value == "done"
    (store.repo.git_dir / "tracker-locks" / "inside").write_text("0\n")  # the dead writer's marker
    other_task = 6
    req = store.load().plan.tasks[other_task].requirements[0]
    svc.apply([Change(other_task, req.key, next(iter(req.assignments)), "status", "done")])
    assert git(store, "status", "--porcelain") == ""


# ------------------------------------------------------------------ locks


def test_stale_lock_of_a_dead_writer_is_recovered(store: Store, admin: Operator) -> None:
    lock = store.repo.git_dir / "refs" / "heads" / "plan" / "2019.lock"
    lock.write_text("deadbeef\n")
    (store.repo.git_dir / "tracker-locks").mkdir(exist_ok=True)
    (store.repo.git_dir / "tracker-locks" / "inside").write_text("999999\n")
    task, key, unit = first_assignment(store)
    result = Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    assert store.tip(2019) == result.commit and not lock.exists()


def test_old_foreign_lock_is_recovered(store: Store, admin: Operator) -> None:
    lock = store.repo.git_dir / "refs" / "heads" / "plan" / "2019.lock"
    lock.write_text("x\n")
    old = lock.stat().st_mtime - FOREIGN_LOCK_STALE_SECONDS - 5
    os.utime(lock, (old, old))
    task, key, unit = first_assignment(store)
    Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    assert not lock.exists()


def test_live_foreign_lock_is_waited_for_then_reported(store: Store, admin: Operator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(git_refs, "LOCK_WAIT_SECONDS", 0.3)
    lock = store.repo.git_dir / "refs" / "heads" / "plan" / "2019.lock"
    lock.write_text("x\n")
    task, key, unit = first_assignment(store)
    before = store.tip(2019)
    with pytest.raises(LockBusy, match="plan/2019.lock"):
        Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    assert store.tip(2019) == before and lock.exists()


def test_writer_lock_held_by_another_process_times_out(store: Store, admin: Operator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(git_refs, "LOCK_WAIT_SECONDS", 0.3)
    folder = store.repo.git_dir / "tracker-locks"
    folder.mkdir(exist_ok=True)
    holder = subprocess.Popen(
        ["python3", "-c", "import fcntl,sys,time; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX); print('ok', flush=True); time.sleep(30)",
         str(folder / "write.lock")],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ok"
        task, key, unit = first_assignment(store)
        with pytest.raises(LockBusy, match="另一个写入进程"):
            Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    finally:
        holder.kill()
        holder.wait()


def test_git_runs_without_hooks(store: Store, admin: Operator) -> None:
    hooks = store.repo.git_dir / "hooks"
    hooks.mkdir(exist_ok=True)
    marker = store.path.parent / "hook-ran"
    for name in ("post-checkout", "reference-transaction", "post-index-change"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
        hook.chmod(0o755)
    task, key, unit = first_assignment(store)
    Service(store, admin).apply([Change(task, key, unit, "status", "done")])
    assert not marker.exists()


def test_fsck_clean_after_writes(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    for status in ("in_progress", "done", "blocked"):
        Service(store, admin).apply([Change(task, key, unit, "status", status)])
    ok, output = store.fsck()
    assert ok, output


def test_path_like_task_numbers_never_reach_the_tree(store: Store, admin: Operator) -> None:
    for bad in ("../x", "5/../../y", "a\0b"):
        with pytest.raises(ValueError, match="非法路径"):
            store.repo.tree_with(store.tip(2019), {f"tasks/{bad}": b"x"})


def test_subject_prefix_and_extra_trailers_for_undo(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    result = Service(store, admin).apply([Change(task, key, unit, "status", "done")], subject_prefix="撤销 abc: ",
                                          extra_trailers=[("Reverts", "abc")])
    assert result.subject.startswith("撤销 abc: 任务")
    assert ("Reverts", "abc") in trailers(store, result.commit or "")


def test_note_and_evidence_removal(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, admin)
    svc.apply([Change(task, key, unit, "note", "a"), Change(task, key, unit, "evidence", "寿政办发〔2019〕1号")])
    svc.apply([Change(task, key, unit, "note_remove", "a"), Change(task, key, unit, "evidence_remove", "寿政办发〔2019〕1号")])
    a = assignment(store, task, key, unit)
    assert a.notes == [] and a.evidence == []


def test_store_path_for_hand_check(store: Store) -> None:
    assert Path(store.path, "tasks", "plan.toml").is_file()


# ------------------------------------------------------------------ undo, in the service


def test_service_undo_reverts_status_and_evidence_as_a_new_commit(store: Store, admin: Operator) -> None:
    task, key, unit = first_assignment(store)
    svc = Service(store, admin)
    before = assignment(store, task, key, unit)
    done = svc.apply([Change(task, key, unit, "status", "done"),
                      Change(task, key, unit, "evidence", "寿政办发〔2019〕7号")])
    undone = svc.undo(done.commit or "")
    assert undone.subject.startswith(f"撤销 {(done.commit or '')[:10]}: ")
    assert ("Undo", done.commit) in trailers(store, undone.commit or "")
    assert git(store, "rev-parse", f"{undone.commit}^") == done.commit
    after = assignment(store, task, key, unit)
    assert after.status == before.status and after.evidence == before.evidence


def test_service_undo_refuses_what_it_cannot_undo(store: Store, admin: Operator) -> None:
    svc = Service(store, admin)
    root = git(store, "rev-list", "--max-parents=0", "plan/2019")
    with pytest.raises(InvalidChange, match="找不到提交"):
        svc.undo("no-such-commit")
    with pytest.raises(InvalidChange, match="普通提交"):
        svc.undo(root)
    other = svc.new_plan(2020)
    with pytest.raises(InvalidChange, match="不在 plan/2019 上"):
        svc.undo(other.commit or "")
