"""Issue 13's attacks, played by an operator against the documented one-writer deployment.

The operator ``op1`` (营里镇) has a shell of their own on the server and an SSH key the
office registered. From that shell they try, with plain git and their key, every attack
of the issue: plant a filter or ``core.sshCommand``, push an orphan ``plan/2098`` making
themselves admin, push plumbing commits authored as the office, a junk or foreign
``gpgsig``, rewind a branch, forge the parse cache or the query index, rewrite the
remote's hook, borrow another login through an environment variable. Each is refused
(the permission error, the hook's reason) or reported by ``verify``/``doctor``, with the
exact message. Where the writer deployment leaves the operator no way at all, a careless
administrator (root, ``chmod g+w``) opens one, and the tracker must still not believe or
run what was planted, and ``doctor`` must name it.
"""

from __future__ import annotations

import json
import pwd
import shlex
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.test_one_writer_sshd import run
from tests.hostile.conftest import OTHER, TOWN, Deployment
from tracker.verify import BAD_SIGNATURE, UNSIGNED

pytestmark = pytest.mark.slow

DOCTOR_CONFIG = "组内账号可写,能让下一次 git 运行他的命令(过滤器、ssh 命令)"
DOCTOR_ATTRIBUTES = "组内账号可写,能加入属性(过滤器、合并驱动)"
DOCTOR_HOOK = "组内账号可写,能放入以推送者身份运行的钩子"
DOCTOR_CACHE = "组内账号可写:能伪造缓存(列表、详情、报表、历史显示提交里没有的内容);读者不采信,写入账号下次运行时重建"
# the operator's own git stops at the writer's ownership; an attacker passes this option
GIT = "git -c safe.directory='*' -c user.useConfigOnly=false"


def permission_denied(result_stderr: str, path: Path) -> bool:
    return f"{path}" in result_stderr and "Permission denied" in result_stderr


@pytest.fixture(scope="module")
def clone(deployment: Deployment) -> Path:
    """op1's clone of the store, fetched through the writer's forced command with op1's key."""
    d = deployment
    d.shell(d.op1, f"{GIT} clone -q -b plan/2019 zwgk:{d.store} clone", check=True)
    d.shell(d.op1, f"cd clone && git config user.name 操作员一 && git config user.email {d.op1}@zwgk.local", check=True)
    return d.home(d.op1) / "clone"


@pytest.fixture
def careless(deployment: Deployment) -> Iterator[list[Path]]:
    """Paths a careless administrator opens to the staff group; put back as they were afterwards.

    Files get their old bytes back (a planted config or attributes line goes), the parse
    cache (derived data, rebuilt on the next read) is removed with whatever was forged in it.
    """
    d = deployment
    opened: list[Path] = []
    saved = {p: p.read_bytes() for p in (d.store / "config", d.store / "info" / "attributes") if p.exists()}
    yield opened
    for path in opened:
        if path.name == "tracker-cache":
            shutil.rmtree(path)
            continue
        run("chown", "-R", f"{d.writer}:{d.writer}", str(path))
        run("chmod", "-R", "go-w", str(path))
    for path in (d.store / "config", d.store / "info" / "attributes"):
        if path in saved:
            path.write_bytes(saved[path])
        else:
            path.unlink(missing_ok=True)  # made by the operator in the opened folder


def config_text(values: dict[str, str]) -> str:
    """``values`` (``section.key`` or ``section.sub.key``) in git config's own file syntax."""
    lines = []
    for name, value in values.items():
        section, _, key = name.rpartition(".")
        head, _, sub = section.partition(".")
        lines += [f'[{head} "{sub}"]' if sub else f"[{head}]", f"\t{key} = {json.dumps(value)}"]
    return "\n".join(lines) + "\n"


def open_to_group(d: Deployment, opened: list[Path], *paths: Path) -> None:
    for path in paths:
        run("chgrp", "-R", d.group, str(path))
        run("chmod", "-R", "g+w", str(path))
        opened.append(path)


def doctor(d: Deployment) -> tuple[int, list[str]]:
    """``tracker doctor`` run by the writer: (exit code, its lines; the summary line last)."""
    result = d.as_writer("doctor", "--repo", str(d.store), check=False)
    return result.returncode, result.stdout.splitlines() + result.stderr.splitlines()


