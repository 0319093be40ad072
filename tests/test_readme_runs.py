"""The README is run, not read: every command line of its code blocks runs as written.

A fresh copy of the repository (the files a clone holds, no virtual environment) in a
scratch home; then, in the README's order:

- the first command (install + interface) runs in a real terminal (tmux): it must open the
  interface on the default store it creates, and say so;
- ``. .venv/bin/activate`` and every other command run in bash in that copy, each one exactly
  as the README prints it (after the activation line, which is itself a README line), and
  must exit 0;
- ``tracker`` without a command (the interface) runs in tmux: it must open, then ``q`` quits;
- the second command (install + tests) is what ``.ci/run`` runs (tests/test_readme.py checks
  that), so it is not run again from inside the tests.

The deployment section's commands administer a server (``sudo``, accounts, /etc, /opt, /srv):
:func:`test_the_deployment_runs_as_written_and_keeps_the_office_shell` runs them as root in a
private mount namespace whose /etc, /opt, /usr/local, /srv, /home and /var are overlays, then
checks what they promise (the writer account alone owns the store, the office keeps its shell per
``sshd -T``). The lines that carry a person's public key (``'ssh-ed25519 AAAA...'``) or reach the
server over SSH (``ssh zwgk@server``, ``git clone ssh://...``) cannot run as printed anywhere but a
real site: tests/deploy/test_one_writer_sshd.py runs each of them with real keys against a real sshd.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ui.test_tmux import Tmux, tmux  # noqa: F401  (the suite's own tmux driver and its fixture)

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEPLOYMENT = "## 部署:操作员通过 SSH 使用"
COMMAND_WORDS = ("tracker", ".venv/bin/", "python3 ", "git ", ". ", "cd ", "sudo ", "echo ", "scripts/")
ACTIVATE = ". .venv/bin/activate"

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Command:
    line: int  # 1-based line of README.md
    text: str  # the command, as written (a trailing ``# comment`` is the shell's comment)
    section: str

    @property
    def opens_interface(self) -> bool:
        """``tracker`` without a sub-command (only global options) opens the terminal interface."""
        if self.text.startswith("python3 -m venv") and self.text.endswith(".venv/bin/tracker"):
            return True
        words = shlex.split(self.text, comments=True)
        if not words or words[0] != "tracker":
            return False
        rest = words[1:]
        while rest and rest[0] in ("--plan", "--lang", "--repo"):
            rest = rest[2:]
        return not rest


def readme_commands() -> list[Command]:
    """Every command line of the README's indented code blocks, with its line and section."""
    found = []
    section = ""
    for number, raw in enumerate(README.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("## "):
            section = raw
        if not raw.startswith("    ") or not raw.strip():
            continue
        text = raw.strip()
        if text.startswith(COMMAND_WORDS):
            found.append(Command(number, text, section))
    return found


COMMANDS = readme_commands()


def test_the_extraction_finds_the_readme_commands() -> None:
    texts = [c.text for c in COMMANDS]
    assert COMMANDS[0].line == 3 and COMMANDS[1].line == 4
    assert ACTIVATE in texts
    assert any(t.startswith("tracker set 5..9") for t in texts)
    assert any(t.startswith("tracker import tests/data/shouguang-2019.txt") for t in texts)
    assert len(COMMANDS) > 50


def test_examples_use_files_the_repository_ships() -> None:
    for command in COMMANDS:
        assert "../shared" not in command.text, command
        for word in shlex.split(command.text, comments=True):
            if word.startswith(("tests/", "tasks/", "scripts/")):
                assert (ROOT / word).exists(), (command, word)


# --------------------------------------------------------------------------- the run


def run_in_terminal(term: Tmux, script: str, wait_for: str, timeout: float) -> str:
    """Run ``script`` in a fresh 100x30 terminal; wait until ``wait_for`` shows; q; return the last screen."""
    term.kill()
    done = "@@README-DONE"
    term.start(f"bash -c {shlex.quote(f'{script}; echo {done} $?; sleep 600')}", 100, 30)
    term.wait_for(lambda s: wait_for in s, f"{wait_for!r} after {script!r}", timeout)
    term.keys("q")
    return term.wait_for(lambda s: done in s, "the command to end after q", 30)


def fresh_copy(target: Path) -> Path:
    """The files a clone of this repository holds (tracked and new, not ignored), as a git repository."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard", "-z"],
                            check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    return target


def test_every_readme_command_runs_as_written(tmp_path: Path, tmux: Tmux) -> None:  # noqa: F811
    clone = fresh_copy(tmp_path / "zwgk-tracker")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"], "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8", "TERM": "xterm-256color", "COLUMNS": "100",
        "TRACKER_CONFIG": str(tmp_path / "no-system-setting.toml"),  # the machine's /etc must not matter
    }
    # The scratch home hides the real one: keep what this machine needs to reach its package index
    # and its python3 (a mirror in pip's user config, pyenv's shims); on CI neither is set.
    env.update({k: v for k, v in os.environ.items() if k.startswith(("PIP_", "PYENV_"))})
    user_pip = Path.home() / ".config" / "pip" / "pip.conf"
    if "PIP_CONFIG_FILE" not in env and user_pip.is_file():
        env["PIP_CONFIG_FILE"] = str(user_pip)
    if "PYENV_ROOT" not in env and (Path.home() / ".pyenv").is_dir():
        env["PYENV_ROOT"] = str(Path.home() / ".pyenv")
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    cwd = clone
    prefix = ""  # the README's own activation line, once it has run
    ran = 0
    for command in COMMANDS:
        if command.section.startswith(DEPLOYMENT):
            continue  # administers a server: see test_the_deployment_runs_as_written_and_keeps_the_office_shell
        if command.line == 4:
            continue  # the test command itself: .ci/run runs it
        if command.opens_interface:
            first = command.line == 3
            script = f"cd {shlex.quote(str(cwd))} && export {exports} && {prefix}{command.text}"
            screen = run_in_terminal(tmux, script, "寿光市2019年政务公开重点工作任务分工", 600 if first else 180)
            assert "@@README-DONE 0" in screen, (command, screen)
            if first:
                unwrapped = screen.replace("\n", "")  # the terminal wraps the long path
                assert "已新建默认数据仓库" in screen and str(home / "data") in unwrapped, screen
            ran += 1
            continue
        script = f"{prefix}{command.text}\npwd > {shlex.quote(str(tmp_path / 'cwd'))}"
        done = subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"README.md:{command.line}: {command.text}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, (command, done.stderr)
        cwd = Path((tmp_path / "cwd").read_text().strip())
        if command.text == ACTIVATE:
            prefix = ACTIVATE + " && "
        ran += 1
    assert ran == len([c for c in COMMANDS if not c.section.startswith(DEPLOYMENT)]) - 1
    # what the examples promised happened, in the default store they created
    store = home / "data" / "zwgk-tracker" / "store"
    log = subprocess.run(["git", "-C", str(store), "log", "--format=%s", "plan/2019"],
                         capture_output=True, text=True, check=True).stdout
    assert "任务6.1 营里镇: 未启动 → 已完成" in log and "撤销" in log
    assert (clone / "营里镇.xlsx").is_file() and (clone / "报告.html").is_file() and (clone / "plan2020").is_dir()


# ------------------------------------------------------------------ the deployment section

# The deployment commands change the machine (accounts, /etc, /opt, /srv, /usr/local): they run as root
# in a private mount namespace where those folders are overlays, so the real ones never change.
OVERLAID = ("/etc", "/opt", "/usr/local", "/srv", "/home", "/var")
# The README writes `sudo`; a root shell without sudo installed gets a stand-in that does the same.
SUDO_SHIM = """
if ! command -v sudo >/dev/null 2>&1; then
  sudo() {
    local user=
    while [[ ${1:-} == -* ]]; do case $1 in -u) user=$2; shift 2 ;; *) shift ;; esac; done
    if [[ -n $user ]]; then runuser -u "$user" -- "$@"; else "$@"; fi
  }
