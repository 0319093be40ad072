"""The README's one-writer deployment, set up once per module for the hostile-operator suite.

Runs as root (CI does). Real accounts made with useradd: the service account ``zwgk…``
that alone owns the store (a bare store with the pre-receive hook, the trust root on:
its own signing key listed in ``tasks/allowed_signers``), the office ``ofc…`` (admin,
with its shell), and two operators ``op1…`` (营里镇) and ``op2…`` (市发改局), each with a
shell of their own on the server and an SSH key that the office added with
``tracker operator add … --key`` over SSH, as the README says. sshd runs on a free port
of 127.0.0.1 with StrictModes on. Each account's ``~/.ssh/config`` names the writer as
``Host zwgk``, so ``ssh zwgk tracker list`` from any of their shells goes through the
forced command with that account's key. Names carry a per-run tag; every account and
group is removed afterwards.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.deploy.test_one_writer_sshd import launcher, run, system_venv
from tests.sync.test_ssh import SSHD, free_port, start_sshd, writer_sshd_config

TOWN = "营里镇"
OTHER = "市发改局"
NAMES = {"op1": "操作员一", "op2": "操作员二"}
UNITS = {"op1": TOWN, "op2": OTHER}


@dataclass
class Deployment:
    """One server: the writer's store, the office, two operators, a private sshd."""

    base: Path
    tracker: Path
    store: Path
    writer: str
    office: str
    op1: str
    op2: str
    group: str  # the office's staff group (office, op1, op2): what a careless chgrp would share with
    port: int
    accounts: list[str] = field(default_factory=list)

    @property
    def bin(self) -> Path:
        return self.tracker.parent

    def home(self, account: str) -> Path:
        return self.base / account

    def shell(self, account: str, command: str, *, check: bool = False, timeout: float = 90,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """``command`` typed into ``account``'s own shell on the server (its home, its PATH with ``tracker``)."""
        home = self.home(account)
        clean = {"HOME": str(home), "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                 "USER": account, "LOGNAME": account, **(env or {})}
        return run("runuser", "-u", account, "--", "env", "-i", *(f"{k}={v}" for k, v in clean.items()),
                   "sh", "-c", command, check=check, cwd=home, timeout=timeout)

    def ssh(self, account: str, command: str, *, check: bool = False) -> subprocess.CompletedProcess[str]:
        """``ssh zwgk COMMAND`` from ``account``'s shell: the writer's forced command, with that account's key."""
        return self.shell(account, f"ssh zwgk {shlex.quote(command)}", check=check)

    def as_writer(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``sudo -u zwgk tracker ARGS --repo STORE`` of the README (runuser: no sudo on a bare CI machine)."""
        return self.shell(self.writer, shlex.join([str(self.tracker), *args]), check=check)

    def git(self, *args: str) -> str:
        """Plain git on the store, read by root (who sees everything, changes nothing)."""
        return run("git", "-c", "safe.directory=*", "--git-dir", str(self.store), *args).stdout.strip()

    def tip(self, branch: str = "plan/2019") -> str:
        return self.git("rev-parse", branch)

    def add_account(self, name: str, *groups: str) -> Path:
        """A new account with a shell and a home under ``base``, removed when the module ends."""
        extra = ["--groups", ",".join(groups)] if groups else []
        # '*' (no password, not locked): sshd without PAM refuses locked ('!') accounts
        run("useradd", "--create-home", "--home-dir", str(self.home(name)), "--shell", "/bin/sh",
            "--password", "*", *extra, name)
        self.accounts.append(name)
        return self.home(name)

    def give_key(self, account: str, host_user: str | None = None, alias: str = "zwgk", port: int | None = None) -> str:
        """An ed25519 key in ``account``'s ``~/.ssh`` and ``Host ALIAS`` naming the writer; its public line."""
        ssh_dir = self.home(account) / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        key = ssh_dir / "id_ed25519"
        if not key.exists():
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{account}@pc", "-f", str(key))
        config = ssh_dir / "config"
        previous = config.read_text() if config.exists() else ""
        config.write_text(previous + "\n".join([
            f"Host {alias}", "    HostName 127.0.0.1", f"    Port {port or self.port}", f"    User {host_user or self.writer}",
            "    IdentityFile ~/.ssh/id_ed25519", "    IdentitiesOnly yes", "    BatchMode yes",
            "    StrictHostKeyChecking no", "    UserKnownHostsFile /dev/null", "    LogLevel ERROR",
            "    SendEnv LANG", "",
        ]))
        run("chown", "-R", f"{account}:{account}", str(ssh_dir))
        return key.with_suffix(".pub").read_text().strip()


def _sshd_config(folder: Path, port: int, deployment: Deployment) -> Path:
    d = deployment
    return writer_sshd_config(folder, port, [d.writer, d.office, d.op1, d.op2], d.writer)


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """The documented deployment, built once for the module (see the module docstring)."""
    if SSHD is None:
        pytest.skip("sshd 未安装(apt-get install openssh-server);.ci/run 会安装它")
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能创建测试账号和运行 sshd(CI 以 root 运行此测试)")
    venv = system_venv()
    tag = secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix="tracker-hostile-", dir="/tmp"))
    base.chmod(0o755)
    group = f"zws{tag}"
    proc: subprocess.Popen[bytes] | None = None
    d = Deployment(base, launcher(base, venv), base / "srv" / "zwgk", f"zwgk{tag}", f"ofc{tag}", f"op1{tag}",
                   f"op2{tag}", group, free_port())
    try:
        run("groupadd", group)
        d.add_account(d.writer)
        for account in (d.office, d.op1, d.op2):
            d.add_account(account, group)
        keys = {account: d.give_key(account) for account in (d.office, d.op1, d.op2)}
        sshd_dir = base / "sshd"
        sshd_dir.mkdir()
        proc = start_sshd(_sshd_config(sshd_dir, d.port, d), d.port)
        # README steps 2 and 3: the writer makes, owns and guards the store; the office is its admin
        store = str(d.store)
        run("install", "-d", "-o", d.writer, "-g", d.writer, "-m", "0755", store)
        d.as_writer("init", store, "--bare")
        d.as_writer("hook", "install", store)
        d.as_writer("operator", "add", d.office, "--role", "admin", "--name", "办公室", "--key", keys[d.office],
                    "--repo", store)
        # the trust root: the store's own key signs, and from now on every commit must be signed by it
        d.as_writer("doctor", "--allow-signer", "store", "--repo", store)
        # README step 4: the office adds the operators over SSH, from its own shell
        for short, account in (("op1", d.op1), ("op2", d.op2)):
            added = d.ssh(d.office, f"tracker operator add {account} --unit {UNITS[short]} --name {NAMES[short]} "
                                    f"--key '{keys[account]}'")
            assert added.returncode == 0, added.stderr
        yield d
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        for account in reversed(d.accounts):
            run("userdel", account, check=False)
        run("groupdel", group, check=False)
        shutil.rmtree(base, ignore_errors=True)
