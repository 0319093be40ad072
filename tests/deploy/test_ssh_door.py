"""The writer account's SSH door without sshd: keys, forced-command lines, what a session may run, who acts.

``tracker serve`` runs here as a real process with ``SSH_ORIGINAL_COMMAND`` set as sshd
would set it; the whole procedure through a real sshd is in ``test_one_writer_sshd.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker import authorized_keys, operators, ssh_command
from tracker.authorized_keys import KeyRefused, PublicKey
from tracker.store import Store

TRACKER = str(Path(sys.executable).with_name("tracker"))
TOWN = "营里镇"


@pytest.fixture(scope="module")
def public_key(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "wang@pc", "-f", str(folder / "k")], check=True)
    return (folder / "k.pub").read_text().strip()


def test_a_public_key_is_read_without_its_comment(public_key: str) -> None:
    key = authorized_keys.parse_public_key(public_key + "\n")
    assert str(key) == " ".join(public_key.split()[:2])
    kind, data = str(key).split()
    for bad, says in [
        ("", "类型 base64"),
        (f'command="sh" {public_key}', "不认识的公钥类型"),
        (f"{kind} {data}\n{kind} {data}", "只能是一行"),
        (f"{kind} {data[:-8]}!!!!!!!!", "已损坏"),
        (f"ssh-rsa {data}", "不符"),
    ]:
        with pytest.raises(KeyRefused, match=says):
            authorized_keys.parse_public_key(bad)


@given(st.text(max_size=200))
def test_any_text_is_a_key_or_one_refusal(text: str) -> None:
    try:
        key = authorized_keys.parse_public_key(text)
    except KeyRefused as exc:
        assert "\n" not in str(exc)
    else:
        assert key.kind in authorized_keys.KEY_TYPES


@given(
    login=st.from_regex(r"[a-z_][a-z0-9_.-]{0,20}", fullmatch=True),
    folder=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
)
def test_the_forced_command_line_carries_its_login(login: str, folder: str) -> None:
    store = Path("/srv") / folder.replace("/", "_")
    line = authorized_keys.key_line("/usr/local/bin/tracker", login, store, PublicKey("ssh-ed25519", "AAAAC3Nz"))
    assert "\n" not in line and line.endswith(f" ssh-ed25519 AAAAC3Nz {login}")
    assert line.startswith('command="/usr/local/bin/tracker serve --login ') and ',restrict,pty ' in line
    assert authorized_keys.served_login(line) == login


def test_the_line_for_a_plain_store() -> None:
    line = authorized_keys.key_line("/usr/local/bin/tracker", "wangfang", Path("/srv/zwgk"), PublicKey("ssh-ed25519", "AAAA"))
    assert line == ('command="/usr/local/bin/tracker serve --login wangfang --repo /srv/zwgk",restrict,pty '
                    "ssh-ed25519 AAAA wangfang")


def test_keys_are_added_and_removed_leaving_other_lines_alone(tmp_path: Path, public_key: str) -> None:
    path = tmp_path / "home" / ".ssh" / "authorized_keys"
    path.parent.mkdir(parents=True)
    foreign = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther admin@laptop   # kept byte for byte"
    path.write_text(foreign + "\n")
    key = authorized_keys.parse_public_key(public_key)
    store = Path("/srv/zwgk")
    assert authorized_keys.add_key("/t/tracker", "wangfang", store, key, path)
    assert not authorized_keys.add_key("/t/tracker", "wangfang", store, key, path)  # the same line once
    with pytest.raises(KeyRefused, match="操作员 wangfang"):
        authorized_keys.add_key("/t/tracker", "lisi", store, key, path)
    other = PublicKey("ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAISecond")
    authorized_keys.add_key("/t/tracker", "wangfang", store, other, path)
    assert authorized_keys.logins_with_keys(path) == {"wangfang": [str(key), str(other)]}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    fresh = tmp_path / "fresh" / ".ssh" / "authorized_keys"
    fresh.parent.parent.mkdir()
    authorized_keys.add_key("/t/tracker", "wangfang", store, key, fresh)
    assert oct(fresh.parent.stat().st_mode & 0o777) == "0o700"  # sshd's StrictModes
    assert authorized_keys.remove_keys("lisi", path) == 0
    assert authorized_keys.remove_keys("wangfang", path) == 2
    assert path.read_text() == foreign + "\n"
    # a key already in the file without a forced command is not taken over
    path.write_text(f"{key} admin-shell\n")
    with pytest.raises(KeyRefused, match="不经 tracker"):
        authorized_keys.add_key("/t/tracker", "wangfang", store, key, path)


def test_what_a_session_may_run(bare_store: Store, tmp_path: Path) -> None:
    path, git_dir = bare_store.path, bare_store.repo.git_dir

    def decide(command: str | None) -> ssh_command.Decision:
        return ssh_command.decide(command, path, git_dir, tmp_path)

    assert decide(None) == ssh_command.Interface() == decide("  ")
    assert decide("tracker list 'unit:营里镇 overdue' --format json") == ssh_command.Subcommand(
        ("list", "unit:营里镇 overdue", "--format", "json"))
    assert decide("show 5") == ssh_command.Subcommand(("show", "5"))
    assert decide(f"git-receive-pack '{path}'") == ssh_command.GitService("receive-pack")
    assert decide(f"git-upload-pack {path}/") == ssh_command.GitService("upload-pack")
    refusals = {
        "sh -c id": "不允许运行 sh -c id",
        "tracker init /tmp/x": "只能运行 tracker 的这些命令",
        "tracker serve --login admin": "不允许运行",
        "tracker apply /etc/shadow": "不允许运行",
        "bash": "不允许运行",
        "tracker list --repo /home/x/evil": "不能使用 --repo",
        "tracker report --repo=/x": "不能使用 --repo",
        "tracker export -o /var/lib/zwgk/.ssh/authorized_keys": "不能使用 -o",
        "tracker export -o/x": "不能使用 -o",
        "tracker set 5 -yo /x": "不能使用 -o",
        "tracker report --output=/x": "不能使用 --output",
        "git-upload-pack '/etc'": "只能同步本数据仓库",
        f"git-receive-pack '{path}' extra": "只能同步本数据仓库",
        "tracker list 'unclosed": "无法解析命令",
    }
    for command, says in refusals.items():
        with pytest.raises(ssh_command.Refused, match=says) as caught:
            decide(command)
        assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)
    with pytest.raises(ssh_command.Refused) as caught:
        decide("rm -rf / \x1b[2J\x9b")
    assert "\x1b" not in str(caught.value) and "\x9b" not in str(caught.value)


def test_only_the_owner_of_the_store_can_act_as_another_login(bare_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operators, "_acting", None)
    me = operators.current_login()
    for name in ("TRACKER_LOGIN", "TRACKER_PUSHER", "USER", "LOGNAME", "SUDO_USER"):
        monkeypatch.setenv(name, "admin")
    assert operators.current_login() == me  # no environment variable names the acting login
    git_dir = bare_store.repo.git_dir
    os.chown(git_dir, 65534, 65534)  # the store now belongs to another account (nobody)
    try:
        with pytest.raises(operators.NotWriterAccount, match="所有者"):
            operators.act_as("admin", git_dir)
        assert operators.current_login() == me
    finally:
        os.chown(git_dir, os.getuid(), os.getgid())
    with pytest.raises(ValueError, match="账号名不合法"):
        operators.act_as("-evil", git_dir)
    operators.act_as("admin", git_dir)
    assert operators.current_login() == "admin"


def serve(store: Store, login: str, command: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SSH_ORIGINAL_COMMAND"}
    if command is not None:
        env["SSH_ORIGINAL_COMMAND"] = command
    return subprocess.run([TRACKER, "serve", "--login", login, "--repo", str(store.path)], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


def test_serve_runs_commands_as_the_keys_login(bare_store: Store, units: list[str]) -> None:
    from tests.conftest import login_for_unit

    login = login_for_unit(units, TOWN)
    town_req = next(f"{n}.{r.key}" for n, task in bare_store.load().plan.tasks.items()
                    for r in task.requirements if TOWN in r.assignments)
    done = serve(bare_store, login, f"tracker set {town_req} --unit {TOWN} --note 'over ssh'")
    assert done.returncode == 0, done.stderr
    assert bare_store.repo.out("log", "-1", "--format=%an|%ae", "plan/2019").strip().endswith(f"|{login}@zwgk.local")
    other = next(u for u in bare_store.load().plan.tasks[5].requirements[0].assignments if u != TOWN)
    refused = serve(bare_store, login, f"tracker set 5.1 --unit {other} --status done")
    assert refused.returncode == 1 and f"不能修改 {other}" in refused.stderr
    shell = serve(bare_store, login, "sh -c id")
    assert shell.returncode == 1 and shell.stdout == "" and shell.stderr.startswith("不允许运行 sh -c id。")
    tty = serve(bare_store, login, None)
    assert tty.returncode == 1 and "ssh -t" in tty.stderr
    stranger = serve(bare_store, "zhaoliu", "tracker list")
    assert stranger.returncode == 1 and stranger.stdout == ""
    assert stranger.stderr.strip() == ("账号 zhaoliu 的公钥已登记,但不在 2019 年计划的操作员名单中。"
                                       "请管理员运行: tracker operator add zhaoliu --unit 单位")


def test_serve_refuses_an_account_that_does_not_own_the_store(bare_store: Store) -> None:
    git_dir = bare_store.repo.git_dir
    os.chown(git_dir, 65534, 65534)
    try:
        result = serve(bare_store, "admin", "tracker list")
    finally:
        os.chown(git_dir, os.getuid(), os.getgid())
    assert result.returncode == 1 and result.stdout == ""
    assert "只有数据仓库" in result.stderr and "所有者(写入账号)" in result.stderr


@given(st.lists(st.one_of(st.sampled_from(["tracker", "list", "set", "sh", "-c", "--repo", "-o", "--output=x", "-yo",
                                           "--", "git-receive-pack", "/etc", "5.1", "--note"]), st.text(max_size=12)),
                max_size=6))
def test_no_command_reaches_a_shell_or_a_server_path(words: list[str]) -> None:
    import shlex

    original = shlex.join(words)
    try:
        decision = ssh_command.decide(original, Path("/nonexistent/store"), Path("/nonexistent/store"), Path("/"))
    except ssh_command.Refused as exc:
        assert "\n" not in str(exc)
        return
    if isinstance(decision, ssh_command.Subcommand):
        assert decision.args[0] in ssh_command.SUBCOMMANDS
        options = decision.args[: decision.args.index("--")] if "--" in decision.args else decision.args
        assert not any(a.split("=")[0] in ("--repo", "--output") or (a.startswith("-o")) for a in options)
    else:
        assert decision == ssh_command.Interface() and not original.strip()