fi
"""


# A person's key or the server's address: run with real keys by tests/deploy/test_one_writer_sshd.py.
SITE_SPECIFIC = ("AAAA...", "zwgk@server")


def deployment_commands() -> list[Command]:
    return [c for c in COMMANDS if c.section.startswith(DEPLOYMENT) and not any(w in c.text for w in SITE_SPECIFIC)]


def test_the_site_specific_deployment_lines_are_the_ones_the_sshd_test_runs() -> None:
    left = [c.text for c in COMMANDS if c.section.startswith(DEPLOYMENT) and c not in deployment_commands()]
    assert left and all(any(w in t for w in SITE_SPECIFIC) for t in left)
    sshd_test = (ROOT / "tests" / "deploy" / "test_one_writer_sshd.py").read_text(encoding="utf-8")
    assert "operator" in sshd_test and "add" in sshd_test and "--key" in sshd_test and "git" in sshd_test


def sshd_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text[text.index("       Match User zwgk"):].split("\n\n")[0]
    return [line.strip() for line in block.splitlines() if not line.strip().startswith("Banner")]


def test_the_deployment_runs_as_written_and_keeps_the_office_shell(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("需要 root(CI 以 root 运行):部署命令要建账号、写 /etc、/opt、/srv")
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    assert Path(sshd).exists(), "openssh-server is needed (apt-get install openssh-server)"
    public = Path(tempfile.mkdtemp(prefix="zwgk-deploy-", dir="/tmp"))  # other accounts must reach the clone
    try:
        public.chmod(0o755)
        clone = fresh_copy(public / "zwgk-tracker")
        subprocess.run(["chmod", "-R", "a+rX", str(public)], check=True)
        key = public / "host_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        (public / "sshd_config").write_text(f"HostKey {key}\nUsePAM no\n" + "\n".join(sshd_block()) + "\n")
        steps = [
            # the precondition the README states: the office has its own account
            "useradd -m -s /bin/bash office",
            *(c.text for c in deployment_commands()),
            # what the deployment promised
            # the writer account alone owns the store: nothing in it is group- or world-writable
            "test \"$(stat -c %U /srv/zwgk)\" = zwgk",
            "test -z \"$(find /srv/zwgk -perm /022 ! -type l -print -quit)\"",
            "runuser -u zwgk -- tracker operator list --repo /srv/zwgk --format csv | grep admin > /dev/null",
            # sshd takes the drop-in; the writer account is key-only, with no forwarding
            f"{sshd} -T -f {public}/sshd_config -C user=zwgk,host=h,addr=127.0.0.1 | grep -ix 'passwordauthentication no' > /dev/null",
            # the office keeps its shell: no forced command anywhere in sshd's settings
            f"{sshd} -T -f {public}/sshd_config -C user=office,host=h,addr=127.0.0.1 | grep -ix 'forcecommand none' > /dev/null",
        ]
        mounts = "\n".join(
            f"mkdir -p {public}/ov{i}/u {public}/ov{i}/w && "
            f"mount -t overlay overlay -o lowerdir={d},upperdir={public}/ov{i}/u,workdir={public}/ov{i}/w {d}"
            for i, d in enumerate(OVERLAID))
        # each step on lines of its own: a README comment (# ...) must not swallow the redirection
        body = "\n".join(f"echo {shlex.quote(f'@@ {step}')} >> {public}/log\n{{\n{step}\n}} >> {public}/log 2>&1 || "
                         f"{{ echo \"@@ failed with $?\" >> {public}/log; exit 1; }}" for step in steps)
        script = f"set -uo pipefail\n{mounts}\n{SUDO_SHIM}\ncd {clone}\n{body}\n"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "XDG_"))}
        env.update(LANG="C.UTF-8", PATH="/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "--fork", "bash", "-c", script],
                              env=env, capture_output=True, text=True, timeout=900)
        log = (public / "log").read_text() if (public / "log").exists() else ""
        assert done.returncode == 0, f"{done.stderr}\n{log[-4000:]}"
        assert "已新建裸数据仓库 /srv/zwgk" in log and "管理员 zwgk" in log
        # nothing of it reached the real machine
        assert not Path("/srv/zwgk").exists() and not Path("/var/lib/zwgk").exists()
    finally:
        subprocess.run(["rm", "-rf", str(public)], check=False)
