"""Two sites sync over SSH through the first site's writer door, each signing with its own key.

Site 1 is the deployment of ``conftest.py``. Site 2 is a second writer account
(``zw2…``) on the same machine, as a town's own server would be: the office of site 1
registers its key as an admin operator (``tracker operator add … --role admin --key``),
site 2 clones ``zwgk:/srv/zwgk`` through the forced command, makes its signing key
(``tracker doctor --signing-key``) and site 1's writer lists it in the trust root
(``tracker doctor --allow-signer 'ssh-ed25519 …'``), as the README says. Then changes
made on both sides arrive on both, signed, ``verify --all`` clean on both, the hook
knowing that site 2 pushed; a plan branch forged at site 2 is refused by site 1's hook.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.test_one_writer_sshd import run
from tests.hostile.conftest import OTHER, TOWN, Deployment
from tracker.published import LOG_NAME, WRITER_DIR
from tracker.signing import parse_allowed, signature_valid

pytestmark = pytest.mark.slow


@dataclass
class Site2:
    account: str
    store: Path
    pushers: Path  # one line per push site 1's hook saw: the login the writer's door named

    def tracker(self, d: Deployment, command: str) -> subprocess.CompletedProcess[str]:
        return d.shell(self.account, f"cd {self.store} && tracker {command}")

    def git(self, d: Deployment, command: str) -> str:
        return d.shell(self.account, f"cd {self.store} && git {command}", check=True).stdout.strip()


@pytest.fixture(scope="module")
def site2(deployment: Deployment) -> Iterator[Site2]:
    d = deployment
    account = f"zw2{d.writer[4:]}"
    d.add_account(account)
    key = d.give_key(account)
    added = d.ssh(d.office, f"tracker operator add {account} --role admin --name 二号站 --key '{key}'")
    assert added.returncode == 0, added.stderr
    # site 1's hook, wrapped to note who the door says pushes (then the tracker's own hook runs)
    hook = d.store / "hooks" / "pre-receive"
    pushers = d.base / "pushers.log"
    pushers.touch()
    run("chown", f"{d.writer}:{d.writer}", str(pushers))
    hook.rename(hook.with_name("pre-receive.tracker"))
    hook.write_text(f'#!/bin/sh\necho "$TRACKER_PUSHER" >> {pushers}\nexec "$(dirname "$0")/pre-receive.tracker"\n')
    run("chown", f"{d.writer}:{d.writer}", str(hook))
    hook.chmod(0o755)
    # README, several sites: a clone plus tracker sync is a site; it makes its own signing key
    d.shell(account, f"git clone -q {d.writer}@zwgk:{d.store} store && cd store && tracker sync", check=True)
    site = Site2(account, d.home(account) / "store", pushers)
    public = site.tracker(d, "doctor --signing-key")
    assert public.returncode == 0 and public.stdout.startswith("ssh-ed25519 "), public.stderr
    listed = d.as_writer("doctor", "--allow-signer", f"{public.stdout.strip()} site-2", "--repo", str(d.store))
    assert listed.returncode == 0
    assert site.tracker(d, "sync").returncode == 0
    yield site


def signed(raw: bytes, allowed: str) -> bool:
    keys = parse_allowed(allowed)
    return bool(keys) and signature_valid(raw, keys)


def test_changes_from_both_sites_arrive_signed_and_verify_clean(deployment: Deployment, site2: Site2) -> None:
    d = deployment
    reqs = {}
    for account, unit in ((d.op1, TOWN), (d.op2, OTHER)):
        listed = d.ssh(account, f"tracker list 'unit:{unit}' --by assignment --format json")
        reqs[unit] = json.loads(listed.stdout)[0]["requirement"]
    # site 1: op1 over SSH; site 2: its writer (an admin) on behalf of 市发改局
    assert d.ssh(d.op1, f"tracker set {reqs[TOWN]} --unit {TOWN} --status 推进中 --note 一号站填报").returncode == 0
    at_site2 = site2.tracker(d, f"set {reqs[OTHER]} --unit {OTHER} --status 受阻 --note 二号站代填")
    assert at_site2.returncode == 0, at_site2.stderr
    local = site2.git(d, "rev-parse plan/2019")
    synced = site2.tracker(d, "sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "plan/2019: 收到 1 个提交,发出 2 个提交" in synced.stdout, synced.stdout
    assert d.tip() == site2.git(d, "rev-parse plan/2019") != local
    pushed_by = site2.pushers.read_text().split()
    assert pushed_by and set(pushed_by) == {site2.account}  # the hook ran, and knew who pushed
    # both changes on both sides
    for unit, status in ((TOWN, "in_progress"), (OTHER, "blocked")):
        query = f"list 'unit:{unit}' --by assignment --format json"
        for rows in (d.ssh(d.op2, f"tracker {query}").stdout, site2.tracker(d, query).stdout):
            assert next(r["status"] for r in json.loads(rows) if r["requirement"] == reqs[unit]) == status
    # signed: site 1's commit by site 1's key, site 2's (and its merge) by site 2's key
    allowed = d.git("show", "plan/2019:tasks/allowed_signers")
    assert len(parse_allowed(allowed)) == 2
    new = d.git("rev-list", f"{local}~1..plan/2019").split() + [local]
    assert len(set(new)) >= 3
    for commit in set(new):
        raw = subprocess.run(["git", "--git-dir", str(d.store), "cat-file", "commit", commit], capture_output=True,
                             check=True).stdout
        assert signed(raw, allowed), commit
    assert d.ssh(d.office, "tracker verify --all").returncode == 0
    verify2 = site2.tracker(d, "verify --all")
    assert verify2.returncode == 0, verify2.stdout + verify2.stderr
    # what site 2 pushed is published by site 1's writer: rewinding it is reported like any other rewind
    pushed = d.tip()
    assert f"refs/heads/plan/2019 {pushed}" in (d.store / WRITER_DIR / LOG_NAME).read_text().splitlines()
    d.shell(d.writer, f"git --git-dir {d.store} update-ref refs/heads/plan/2019 {pushed}~1", check=True)
    rewound = d.ssh(d.office, "tracker verify")
    assert rewound.returncode == 1
    assert f"分支 plan/2019 被回退:写入账号发布过的版本 {pushed[:12]} 已不在分支上" in rewound.stdout
    d.shell(d.writer, f"git --git-dir {d.store} update-ref refs/heads/plan/2019 {pushed}", check=True)


def test_a_plan_branch_forged_at_site2_is_not_taken(deployment: Deployment, site2: Site2) -> None:
    d = deployment
    as_op1 = (f"GIT_AUTHOR_NAME=操作员一 GIT_AUTHOR_EMAIL={d.op1}@zwgk.local "
              f"GIT_COMMITTER_NAME=操作员一 GIT_COMMITTER_EMAIL={d.op1}@zwgk.local")
    make_admin = (f"sed -i 's/^units = \\[\"{TOWN}\"\\]$/units = []/; /^\\[operators.{d.op1}\\]$/,/^role/ "
                  "s/^role = \"operator\"$/role = \"admin\"/' tasks/operators.toml")
    d.shell(site2.account, f"cd {site2.store} && git checkout -q --orphan plan/2098 plan/2019 && {make_admin} "
                           f"&& git add -A && {as_op1} git -c user.useConfigOnly=false commit -q -m 2098年计划 "
                           "&& git checkout -q -f plan/2019", check=True)
    root = site2.git(d, "rev-parse plan/2098")
    assert f'[operators.{d.op1}]\nname = "操作员一"\nunits = []\nrole = "admin"' in site2.git(
        d, "show plan/2098:tasks/operators.toml")
    before = set(d.git("for-each-ref", "--format=%(refname)", "refs/heads/").split())
    synced = site2.tracker(d, "sync")
    assert synced.returncode == 1
    assert ("远端拒绝接收 plan/2098:远端的检查钩子不接受这些提交。 远端的说明: 推送被拒绝(tracker 审计规则):;"
            "以下提交改动了作者无权修改的内容,或尾注与改动/作者不符:;"
            f"{root[:12]} {d.op1}(操作员一) 新计划分支: 首个提交的作者 {d.op1} 不是现有计划的管理员:"
            "新的计划分支只能由管理员建立") in synced.stdout, synced.stdout
    assert set(d.git("for-each-ref", "--format=%(refname)", "refs/heads/").split()) == before
    assert d.ssh(d.office, "tracker verify --all").returncode == 0
    # site 2's own verify reports the branch too
    verify2 = site2.tracker(d, "verify --all")
    assert verify2.returncode == 1
    assert (f"{root[:12]} {d.op1}(操作员一) 新计划分支: 首个提交的作者 {d.op1} 不是现有计划的管理员:"
            "新的计划分支只能由管理员建立") in verify2.stdout
