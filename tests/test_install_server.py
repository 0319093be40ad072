"""scripts/install-server.sh: a venv from the system Python under a prefix, a link on PATH, usable by other accounts.

Runs the script as root (as on CI) into a temporary prefix, creates a real Unix account
with useradd, and runs ``tracker --help`` as that account through the link, the way an
operator's login shell finds it. A Python under a private folder is refused with a line
saying why (a venv made from it fails for every other account).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-server.sh"
SYSTEM_PYTHON = Path("/usr/bin/python3")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def public_dir() -> Iterator[Path]:
    """A folder every account can traverse (pytest's own tmp folders are private to root)."""
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能安装到公共目录并创建测试账号(CI 以 root 运行此测试)")
    folder = Path(tempfile.mkdtemp(prefix="zwgk-install-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def account() -> Iterator[str]:
    name = "zwgkinst" + secrets.token_hex(3)
    subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], check=False)


@pytest.fixture(scope="module")
def installed(public_dir: Path) -> Path:
    assert SYSTEM_PYTHON.exists(), "the system Python must be installed (python3 on Debian)"
    prefix, bindir = public_dir / "opt" / "zwgk-tracker", public_dir / "bin"
    done = subprocess.run([str(SCRIPT), "--prefix", str(prefix), "--bin", str(bindir)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{bindir}/tracker -> {prefix}/bin/tracker" in done.stdout
    return bindir


def as_account(account: str, bindir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = ["env", "-i", f"PATH={bindir}:/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/nonexistent"]
    return subprocess.run(["runuser", "-u", account, "--", *env, *args],
                          capture_output=True, text=True, timeout=120)


def test_another_account_runs_tracker_from_its_path(installed: Path, account: str) -> None:
    link = installed / "tracker"
    assert link.is_symlink()
    result = as_account(account, installed, "tracker", "--help")
    assert result.returncode == 0, result.stderr
    assert "政务公开任务分工跟踪" in result.stdout
    english = as_account(account, installed, "tracker", "--lang", "en", "--help")
    assert english.returncode == 0 and "disclosure work-plan tracker" in english.stdout
    # the venv's interpreter is the system one, reachable by everybody
    venv_python = (link.resolve().parent / "python3").resolve()
    assert venv_python == SYSTEM_PYTHON.resolve()


def test_a_python_under_a_private_folder_is_refused(public_dir: Path) -> None:
    private = public_dir / "private-home"
    private.mkdir(mode=0o700)
    python = private / "python3"
    shutil.copy2(SYSTEM_PYTHON.resolve(), python)
    result = subprocess.run([str(SCRIPT), "--prefix", str(public_dir / "never"), "--bin", str(public_dir / "nbin"),
                             "--python", str(python)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "在私人目录" in result.stderr and "a venv made from it fails for other accounts" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (public_dir / "never").exists() and not (public_dir / "nbin").exists()


def test_a_python_older_than_3_11_or_missing_is_refused(public_dir: Path) -> None:
    result = subprocess.run([str(SCRIPT), "--prefix", str(public_dir / "never"), "--python", "/no/python3"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "no Python at /no/python3" in result.stderr