def requirement_of(d: Deployment, account: str, unit: str) -> str:
    listed = d.ssh(account, f"tracker list 'unit:{unit}' --by assignment --format json", check=True)
    return str(json.loads(listed.stdout)[0]["requirement"])


def status_of(d: Deployment, account: str, req: str, unit: str) -> str:
    shown = d.ssh(account, f"tracker list 'unit:{unit}' --by assignment --format json", check=True)
    return next(r["status"] for r in json.loads(shown.stdout) if r["requirement"] == req)


def commit_in_clone(d: Deployment, clone: Path, edit: str, message: str, author: str | None = None,
                    extra: str = "") -> str:
    """Run ``edit`` (shell) in op1's clone and commit it with plain git, as ``author`` if given."""
    who = ""
    if author:
        who = (f"GIT_AUTHOR_NAME=办公室 GIT_AUTHOR_EMAIL={author}@zwgk.local "
               f"GIT_COMMITTER_NAME=办公室 GIT_COMMITTER_EMAIL={author}@zwgk.local ")
    d.shell(d.op1, f"cd {clone} && {edit} && {GIT} add -A && {who}{GIT} {extra} commit -q -m {shlex.quote(message)}",
            check=True)
    return d.shell(d.op1, f"cd {clone} && git rev-parse HEAD", check=True).stdout.strip()


def set_status_line(unit: str, status: str, task: int) -> str:
    """A shell edit of ``tasks/NN.toml``: the first ``status =`` after ``unit``'s table becomes ``status``."""
    return (f"python3 -c \"import re,pathlib; p=pathlib.Path('tasks/{task:02d}.toml'); s=p.read_text(); "
            f"i=s.index('units.\\\"{unit}\\\"]'); j=s.index('status = ', i); k=s.index(chr(10), j); "
            f"p.write_text(s[:j]+'status = \\\"{status}\\\"'+s[k:])\"")


def admin_edit(login: str, keep_units: bool) -> str:
    """A shell edit of ``tasks/operators.toml`` making ``login`` an admin (its units kept or emptied)."""
    script = (
        "import pathlib, re\n"
        "p = pathlib.Path('tasks/operators.toml')\n"
        f"head, _, rest = p.read_text().partition('[operators.{login}]')\n"
        "table, sep, tail = rest.partition('\\n[')\n"
        "table = table.replace('role = \"operator\"', 'role = \"admin\"')\n"
        + ("" if keep_units else "table = re.sub(r'units = \\[.*\\]', 'units = []', table)\n")
        + f"p.write_text(head + '[operators.{login}]' + table + sep + tail)\n"
        "assert 'role = \"admin\"' in table\n"
    )
    return f"python3 -c {shlex.quote(script)}"


def push(d: Deployment, clone: Path, refspec: str, *options: str) -> tuple[int, str]:
    result = d.shell(d.op1, f"cd {clone} && {GIT} push {' '.join(options)} origin {refspec}")
    return result.returncode, result.stderr


def reset_clone(d: Deployment, clone: Path) -> None:
    d.shell(d.op1, f"cd {clone} && {GIT} fetch -q origin && {GIT} checkout -q -f plan/2019 "
                   "&& git reset -q --hard origin/plan/2019", check=True)


# ---------------------------------------------------------------- config, attributes, hooks


