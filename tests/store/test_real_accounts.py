"""Real Unix accounts writing to one shared store at once (runs as root, e.g. on CI).

Two users are created in a new group, each mapped to units of task 5; two
processes per user each run ``tracker set`` REAL_ACCOUNTS_COUNT times (default 100: 400 commits)
through the CLI's entry point
on different assignments of the same task, at the same time. Every commit must
land, authored by the right account, with ``git fsck`` clean; a user changing
the other's unit is refused. The accounts and group are deleted afterwards.

The tracker runs with the account's uid, gid and groups: through ``runuser``
when the interpreter is reachable by other users, else by a root process that
imports the tracker and then drops to the account (setgroups/setgid/setuid)
before doing anything, which is what ``setpriv`` does.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tracker.service import Service
from tracker.store import Store

COUNT = int(os.environ.get("REAL_ACCOUNTS_COUNT", "100"))
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

DROP = """
import os, sys
sys.path.insert(0, {root!r})
import tracker.cli, tracker.store, tracker.service, tracker.operators, tracker.planio, tracker.codec
import tracker.cli.set_cmd, typer.testing, platformdirs, grp, copy, json, tomllib, decimal, importlib, hashlib
for name in ("pydantic", "typer._adapters", "rich.console", "rich.markup", "shellingham"):
    try:
        importlib.import_module(name)
    except Exception:
        pass
# Warm every lazy import of the command path while files under /root are still reachable.
typer.testing.CliRunner().invoke(tracker.cli.app, ["set", "--help"])
import shutil, tempfile, encodings.ascii, encodings.latin_1
scratch = tempfile.mkdtemp()
shutil.copytree(os.environ["TRACKER_REPO"], scratch + "/s", ignore=shutil.ignore_patterns("tracker-locks", "*.lock"))
typer.testing.CliRunner().invoke(tracker.cli.app, sys.argv[1:], env={{"TRACKER_REPO": scratch + "/s"}})
shutil.rmtree(scratch)
user = {user!r}
import pwd
entry = pwd.getpwnam(user)
os.initgroups(user, entry.pw_gid)
os.setgid(entry.pw_gid)
os.setuid(entry.pw_uid)
os.environ.update(HOME="/", USER="root", LOGNAME="root")  # must not matter: the uid decides
sys.argv = ["tracker", *sys.argv[1:]]
{run}
"""

RUN_ONCE = "tracker.cli.main()"
# One process running `tracker set` COUNT times through the real CLI entry point, as the
# issue's "4 processes x 100": `{i}` in an argument becomes the round number.
RUN_LOOP = """
from tracker.cli import app
for i in range({count}):
    code = app([a.replace("{{i}}", str(i)) for a in sys.argv[1:]], prog_name="tracker", standalone_mode=False)
    if code:
        sys.exit(code)
"""


def _need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能创建测试账号(CI 以 root 运行此测试)")
    for tool in ("useradd", "userdel", "groupadd", "groupdel"):
        if shutil.which(tool) is None:
            pytest.skip(f"没有 {tool}")


def _interpreter_reachable(user: str) -> bool:
    proc = subprocess.run(["runuser", "-u", user, "--", sys.executable, "-c", "import tomlkit, typer"],
                          capture_output=True, check=False)
    return proc.returncode == 0


def _command(user: str, args: list[str], via_runuser: bool, times: int = 0) -> list[str]:
    """Run ``tracker ARGS`` as ``user``: once, or ``times`` times in one process."""
    run = RUN_LOOP.format(count=times) if times else RUN_ONCE
    if via_runuser:
        script = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n{run}"
        return ["runuser", "-u", user, "--", sys.executable, "-c", script, *args]
    return [sys.executable, "-c", DROP.format(root=str(ROOT), user=user, run=run), *args]


def test_two_real_accounts_write_at_once(tmp_path: Path) -> None:
    _need_root()
    tag = secrets.token_hex(3)
    group, users = f"trk{tag}", [f"trka{tag}", f"trkb{tag}"]
    base = Path(tempfile.mkdtemp(prefix="tracker-real-", dir="/tmp"))
    os.chmod(base, 0o755)
    subprocess.run(["groupadd", group], check=True)
    jobs: list[subprocess.Popen[str]] = []
    try:
        for user in users:
            subprocess.run(["useradd", "-M", "-N", "-g", group, "-s", "/bin/sh", user], check=True)
        store = Store.init(base / "srv.git", bare=True, shared_group=group)
        admin = store.operator()
        assert admin.role == "admin"
        req = store.load().plan.tasks[5].requirements[0]
        units = list(req.assignments)[:4]
        Service(store, admin).add_operator(users[0], units[:2], "operator", "甲")
        Service(store, admin).add_operator(users[1], units[2:4], "operator", "乙")
        before = int(store.repo.out("rev-list", "--count", "plan/2019"))
        via_runuser = _interpreter_reachable(users[0])
        env = {**os.environ, "TRACKER_REPO": str(store.path), "PYTHONPATH": str(ROOT)}
        for n, unit in enumerate(units):
            user = users[n // 2]
            command = _command(user, ["set", f"5.{req.key}", "--unit", unit, "--note", f"{user}-{{i}}"], via_runuser, COUNT)
            jobs.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                         start_new_session=True))
        for job in jobs:
            out, err = job.communicate(timeout=600)
            assert job.returncode == 0, err
        after = int(store.repo.out("rev-list", "--count", "plan/2019"))
        assert after == before + 4 * COUNT
        authors = store.repo.out("log", f"-{4 * COUNT}", "--format=%ae", "plan/2019").split()
        assert sorted(set(authors)) == sorted(f"{u}@zwgk.local" for u in users)
        assert authors.count(f"{users[0]}@zwgk.local") == 2 * COUNT
        loaded = store.load()
        for n, unit in enumerate(units):
            notes = [x.text for x in loaded.plan.tasks[5].requirement(req.key).assignments[unit].notes]  # type: ignore[union-attr]
            assert notes == [f"{users[n // 2]}-{i}" for i in range(COUNT)]
        ok, output = store.fsck()
        assert ok, output
        owners = {pwd.getpwuid(p.stat().st_uid).pw_name for p in (store.path / "objects").rglob("*") if p.is_file()}
        assert set(users) <= owners  # the accounts themselves wrote objects
        refused = subprocess.run(
            _command(users[0], ["set", f"5.{req.key}", "--unit", units[2], "--status", "done"], via_runuser),
            env=env, capture_output=True, text=True, check=False,
        )
        assert refused.returncode == 1 and f"不能修改 {units[2]}" in refused.stderr
    finally:
        for job in jobs:
            if job.poll() is None:
                os.killpg(job.pid, signal.SIGKILL)  # the shell and the tracker processes it started
                job.wait()
        for user in users:
            subprocess.run(["userdel", user], check=False, capture_output=True)
        subprocess.run(["groupdel", group], check=False, capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
