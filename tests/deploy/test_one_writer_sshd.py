"""The README's one-writer deployment, done for real: a writer account, the office, operator keys, a private sshd.

Runs as root (CI does): real accounts made with useradd, real ed25519 keys made with
ssh-keygen, sshd on a free port of 127.0.0.1 with StrictModes on, and the tracker in a
venv of the system Python (/usr/bin/python3) that the accounts can run. The steps follow
the README: ``tracker init`` as the writer, ``hook install``, ``operator add --key`` as the
writer (the office as admin) and over SSH by the office; then each operator's key lands
in the TUI, runs allowed commands, is refused anything else, pushes and fetches as itself.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sync.test_ssh import SSHD, free_port, start_sshd, writer_sshd_config
from tests.ui.test_tmux import Tmux
from tracker.service import Change, Service
from tracker.store import Store

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"
TOWN = "营里镇"
OTHER = "市发改局"
BANNER = "未登记的公钥:请把公钥(~/.ssh/id_ed25519.pub)交给管理员"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SSHD is None, reason="sshd 未安装(apt-get install openssh-server);.ci/run 会安装它"),
]


def run(*args: str, check: bool = True, env: dict[str, str] | None = None, cwd: Path | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
                            stdin=subprocess.DEVNULL, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def system_venv() -> Path:
    """A venv of the system Python holding the tracker's dependencies (built once, kept in /var/tmp).

    The tracker itself is not installed there: :func:`launcher` puts this checkout's copy first.
    """
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    version = run(SYSTEM_PYTHON, "--version").stdout.strip()
    tag = hashlib.sha256(json.dumps([version, deps]).encode()).hexdigest()[:12]
    venv = Path(f"/var/tmp/tracker-test-venv-{tag}")
    with open(f"/var/tmp/tracker-test-venv-{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / "ready").exists():
            shutil.rmtree(venv, ignore_errors=True)
            run(SYSTEM_PYTHON, "-m", "venv", str(venv))
            run(str(venv / "bin" / "pip"), "install", "-q", *deps, timeout=600)
            (venv / "ready").touch()
    return venv


def launcher(base: Path, venv: Path) -> Path:
    """``BASE/bin/tracker``: this checkout's tracker (copied where every account can read it) on ``venv``."""
    src = base / "src"
    shutil.copytree(ROOT / "tracker", src / "tracker", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tasks", src / "tasks")  # the bundled plan, where a checkout keeps it
    script = base / "bin" / "tracker"
    script.parent.mkdir()
    script.write_text(
        f"#!{venv}/bin/python\n"
        "import os, sys\n"
        f"sys.path.insert(0, {str(src)!r})\n"
        f"os.environ['PYTHONPATH'] = {str(src)!r}  # the pre-receive hook runs this copy too\n"
        "from tracker.cli import main\n"
        "main()\n"
    )
    script.chmod(0o755)
    for folder in (src, *src.rglob("*")):
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    return script


@dataclass
class Server:
    base: Path
    tracker: Path
    store: Path
    writer: str
    office: str
    port: int
    keys: Path

    def key(self, name: str) -> Path:
        """A fresh ed25519 key pair ``keys/NAME`` (private) and ``keys/NAME.pub``."""
        path = self.keys / name
        if not path.exists():
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop", "-f", str(path))
        return path

    def public(self, name: str) -> str:
        return (self.key(name).with_suffix(".pub")).read_text().strip()

    def ssh_options(self, name: str, log: str = "ERROR") -> list[str]:
        return ["-F", "/dev/null", "-i", str(self.key(name)), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", f"LogLevel={log}",
                "-o", "SendEnv=LANG", "-p", str(self.port)]

    def ssh(self, name: str, user: str, *command: str, log: str = "ERROR") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LANG": "C.UTF-8"}
        return run("ssh", *self.ssh_options(name, log), f"{user}@127.0.0.1", *command, check=False, env=env)

    def as_writer(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``sudo -u zwgk tracker ARGS`` of the README (runuser: no sudo on a bare CI machine)."""
        return run("runuser", "-u", self.writer, "--", str(self.tracker), *args, cwd=self.base)


@pytest.fixture
def server() -> Iterator[Server]:
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能创建测试账号和运行 sshd(CI 以 root 运行此测试)")
    venv = system_venv()
    tag = secrets.token_hex(3)
    writer, office = f"zwgk{tag}", f"ofc{tag}"
    base = Path(tempfile.mkdtemp(prefix="tracker-deploy-", dir="/tmp"))
    base.chmod(0o755)
    proc: subprocess.Popen[bytes] | None = None
    try:
        tracker = launcher(base, venv)
        for account in (writer, office):
            # '*' (no password, not locked): sshd without PAM refuses locked ('!') accounts
            run("useradd", "--create-home", "--home-dir", str(base / account), "--shell", "/bin/sh",
                "--password", "*", account)
        keys = base / "keys"
        keys.mkdir(mode=0o700)
        port = free_port()
        server = Server(base, tracker, base / "srv" / "zwgk", writer, office, port, keys)
        # the office's own account: its own key, no forced command
        ssh_dir = base / office / ".ssh"
        ssh_dir.mkdir(mode=0o700)
        (ssh_dir / "authorized_keys").write_text(server.public("office") + "\n")
        run("chown", "-R", f"{office}:{office}", str(ssh_dir))
        sshd_dir = base / "sshd"
        sshd_dir.mkdir()
        (sshd_dir / "banner").write_text(f"{BANNER},由管理员运行 tracker operator add 账号 --unit 单位 --key '公钥'\n")
        config = writer_sshd_config(sshd_dir, port, [writer, office], writer, banner=sshd_dir / "banner")
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        proc = start_sshd(config, port)
        yield server
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        for account in (writer, office):
            run("userdel", account, check=False)
        shutil.rmtree(base, ignore_errors=True)


def head(store: Path) -> str:
    return run("git", "--git-dir", str(store), "rev-parse", "plan/2019").stdout.strip()


def last_author(store: Path) -> str:
    return run("git", "--git-dir", str(store), "log", "-1", "--format=%ae", "plan/2019").stdout.strip()


def test_the_one_writer_deployment(server: Server, tmp_path: Path) -> None:
    store, writer, office = server.store, server.writer, server.office
    # README steps: the store folder belongs to the writer, which inits it, guards it and adds the office
    run("install", "-d", "-o", writer, "-g", writer, "-m", "0755", str(store))
    server.as_writer("init", str(store), "--bare")
    server.as_writer("hook", "install", str(store))
    server.as_writer("operator", "add", office, "--role", "admin", "--name", "办公室",
                     "--key", server.public("office"), "--repo", str(store))
    added = server.as_writer("operator", "add", "wangfang", "--unit", TOWN, "--name", "王芳",
                             "--key", server.public("wangfang"), "--repo", str(store))
    assert "公钥已写入" in added.stdout
    # the office, as admin over SSH with its own key, adds the second operator
    by_office = server.ssh("office", writer, f"tracker operator add lisi --unit {OTHER} --name 李四 "
                                              f"--key '{server.public('lisi')}'")
    assert by_office.returncode == 0, by_office.stderr
    assert last_author(store) == f"{office}@zwgk.local"
    keys_file = server.base / writer / ".ssh" / "authorized_keys"
    lines = keys_file.read_text().splitlines()
    assert lines[1] == (f'command="{server.tracker} serve --login wangfang --repo {store}",restrict,pty '
                        f"{' '.join(server.public('wangfang').split()[:2])} wangfang")
    assert [line.rsplit(" ", 1)[1] for line in lines] == [office, "wangfang", "lisi"]
    # nothing of the store is writable by anyone but the writer
    writable = [p for p in (store, *store.rglob("*")) if p.stat().st_mode & 0o022 or p.stat().st_uid != os.stat(store).st_uid]
    assert writable == []

    # an operator's CLI over SSH acts as that operator
    listed = server.ssh("wangfang", writer, "tracker", "list", f"'unit:{TOWN}'", "--by", "assignment", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows and all(row["unit"] == TOWN for row in rows)
    req = rows[0]["requirement"]
    before = head(store)
    done = server.ssh("wangfang", writer, f"tracker set {req} --unit {TOWN} --status 推进中 --note '经 SSH 填报'")
    assert done.returncode == 0, done.stderr
    assert last_author(store) == "wangfang@zwgk.local" and head(store) != before
    other = server.ssh("wangfang", writer, f"tracker set 5.1 --unit {OTHER} --status 已完成")
    assert other.returncode == 1 and f"不能修改 {OTHER}" in other.stderr
    for command in ("sh -c id", "id", "tracker init /tmp/x", "scp -t /tmp"):
        refused = server.ssh("wangfang", writer, command)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.startswith(f"不允许运行 {command}。通过 SSH 只能运行 tracker 的这些命令"), refused.stderr
    bad_option = server.ssh("wangfang", writer, "tracker export -o /tmp/x.xlsx")
    assert bad_option.returncode == 1 and "不能使用 -o" in bad_option.stderr

    # the office keeps its shell, and from it can neither write the store nor borrow the door
    shell = server.ssh("office", office, "id -un; echo $0")
    assert shell.returncode == 0 and shell.stdout.split() == [office, "sh"]
    written = head(store)
    direct = server.ssh("office", office, f"{server.tracker} set {req} --unit {TOWN} --note x --repo {store}")
    assert direct.returncode != 0 and head(store) == written
    borrowed = server.ssh("office", office, f"SSH_ORIGINAL_COMMAND='tracker list' {server.tracker} serve --login wangfang --repo {store}")
    assert borrowed.returncode == 1 and borrowed.stdout == ""
    assert borrowed.stderr.startswith(f"{store} 属于账号 {writer},")  # a group member gets past this; act_as refuses
    assert last_author(store) == "wangfang@zwgk.local"

    # an unknown key is refused by sshd, and the banner says how to be added
    unknown = server.ssh("stranger", writer, "tracker list", log="INFO")
    assert unknown.returncode == 255 and "Permission denied (publickey)" in unknown.stderr
    assert BANNER in unknown.stderr

    # the TUI over ssh -tt, as the key's operator
    tmux = Tmux(f"tracker-deploy-{uuid.uuid4().hex[:8]}")
    try:
        tmux.start("env LANG=C.UTF-8 TERM=xterm-256color ssh -tt " + " ".join(server.ssh_options("wangfang"))
                   + f" {writer}@127.0.0.1", 100, 30)
        screen = tmux.wait_for(lambda s: "王芳" in s and f"unit:{TOWN}" in s, "the TUI as 王芳 on 营里镇")
        assert f"王芳 ({TOWN})" in screen
        tmux.step("q")
        deadline = time.monotonic() + 15
        while tmux.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not tmux.alive(), "q did not end the SSH session"
    finally:
        tmux.kill()

    # another site fetches and pushes through the forced command; the hook sees who pushed
    hook = store / "hooks" / "pre-receive"
    hook.rename(hook.with_name("pre-receive.tracker"))
    hook.write_text('#!/bin/sh\necho "pusher=$TRACKER_PUSHER" >&2\nexec "$(dirname "$0")/pre-receive.tracker"\n')
    run("chown", f"{writer}:{writer}", str(hook))
    hook.chmod(0o755)
    site_env = {**os.environ, "GIT_SSH_COMMAND": "ssh " + " ".join(server.ssh_options("wangfang"))}
    site = tmp_path / "site"
    run("git", "clone", "-q", f"ssh://{writer}@127.0.0.1:{server.port}{store}", str(site), env=site_env)
    assert run("git", "-C", str(site), "rev-parse", "origin/plan/2019").stdout.strip() == head(store)
    run("git", "-C", str(site), "checkout", "-q", "-b", "plan/2019", "origin/plan/2019", check=False)
    site_store = Store.open(site)
    task, key = req.split(".")
    Service(site_store, site_store.operator("wangfang", 2019), 2019).apply(
        [Change(int(task), key, TOWN, "evidence", "https://www.shouguang.gov.cn/yl/1.html")])
    pushed = run("git", "-C", str(site), "push", "origin", "plan/2019", env=site_env, check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert "remote: pusher=wangfang" in pushed.stderr
    assert head(store) == site_store.tip(2019)

    # operator remove takes the key away, and only that key
    removed = server.ssh("office", writer, "tracker operator remove lisi")
    assert removed.returncode == 0 and "删除 1 把公钥" in removed.stdout, removed.stderr
    assert [line.rsplit(" ", 1)[1] for line in keys_file.read_text().splitlines()] == [office, "wangfang"]
    gone = server.ssh("lisi", writer, "tracker list")
    assert gone.returncode == 255 and "Permission denied" in gone.stderr
    assert server.ssh("wangfang", writer, "tracker show 5").returncode == 0
    fsck = run("git", "--git-dir", str(store), "fsck", "--no-progress", check=False)
    assert fsck.returncode == 0, fsck.stderr