def test_config_attributes_and_hook_cannot_be_written_and_a_planted_one_is_not_run(
    deployment: Deployment, careless: list[Path],
) -> None:
    d = deployment
    config, attributes, hook = d.store / "config", d.store / "info" / "attributes", d.store / "hooks" / "pre-receive"
    marks = d.base / "marks"
    marks.mkdir(mode=0o777, exist_ok=True)
    marks.chmod(0o777)
    # the writer deployment: the operator cannot write any of them
    tried = d.shell(d.op1, f"git config --file {config} core.sshCommand 'touch {marks}/ssh'")
    assert tried.returncode != 0
    assert tried.stderr.strip() == f"error: could not lock config file {config}: Permission denied"
    tried = d.shell(d.op1, f"echo '* filter=evil' >> {attributes}")
    assert tried.returncode != 0 and tried.stderr.strip() == f"sh: 1: cannot create {attributes}: Permission denied"
    tried = d.shell(d.op1, f"printf '#!/bin/sh\\ntouch {marks}/hook\\n' > {hook}")
    assert tried.returncode != 0 and tried.stderr.strip() == f"sh: 1: cannot create {hook}: Permission denied"
    assert doctor(d) == (0, [f"{d.store}: 未发现问题"])

    # a careless administrator shares them with the staff group; the operator plants commands
    open_to_group(d, careless, config, attributes.parent, d.store / "hooks")
    evil = {
        "filter.evil.smudge": f"touch {marks}/smudge; cat", "filter.evil.clean": f"touch {marks}/clean; cat",
        "core.sshCommand": f"touch {marks}/ssh; ssh", "core.pager": f"touch {marks}/pager; cat",
        "diff.external": f"{marks}/ext", "core.hooksPath": str(marks), "core.fsmonitor": f"{marks}/fsmonitor",
    }
    # git's own `git config` would need the folder (config.lock): the operator appends by hand
    planted = config_text(evil)
    d.shell(d.op1, f"printf %s {shlex.quote(planted)} >> {config}", check=True)
    for key, value in evil.items():
        assert d.git("config", "--file", str(config), key) == value
    d.shell(d.op1, f"echo '* filter=evil diff=evil' >> {attributes}", check=True)
    for name in ("ext", "fsmonitor", "reference-transaction", "post-commit", "pre-commit"):
        script = marks / name
        script.write_text(f"#!/bin/sh\ntouch {marks}/ran-{name}\n")
        script.chmod(0o755)
    code, lines = doctor(d)
    assert code == 1
    assert f"{config}: {DOCTOR_CONFIG}" in lines
    # a new file, made by the operator in the shared folder: named by its owner
    op1_uid = pwd.getpwnam(d.op1).pw_uid
    assert f"{attributes}: 账号 uid {op1_uid}(不是写入账号)可写,能加入属性(过滤器、合并驱动)" in lines
    assert f"{attributes.parent}: {DOCTOR_ATTRIBUTES}" in lines
    assert f"{hook}: {DOCTOR_HOOK}" in lines
    english = d.as_writer("--lang", "en", "doctor", "--repo", str(d.store), check=False)
    assert f"{config}: writable by group members: they can make the next git run their command" in english.stdout
    # the office's and operators' work goes on: a set, a history with patches, a sync over ssh
    req = requirement_of(d, d.op2, OTHER)
    done = d.ssh(d.op2, f"tracker set {req} --unit {OTHER} --status 推进中 --note 配置被人改过")
    assert done.returncode == 0, done.stderr
    assert d.ssh(d.op2, f"tracker history {req.split('.')[0]} --patch --limit 2").returncode == 0
    added = d.ssh(d.office, f"tracker remote add selfssh ssh://{d.writer}@127.0.0.1:{d.port}{d.store}")
    assert added.returncode == 0, added.stderr
    synced = d.ssh(d.office, "tracker sync --remote selfssh")
    assert synced.returncode == 1  # the writer has no key of its own here: ssh itself is refused, and said so
    assert synced.stderr.startswith("从远端 selfssh 获取失败:"), synced.stderr
    assert sorted(p.name for p in marks.iterdir()) == sorted(["ext", "fsmonitor", "reference-transaction",
                                                              "post-commit", "pre-commit"])
    # the sync left the planted attributes as they were (not rewritten as the writer's own), still named
    assert "* filter=evil diff=evil" in attributes.read_text() and attributes.stat().st_uid == pwd.getpwnam(d.op1).pw_uid
    assert f"{attributes}: 账号 uid {op1_uid}(不是写入账号)可写,能加入属性(过滤器、合并驱动)" in doctor(d)[1]


# ---------------------------------------------------------------- pushes the hook refuses


