"""Honest work still flows in the hardened deployment: the TUI and the CLI over SSH, and the office.

Same deployment as the attacks (``conftest.py``): ``op1`` changes a status in the
terminal interface over ``ssh -t`` (driven by tmux), ``op2`` works with the CLI over
SSH and is refused another unit, and the office, from its own shell, makes an admin
change. Every commit lands authored by the key's login, signed with the store's key
(checked with ``ssh-keygen -Y verify`` against ``tasks/allowed_signers``), and
``verify --all`` stays clean.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import pytest

from tests.hostile.conftest import NAMES, OTHER, TOWN, Deployment
from tests.ui.test_tmux import Tmux, quit_program
from tracker.signing import parse_allowed, signature_valid

pytestmark = pytest.mark.slow


def signed_by_the_store(d: Deployment, commit: str) -> bool:
    """The commit carries a valid signature by a key of the trust root before it."""
    raw = subprocess.run(["git", "--git-dir", str(d.store), "cat-file", "commit", commit], capture_output=True,
                         check=True).stdout
    keys = parse_allowed(d.git("show", f"{commit}~1:tasks/allowed_signers"))
    return bool(keys) and signature_valid(raw, keys)


def last(d: Deployment) -> tuple[str, str, str]:
    """(commit, author e-mail, subject) of the tip of plan/2019."""
    commit, email, subject = d.git("log", "-1", "--format=%H%n%ae%n%s", "plan/2019").split("\n")
    return commit, email, subject


def test_op1_changes_a_status_in_the_interface_over_ssh(deployment: Deployment) -> None:
    d = deployment
    assert shutil.which("tmux"), "tmux is needed (apt-get install tmux)"
    before = d.tip()
    home = d.home(d.op1)
    tmux = Tmux(f"tracker-hostile-{uuid.uuid4().hex[:8]}")
    try:
        tmux.start(f"runuser -u {d.op1} -- env -i HOME={home} PATH=/usr/bin:/bin LANG=C.UTF-8 TERM=xterm-256color "
                   "ssh -tt zwgk", 100, 30)
        screen = tmux.wait_for(lambda s: f"unit:{TOWN}" in s and "条" in s, "the interface on op1's unit")
        assert f"{NAMES['op1']} ({TOWN})" in screen
        tmux.step("e")
        form = tmux.wait_for(lambda s: "修改分工 " in s and TOWN in s, "the edit form")
        requirement = form.split("修改分工 ", 1)[1].split()[0]
        # open the status list, go two down from 未启动 to 已完成, take it, save
        for keys, shown, what in (
            (["Enter"], lambda s: "不适用" in s, "the status list"),
            (["Down", "Down", "Enter"], lambda s: "已完成" in s and "不适用" not in s, "已完成 chosen"),
            (["C-s"], lambda s: "已提交" in s, "the commit notification"),
        ):
            for key in keys:
                tmux.step(key)
            tmux.wait_for(shown, what)
        quit_program(tmux)
    finally:
        tmux.kill()
    commit, email, subject = last(d)
    assert d.git("rev-parse", f"{commit}~1") == before  # exactly one commit
    assert email == f"{d.op1}@zwgk.local"
    assert subject.startswith(f"任务{requirement} {TOWN}: 未启动 → 已完成"), subject
    assert signed_by_the_store(d, commit)


def test_op2_works_with_the_cli_over_ssh_and_is_refused_another_unit(deployment: Deployment) -> None:
    d = deployment
    listed = d.ssh(d.op2, f"tracker list 'unit:{OTHER}' --by assignment --format json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and {row["unit"] for row in rows} == {OTHER}
    req = rows[0]["requirement"]
    done = d.ssh(d.op2, f"tracker set {req} --unit {OTHER} --status 推进中 --note '已起草 经 SSH 填报'")
    assert done.returncode == 0, done.stderr
    commit, email, subject = last(d)
    assert email == f"{d.op2}@zwgk.local" and subject.startswith(f"任务{req} {OTHER}: 未启动 → 推进中")
    assert signed_by_the_store(d, commit)
    again = json.loads(d.ssh(d.op2, f"tracker list 'unit:{OTHER}' --by assignment --format json").stdout)
    assert next(r["status"] for r in again if r["requirement"] == req) == "in_progress"
    town_req = json.loads(d.ssh(d.op2, f"tracker list 'unit:{TOWN}' --by assignment --format json").stdout)[0]
    refused = d.ssh(d.op2, f"tracker set {town_req['requirement']} --unit {TOWN} --status 已完成")
    assert refused.returncode == 1 and d.tip() == commit
    assert f"{d.op2} 只能修改本单位({OTHER})的任务,不能修改 {TOWN}" in refused.stderr, refused.stderr


def test_the_office_makes_an_admin_change_from_its_own_shell(deployment: Deployment) -> None:
    d = deployment
    # the office's shell reads and writes only through the writer's door (it does not own the store)
    added = d.shell(d.office, f"ssh zwgk \"tracker operator add op3{d.writer[4:]} --unit {OTHER} --name 操作员三\"")
    assert added.returncode == 0, added.stderr
    commit, email, subject = last(d)
    assert email == f"{d.office}@zwgk.local" and subject == f"操作员 op3{d.writer[4:]}: 设为填报员({OTHER})"
    assert signed_by_the_store(d, commit)
    assert f"[operators.op3{d.writer[4:]}]" in d.git("show", "plan/2019:tasks/operators.toml")
    verify = d.ssh(d.office, "tracker verify --all")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # every commit since the trust root was turned on (at least the three operator adds) is signed by the store's key
    history = d.git("rev-list", "plan/2019").split()
    turned_on = d.git("log", "-1", "--format=%H", "plan/2019", "--", "tasks/allowed_signers")
    checked = history[: history.index(turned_on)]
    assert len(checked) >= 3 and all(signed_by_the_store(d, c) for c in checked)
