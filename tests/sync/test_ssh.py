"""Sync over real SSH to localhost: the test starts its own sshd on a free port of 127.0.0.1.

Needs Debian's openssh-server (``.ci/run`` installs it); skipped, saying so, only
when ``sshd`` is not installed. The client settings (key, no host-key check)
go in ``GIT_SSH_COMMAND`` for this test only, never into a stored config.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.conftest import Network, git
from tracker.store import Store
from tracker.sync import add_remote, prepare_clone, sync

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").is_file() else None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SSHD is None, reason="sshd 未安装(apt-get install openssh-server);.ci/run 会安装它"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sshd(config: Path, port: int) -> subprocess.Popen[bytes]:
    """Run ``sshd -D -f CONFIG`` and wait until it listens on ``port`` of 127.0.0.1."""
    assert SSHD is not None
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"sshd did not start: {err}")
            time.sleep(0.1)


def writer_sshd_config(folder: Path, port: int, users: list[str], writer: str, *, banner: Path | None = None) -> Path:
    """An sshd config for the README's writer deployment: keys only, ``users`` allowed, the writer's block.

    A new host key goes in ``folder`` beside the config; ``banner``: what an unknown key is shown.
    """
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "host_key")], check=True)
    config = folder / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host_key'}",
        f"PidFile {folder / 'sshd.pid'}", "AuthorizedKeysFile .ssh/authorized_keys",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
        "PermitRootLogin no", "StrictModes yes", "UsePAM no", "AcceptEnv LANG LC_*",
        f"AllowUsers {' '.join(users)}",
        # the README's block for the writer account
        f"Match User {writer}", "    DisableForwarding yes", "    PermitTunnel no",
        *([f"    Banner {banner}"] if banner is not None else []), "",
    ]))
    return config


@pytest.fixture
def sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    """(user, port) of a private sshd that accepts one temporary key; GIT_SSH_COMMAND set for it."""
    folder = tmp_path / "sshd"
    folder.mkdir()
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    os.chmod(folder / "authorized_keys", 0o600)
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {folder / 'host_key'}",
                f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                f"PidFile {folder / 'sshd.pid'}",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UsePAM no",
                "",
            ]
        )
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation folder sshd insists on
    proc = start_sshd(config, port)
    try:
        monkeypatch.setenv(
            "GIT_SSH_COMMAND",
            f"ssh -i {folder / 'client_key'} -o IdentitiesOnly=yes -o BatchMode=yes "
            "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
        )
        yield getpass.getuser(), port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_sync_over_ssh(network: Network, sshd: tuple[str, int]) -> None:
    user, port = sshd
    url = f"ssh://{user}@127.0.0.1:{port}{network.remote}"
    # a site cloned over ssh, then synced with no other set-up
    path = network.root / "over-ssh"
    env = {**os.environ}
    subprocess.run(["git", "clone", "-q", url, str(path)], check=True, env=env, capture_output=True)
    prepare_clone(path)
    site = Store.open(path)
    network.edit(site, 5, "1", "市政府办公室", "status", "done")
    result = sync(site, site.operator("u0", 2019))
    assert result.ok and result.plans[0].went_out == 1
    assert git("rev-parse", "plan/2019", cwd=network.remote).strip() == site.tip(2019)
    # the office adds the same remote by its ssh URL and gets the site's change
    office = network.office
    add_remote(office, office.operator("office", 2019), "viassh", url)
    result = sync(office, office.operator("office", 2019), remote="viassh")
    assert result.ok and result.plans[0].came_in == 1
    assert office.tip(2019) == site.tip(2019)
    assert "GIT_SSH_COMMAND" not in (office.repo.git_dir / "config").read_text()