def test_an_orphan_plan_making_oneself_admin_is_refused_by_the_hook_and_by_sync(
    deployment: Deployment, clone: Path,
) -> None:
    d = deployment
    reset_clone(d, clone)
    d.shell(d.op1, f"cd {clone} && {GIT} checkout -q --orphan plan/2098 origin/plan/2019", check=True)
    root = commit_in_clone(d, clone, admin_edit(d.op1, keep_units=False), "2098年计划")
    code, said = push(d, clone, "plan/2098")
    assert code != 0
    assert (f"remote:   {root[:12]} {d.op1}(操作员一) 新计划分支: 首个提交的作者 {d.op1} 不是现有计划的管理员:"
            "新的计划分支只能由管理员建立") in said
    assert f"remote:   {root[:12]} {d.op1}(操作员一) 签名: {UNSIGNED}" in said
    assert "! [remote rejected] plan/2098 -> plan/2098 (pre-receive hook declined)" in said
    assert d.git("for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/plan/2019"

    # a remote the writer shares with the staff group and leaves unguarded (git init --bare --shared=group):
    # the operator's branch gets there, and the office's sync does not take it
    hub = d.base / "hub.git"
    run("install", "-d", "-o", d.writer, "-g", d.group, "-m", "2775", str(hub))
    d.shell(d.writer, f"git init -q --bare --shared=group {hub}", check=True)
    run("chgrp", "-R", d.group, str(hub))
    run("chmod", "-R", "g+w", str(hub))
    d.shell(d.op1, f"cd {clone} && {GIT} push -q --receive-pack=\"git -c safe.directory='*' receive-pack\" {hub} plan/2098 origin/plan/2019:refs/heads/plan/2019", check=True)
    assert d.ssh(d.office, f"tracker remote add hub {hub}").returncode == 0
    synced = d.ssh(d.office, "tracker sync --remote hub")
    assert synced.returncode == 1
    assert (f"  远端的新计划分支 plan/2098 未被接受,本站没有建立它(2 处问题,第一处: {root[:12]} {d.op1}(操作员一) "
            f"新计划分支: 首个提交的作者 {d.op1} 不是现有计划的管理员:新的计划分支只能由管理员建立);"
            "请管理员核实,并在远端删除这个分支") in synced.stdout.splitlines(), synced.stdout
    assert d.git("for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/plan/2019"
    listed = d.ssh(d.op2, "tracker list --format json")
    assert listed.returncode == 0 and "新旧动能" in listed.stdout  # the default plan is still 2019's
    verify = d.ssh(d.office, "tracker verify --all")
    assert verify.returncode == 0, verify.stdout
    # the sync fetched the forged plan into refs/remotes/hub/: the operator now names that commit
    assert d.git("rev-parse", "refs/remotes/hub/plan/2098") == root
    # a second sync does not make the branch from it either
    again = d.ssh(d.office, "tracker sync --remote hub")
    assert again.returncode == 1 and "远端的新计划分支 plan/2098 未被接受,本站没有建立它" in again.stdout
    assert d.git("for-each-ref", "--format=%(refname)", "refs/heads/") == "refs/heads/plan/2019"
    # pushing that very commit as plan/2098: nothing new to the store's refs, yet judged all the same
    code, said = push(d, clone, f"{root}:refs/heads/plan/2098")
    assert code != 0
    assert f"remote:   拒绝新建分支 plan/2098:推送者 {d.op1} 不是管理员,新的计划分支只能由管理员建立" in said
    assert (f"remote:   {root[:12]} {d.op1}(操作员一) 新计划分支: 首个提交的作者 {d.op1} 不是现有计划的管理员:"
            "新的计划分支只能由管理员建立") in said
    # and a copy of the real plan under a new name, or any ref besides plan/*, is not the operator's to make
    for refspec, says in (("origin/plan/2019:refs/heads/plan/2099", f"拒绝新建分支 plan/2099:推送者 {d.op1} 不是管理员"),
                          (f"{root}:refs/remotes/hub/plan/2097", "拒绝推送 refs/remotes/hub/plan/2097:通过写入账号只能推送计划分支 plan/*"),
                          ("origin/plan/2019:refs/tags/v1", "拒绝推送 refs/tags/v1:通过写入账号只能推送计划分支 plan/*")):
        code, said = push(d, clone, refspec)
        assert code != 0 and f"remote:   {says}" in said, said
    assert d.git("for-each-ref", "--format=%(refname)", "refs/heads/", "refs/tags/") == "refs/heads/plan/2019"


def test_plumbing_commits_as_the_office_and_the_rights_they_tried_to_grant(
    deployment: Deployment, clone: Path,
) -> None:
    d = deployment
    reset_clone(d, clone)
    grant = commit_in_clone(d, clone, admin_edit(d.op1, keep_units=True), f"操作员 {d.op1}: 设为管理员", author=d.office)
    req = requirement_of(d, d.op2, OTHER)
    task = int(req.split(".")[0])
    used = commit_in_clone(d, clone, set_status_line(OTHER, "done", task), "改别的单位")
    code, said = push(d, clone, "plan/2019")
    assert code != 0
    assert f"remote:   {grant[:12]} {d.office}(办公室) 签名: {UNSIGNED}" in said
    assert (f"remote:   {grant[:12]} {d.office}(办公室) 推送者: 推送者 {d.op1} 不是管理员,"
            f"不能推送他人({d.office})的提交") in said
    assert (f"remote:   {used[:12]} {d.op1}(操作员一) 任务{req} {OTHER} status: 操作员 {d.op1} 只负责 {TOWN},"
            f"无权修改 {OTHER} 的分工") in said
    assert d.tip() != used
    # the same commits, where someone could put them on the branch: verify reports both
    verify = d.shell(d.op1, f"tracker verify --plan 2019 --repo {clone}")
    assert verify.returncode == 1
    assert f"{grant[:12]} {d.office}(办公室) 签名: {UNSIGNED}" in verify.stdout.splitlines()
    assert (f"{used[:12]} {d.op1}(操作员一) 任务{req} {OTHER} status: 操作员 {d.op1} 只负责 {TOWN},"
            f"无权修改 {OTHER} 的分工") in verify.stdout.splitlines()


def test_a_junk_signature_or_the_operators_own_key_is_a_bad_signature(deployment: Deployment, clone: Path) -> None:
    d = deployment
    reset_clone(d, clone)
    req = requirement_of(d, d.op1, TOWN)
    task = int(req.split(".")[0])
    # signed for real, but with the operator's own key (not in tasks/allowed_signers)
    own = commit_in_clone(d, clone, set_status_line(TOWN, "in_progress", task), "自己签名",
                          extra="-c gpg.format=ssh -c user.signingkey=$HOME/.ssh/id_ed25519.pub -c commit.gpgSign=true")
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in d.shell(d.op1, f"cd {clone} && git cat-file commit HEAD").stdout
    code, said = push(d, clone, "plan/2019")
    assert code != 0 and f"remote:   {own[:12]} {d.op1}(操作员一) 签名: {BAD_SIGNATURE}" in said
    # a junk gpgsig header written with plumbing
    reset_clone(d, clone)
    d.shell(d.op1, f"cd {clone} && {set_status_line(TOWN, 'done', task)} && {GIT} add -A", check=True)
    forge = (f"cd {clone} && tree=$(git write-tree) && parent=$(git rev-parse HEAD) && now=$(date +%s) && "
             f"printf 'tree %s\\nparent %s\\nauthor 操作员一 <{d.op1}@zwgk.local> %s +0800\\n"
             f"committer 操作员一 <{d.op1}@zwgk.local> %s +0800\\ngpgsig -----BEGIN SSH SIGNATURE-----\\n"
             f" U1NIU0lHAAAAAQ==\\n -----END SSH SIGNATURE-----\\n\\n填报\\n' $tree $parent $now $now "
             f"| git hash-object -t commit -w --stdin")
    junk = d.shell(d.op1, forge, check=True).stdout.strip()
    d.shell(d.op1, f"cd {clone} && git update-ref refs/heads/plan/2019 {junk}", check=True)
    code, said = push(d, clone, "plan/2019")
    assert code != 0 and f"remote:   {junk[:12]} {d.op1}(操作员一) 签名: {BAD_SIGNATURE}" in said
    verify = d.shell(d.op1, f"tracker verify --plan 2019 --repo {clone}")
    assert verify.returncode == 1 and f"{junk[:12]} {d.op1}(操作员一) 签名: {BAD_SIGNATURE}" in verify.stdout


# ---------------------------------------------------------------- rewinding


def test_a_rewind_is_impossible_for_the_operator_and_reported_where_someone_could(
    deployment: Deployment, clone: Path,
) -> None:
    d = deployment
    req = requirement_of(d, d.op2, OTHER)
    for status in ("推进中", "已完成"):
        assert d.ssh(d.op2, f"tracker set {req} --unit {OTHER} --status {status}").returncode == 0
    published = d.tip()
    tried = d.shell(d.op1, f"{GIT} --git-dir {d.store} update-ref refs/heads/plan/2019 plan/2019~1")
    assert tried.returncode != 0
    assert permission_denied(tried.stderr, d.store / "refs" / "heads" / "plan" / "2019.lock"), tried.stderr
    tried = d.shell(d.op1, f"{GIT} --git-dir {d.store} reset --soft plan/2019~1")
    assert tried.returncode != 0 and d.tip() == published
    # over the door: a force push and a deletion are the hook's to refuse
    reset_clone(d, clone)
    d.shell(d.op1, f"cd {clone} && git reset -q --hard HEAD~1", check=True)
    code, said = push(d, clone, "plan/2019", "--force")
    assert code != 0 and ("remote:   拒绝强制推送 plan/2019:新版本不包含服务器上已有的提交(非快进),"
                          "请先同步(fetch 并合并)再推送") in said
    code, said = push(d, clone, ":plan/2019")
    assert code != 0 and "remote:   拒绝删除分支 plan/2019:计划分支是审计记录,不能删除" in said
    assert d.tip() == published

    # someone who could (the writer's own account, e.g. an administrator with sudo) rewinds
    d.shell(d.writer, f"git --git-dir {d.store} update-ref refs/heads/plan/2019 plan/2019~1", check=True)
    now = d.tip()
    rewound = (f"分支 plan/2019 被回退:写入账号发布过的版本 {published[:12]} 已不在分支上"
               f"(现在指向 {now[:12]}),之后的提交被人用 git reset 或 update-ref 删掉了")
    verify = d.ssh(d.office, "tracker verify")
    assert verify.returncode == 1 and rewound in verify.stdout.splitlines()
    code, lines = doctor(d)
    assert code == 1 and rewound in lines
    refused = d.ssh(d.op2, f"tracker set {req} --unit {OTHER} --note 继续")
    assert refused.returncode == 1
    restore = f"git update-ref refs/heads/plan/2019 {published}"
    assert refused.stderr.strip() == (f"{rewound}。为免在被删改的历史上继续写入,本次未提交。请管理员用 tracker doctor "
                                      f"查看,核实后恢复: {restore}"), refused.stderr
    assert "手工修改" not in refused.stderr and d.tip() == now
    # the restore command it names, run by the writer, brings everything back
    d.shell(d.writer, f"cd {d.store} && {restore}", check=True)
    assert d.ssh(d.op2, f"tracker set {req} --unit {OTHER} --note 继续").returncode == 0
    assert d.ssh(d.office, "tracker verify").returncode == 0


# ---------------------------------------------------------------- the parse cache and the query index


def test_the_parse_cache_cannot_be_written_and_a_planted_entry_is_not_believed(
    deployment: Deployment, careless: list[Path],
) -> None:
    d = deployment
    cache = d.store / "tracker-cache"
    req = requirement_of(d, d.op1, TOWN)
    before = status_of(d, d.op1, req, TOWN)
    assert before != "done"
    entries = [p for p in cache.rglob("*") if p.is_file()]
    index = next(p for p in entries if p.name == "plan-2019.sqlite")
    task_entry = next(p for p in entries if "/tasks/" in str(p))
    for target in (index, task_entry):
        tried = d.shell(d.op1, f"echo x > {target}")
        assert tried.returncode != 0 and tried.stderr.strip() == f"sh: 1: cannot create {target}: Permission denied"
        tried = d.shell(d.op1, f"mv {target} {target}.gone")
        assert tried.returncode != 0 and "Permission denied" in tried.stderr
    # a careless administrator shares the cache with the group; the operator forges every status
    open_to_group(d, careless, cache)
    code, lines = doctor(d)
    assert code == 1 and f"{cache}: {DOCTOR_CACHE};修复: rm -rf {cache}" in lines
    forged_dir = d.home(d.op1) / "forged"
    d.shell(d.op1, f"mkdir -p {forged_dir}", check=True)
    for entry in (p for p in cache.rglob("*") if p.is_file() and "/tasks/" in str(p)):
        data = json.loads(entry.read_bytes())
        for requirement in data["task"]["requirements"]:
            for a in requirement["assignments"]:
                a["status"] = "done"
        forged = forged_dir / entry.name
        forged.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        forged.chmod(0o644)
        d.shell(d.op1, f"cp {forged} {entry}.new && chmod 644 {entry}.new && mv -f {entry}.new {entry}", check=True)
    assert status_of(d, d.op1, req, TOWN) == before
    listed = d.ssh(d.op1, f"tracker list 'unit:{TOWN}' --format json")
    assert listed.returncode == 0 and '"status": "not_started"' in listed.stdout
    done = d.ssh(d.op1, f"tracker list 'unit:{TOWN} status:done' --by assignment --format json")
    assert json.loads(done.stdout or "[]") == []
    shown = d.ssh(d.op1, f"tracker show {req.split('.')[0]}")
    assert shown.returncode == 0 and "未启动" in shown.stdout


def test_a_planted_query_index_is_not_believed(deployment: Deployment, careless: list[Path]) -> None:
    d = deployment
    cache = d.store / "tracker-cache"
    req = requirement_of(d, d.op1, TOWN)
    before = status_of(d, d.op1, req, TOWN)
    assert before != "done"
    index = next(p for p in cache.rglob("plan-2019.sqlite"))
    tried = d.shell(d.op1, f"echo x > {index}")
    assert tried.returncode != 0 and tried.stderr.strip() == f"sh: 1: cannot create {index}: Permission denied"
    open_to_group(d, careless, cache)
    forged_dir = d.home(d.op1) / "forged"
    d.shell(d.op1, f"mkdir -p {forged_dir}", check=True)
    copy = forged_dir / "index.sqlite"
    shutil.copy(index, copy)  # the operator makes one with the same rows, every status done
    db = sqlite3.connect(copy)
    db.execute("UPDATE units SET statuses = 'done'")
    db.execute("UPDATE tasks SET row = replace(replace(row, 'not_started', 'done'), '未启动', '已完成')")
    db.execute("UPDATE tasks SET plain = replace(plain, 'not_started', 'done')")
    db.commit()
    db.close()
    run("chown", f"{d.op1}:{d.op1}", str(copy))
    d.shell(d.op1, f"chmod 644 {copy} && mv -f {copy} {index}", check=True)
    assert status_of(d, d.op1, req, TOWN) == before
    done = d.ssh(d.op1, f"tracker list 'unit:{TOWN} status:done' --by assignment --format json")
    assert json.loads(done.stdout or "[]") == []


# ---------------------------------------------------------------- borrowed identities


def test_no_environment_variable_lends_another_login(deployment: Deployment, clone: Path) -> None:
    d = deployment
    reset_clone(d, clone)
    req2 = requirement_of(d, d.op2, OTHER)
    # a commit authored as op2 (op2's own unit), pushed by op1 who names the office as pusher
    by_op2 = (f"GIT_AUTHOR_NAME=操作员二 GIT_AUTHOR_EMAIL={d.op2}@zwgk.local "
              f"GIT_COMMITTER_NAME=操作员二 GIT_COMMITTER_EMAIL={d.op2}@zwgk.local")
    d.shell(d.op1, f"cd {clone} && {set_status_line(OTHER, 'blocked', int(req2.split('.')[0]))} && {GIT} add -A "
                   f"&& {by_op2} {GIT} commit -q -m x", check=True)
    commit = d.shell(d.op1, f"cd {clone} && git rev-parse HEAD", check=True).stdout.strip()
    pusher_line = (f"remote:   {commit[:12]} {d.op2}(操作员二) 推送者: 推送者 {d.op1} 不是管理员,"
                   f"不能推送他人({d.op2})的提交")
    for how in (f"TRACKER_PUSHER={d.office}", f"GIT_SSH_COMMAND='ssh -o SetEnv=TRACKER_PUSHER={d.office}'",
                f"LC_TRACKER_PUSHER={d.office} GIT_SSH_COMMAND='ssh -o SendEnv=LC_*'"):
        result = d.shell(d.op1, f"cd {clone} && {how} {GIT} push origin plan/2019")
        assert result.returncode != 0 and pusher_line in result.stderr, (how, result.stderr)
    # the same variable with the operator's own account, straight at the store: no way in at all
    before = d.tip()
    direct = d.shell(d.op1, f"cd {clone} && TRACKER_PUSHER={d.office} TRACKER_LOGIN={d.office} {GIT} push "
                            f"--receive-pack=\"TRACKER_PUSHER={d.office} git -c safe.directory='*' receive-pack\" "
                            f"{d.store} plan/2019")
    assert direct.returncode != 0 and "error: remote unpack failed: unable to create temporary object directory" in direct.stderr, direct.stderr
    assert d.tip() == before
    # the hook, run by hand as the operator on the store with the pushed objects beside it: the
    # variable is not believed (it would make op1 the pusher of op2's commit), the rules still apply
    line = f"{before} {commit} refs/heads/plan/2019\n"
    hook = d.shell(d.op1, f"printf '{line}' | GIT_DIR={d.store} GIT_ALTERNATE_OBJECT_DIRECTORIES={clone}/.git/objects "
                          f"TRACKER_PUSHER={d.op1} PYTHONPATH={d.base}/src {d.store}/hooks/pre-receive")
    assert hook.returncode == 1 and f"{commit[:12]} {d.op2}(操作员二) 签名: {UNSIGNED}" in hook.stderr, hook.stderr
    assert "推送者" not in hook.stderr
    # the door itself, and the tracker, from the operator's own shell
    served = d.shell(d.op1, f"SSH_ORIGINAL_COMMAND='tracker set {req2} --unit {OTHER} --status 已完成' "
                            f"TRACKER_PUSHER={d.office} tracker serve --login {d.office} --repo {d.store}")
    assert served.returncode == 1 and served.stdout == ""
    not_yours = (f"{d.store} 属于账号 {d.writer},且没有共享给你所在的组:请以该账号通过 SSH 操作"
                 f"(ssh {d.writer}@服务器 tracker ...),或请管理员用 tracker init --shared 组名 建库")
    assert served.stderr.strip() == not_yours
    direct_set = d.shell(d.op1, f"USER={d.office} LOGNAME={d.office} TRACKER_LOGIN={d.office} "
                                f"tracker set {req2} --unit {OTHER} --status 已完成 --repo {d.store}")
    assert direct_set.returncode == 1 and d.tip() == before
    assert direct_set.stderr.strip() == not_yours
    # and through the door a command may not carry an assignment
    smuggled = d.ssh(d.op1, f"TRACKER_PUSHER={d.office} git-receive-pack {d.store}")
    assert smuggled.returncode == 1 and smuggled.stderr.startswith(f"不允许运行 TRACKER_PUSHER={d.office} "), smuggled.stderr


# ---------------------------------------------------------------- an operator's own door


def test_over_ssh_an_operator_keeps_an_operators_rights(deployment: Deployment, tmp_path: Path) -> None:
    d = deployment
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "spare@pc", "-f", str(tmp_path / "spare"))
    spare = (tmp_path / "spare.pub").read_text().strip()
    keys_file = d.home(d.writer) / ".ssh" / "authorized_keys"
    keys_before, tip = keys_file.read_text(), d.tip()
    managers = f"只有管理员可以管理操作员({d.op1} 是填报员)"
    attempts = {
        f"tracker operator add {d.op1} --role admin --unit {TOWN}": managers,
        f"tracker operator add {d.office} --role admin --key '{spare}'": managers,
        f"tracker operator add evil --role admin --key '{spare}'": managers,
        f"tracker operator remove {d.op2}": managers,
        "tracker plan new 2098": f"只有管理员可以新建年度计划({d.op1} 是填报员)",
        f"tracker remote add evil {d.home(d.op1)}": f"只有管理员可以添加远端({d.op1} 是填报员)",
    }
    for command, says in attempts.items():
        result = d.ssh(d.op1, command)
        assert result.returncode == 1 and result.stderr.strip() == says, (command, result.stderr)
    # the trust root is the writer's account's to change (doctor does not run over SSH)
    doctor_over_ssh = d.ssh(d.op1, "tracker doctor --allow-signer store")
    assert doctor_over_ssh.returncode == 1
    assert doctor_over_ssh.stderr.startswith("不允许运行 tracker doctor --allow-signer store。通过 SSH 只能运行 tracker 的这些命令")
    assert keys_file.read_text() == keys_before and d.tip() == tip
