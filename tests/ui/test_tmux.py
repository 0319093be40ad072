"""Drive the real program in a real terminal (tmux): open at 80x24 on a fresh store, filter
to 营里镇, edit one assignment, quit; the commit is in the store with the right author.

The waits poll the screen (capture-pane) until what a person would wait for appears;
nothing here asserts on how long anything took.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tracker.operators import current_login

TRACKER = Path(sys.executable).with_name("tracker")
TOWN = "营里镇"
URL = "https://www.shouguang.gov.cn/zwgk/yl/0901.html"
NOTE = "已在镇政府网站公开 [/] 全文"


class Tmux:
    """One tmux server of our own (``-L``), so nothing else's sessions are touched."""

    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.session = "tui"

    def run(self, *args: str, check: bool = True) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=check, capture_output=True, text=True
        ).stdout

    def start(self, command: str, width: int, height: int) -> None:
        args = ["tmux", "-L", self.socket, "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                command]
        for _ in range(3):  # a server still exiting from kill() refuses once; a second try finds none
            done = subprocess.run(args, capture_output=True, text=True)
            if done.returncode == 0:
                return
            time.sleep(0.5)
        raise AssertionError(f"tmux new-session failed ({done.returncode}): {done.stderr.strip()}")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session, check=False)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", self.session],
                              capture_output=True).returncode == 0

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if check(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"never saw {what}; the screen was:\n{text}")

    def step(self, *keys: str, literal: bool = False) -> None:
        # A person types one key at a time; give the app a moment to open what a key opens.
        self.keys(*keys, literal=literal)
        time.sleep(0.3)

    def kill(self) -> None:
        """Stop the server and wait until it is gone: a new session started while the old server
        is still exiting fails ("server exited unexpectedly"), as a CI run showed."""
        self.run("kill-server", check=False)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and subprocess.run(
            ["tmux", "-L", self.socket, "list-sessions"], capture_output=True
        ).returncode == 0:
            time.sleep(0.05)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    assert shutil.which("tmux"), "tmux is needed (apt-get install tmux)"
    session = Tmux(f"tracker-test-{uuid.uuid4().hex[:8]}")
    yield session
    session.kill()


def tracker(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run([str(TRACKER), *args], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def git(store: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(store), *args], check=True, capture_output=True, text=True).stdout.strip()


# A shell profile or a test runner may export a stale terminal size; the program must ask
# the terminal instead (the conftest exports COLUMNS=160 too, which hid this before).
STALE_SIZE = "COLUMNS=160 LINES=50"
TREE = "一、扎实做好"  # the first section in the sections tree
TABLE_KEYS = "m 本单位"  # in the key bar only while the table (not the filter input) has focus


def start_store(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    store = tmp_path / "store"
    login = current_login()
    env = {**os.environ, "TRACKER_REPO": str(store), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env.pop("TRACKER_LANG", None)
    tracker("init", str(store), env=env)
    tracker("operator", "add", login, "--unit", TOWN, "--name", "测试员", env=env)
    return store, env, login


def command(store: Path, term: str) -> str:
    return f"env {STALE_SIZE} TERM={term} TRACKER_REPO={store} LANG=C.UTF-8 {TRACKER}"


def quit_program(tmux: Tmux) -> None:
    tmux.step("q")
    deadline = time.monotonic() + 15
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not tmux.alive(), "q did not quit"


def test_the_real_program_in_tmux(tmux: Tmux, tmp_path: Path) -> None:
    store, _env, login = start_store(tmp_path)
    before = git(store, "rev-parse", "plan/2019")

    tmux.start(command(store, "xterm-256color"), 80, 24)
    screen = tmux.wait_for(lambda s: f"unit:{TOWN}" in s and "条" in s, "the main screen on my unit")
    assert TREE not in screen, "the sections tree is hidden below 110 columns"

    # the whole plan, then filter to 营里镇 by typing
    tmux.step("a")
    tmux.wait_for(lambda s: "(无:全部)" in s, "the whole plan")
    tmux.step("/")
    tmux.wait_for(lambda s: TABLE_KEYS not in s, "the filter input focused")
    tmux.step(f"unit:{TOWN}", literal=True)
    tmux.step("Enter")
    screen = tmux.wait_for(lambda s: f"过滤: unit:{TOWN}" in s and TABLE_KEYS in s, "the filter applied, the table focused")
    assert "1.1" in screen and "未启动" in screen and TREE not in screen

    # edit the highlighted requirement's 营里镇 assignment
    tmux.step("e")
    tmux.wait_for(lambda s: f"修改分工 1.1 {TOWN}" in s, "the edit form")
    tmux.step("Enter")
    tmux.wait_for(lambda s: "不适用" in s, "the status list")
    tmux.step("Down")
    tmux.step("Down")
    tmux.step("Enter")
    tmux.wait_for(lambda s: "已完成" in s and "不适用" not in s, "已完成 chosen")
    tmux.step("Tab")
    tmux.step(NOTE, literal=True)
    tmux.wait_for(lambda s: NOTE in s, "the note typed")
    tmux.step("Tab")
    tmux.step(URL, literal=True)
    tmux.wait_for(lambda s: URL in s, "the evidence typed")
    tmux.step("C-s")
    tmux.wait_for(lambda s: "已提交" in s, "the commit notification")
    tmux.wait_for(lambda s: "已完成" in s and "1/33" in s, "the table updated")

    quit_program(tmux)

    assert git(store, "rev-parse", "plan/2019^") == before  # exactly one new commit
    author, email, subject = git(store, "log", "-1", "--format=%an%n%ae%n%s", "plan/2019").split("\n")
    assert author == "测试员" and email.split("@")[0] == login
    assert subject.startswith(f"任务1.1 {TOWN}: 未启动 → 已完成")
    body = git(store, "log", "-1", "--format=%B", "plan/2019")
    assert NOTE in body and f"Operator: {login}" in body
    shown = git(store, "show", "plan/2019:tasks/01.toml")
    assert URL in shown and NOTE in shown


def test_typing_a_filter_tab_and_help_as_a_person_would(tmux: Tmux, tmp_path: Path) -> None:
    """80x24: the filter bar is no prompt until / ; a word typed in the table lands in the filter
    (u, n, t... fire nothing); one Tab reaches the assignment list; ? lists Tab; q quits."""
    store, _env, _login = start_store(tmp_path)
    tmux.start(command(store, "xterm-256color"), 80, 24)
    screen = tmux.wait_for(lambda s: f"unit:{TOWN}" in s and "条" in s, "the main screen on my unit")
    assert "过滤>" not in screen, "the filter bar must not look focused while the table is"

    tmux.step("a")
    tmux.wait_for(lambda s: "(无:全部)" in s and "按 / 输入过滤条件" in s, "the whole plan, the / hint")
    # typed straight into the table, as someone who thinks the filter has the keys
    tmux.step("unit:营里镇 overdue", literal=True)
    screen = tmux.wait_for(lambda s: "过滤>" in s and f"过滤: unit:{TOWN} overdue" in s, "the words in the filter")
    assert "修改历史" not in screen and TREE not in screen  # neither u nor t fired
    tmux.step("Enter")
    screen = tmux.wait_for(lambda s: "过滤>" not in s and TABLE_KEYS in s, "back in the table, prompt gone")
    assert "逾期" in screen

    # one Tab: the assignment list; down picks the next unit, which is not mine: edit says why
    tmux.step("Tab")
    tmux.step("Down")
    tmux.wait_for(lambda s: "只能修改本单位" in s, "the next unit's assignment highlighted in the list")
    tmux.step("BTab")
    tmux.step("Up")

    tmux.step("?")
    screen = tmux.wait_for(lambda s: "按键一览" in s and "tab" in s and "下一栏" in s, "help listing Tab")
    assert "shift+tab" in screen
    tmux.step("Escape")
    tmux.wait_for(lambda s: "按键一览" not in s and TABLE_KEYS in s, "help closed")
    quit_program(tmux)


def test_wide_terminal_linux_console_and_resize(tmux: Tmux, tmp_path: Path) -> None:
    """TERM=linux at 120x40: the tree shows; narrowed to 80 it hides; the form opens and cancels."""
    store, _env, _login = start_store(tmp_path)
    before = git(store, "rev-parse", "plan/2019")
    tmux.start(command(store, "linux"), 120, 40)
    tmux.wait_for(lambda s: f"unit:{TOWN}" in s and "条" in s and TREE in s, "the main screen with the tree")

    tmux.run("resize-window", "-t", tmux.session, "-x", "80", "-y", "24")
    tmux.wait_for(lambda s: TREE not in s and "1.1" in s, "the tree hidden at 80 columns")
    tmux.run("resize-window", "-t", tmux.session, "-x", "120", "-y", "40")
    tmux.wait_for(lambda s: TREE in s, "the tree back at 120 columns")

    tmux.step("e")
    tmux.wait_for(lambda s: f"修改分工 1.1 {TOWN}" in s, "the edit form")
    tmux.step("Escape")
    tmux.wait_for(lambda s: "修改分工" not in s and TABLE_KEYS in s, "the form closed")
    tmux.step("t")
    tmux.wait_for(lambda s: TREE not in s, "t hides the tree")

    quit_program(tmux)
    assert git(store, "rev-parse", "plan/2019") == before  # a cancelled form commits nothing


def test_other_commands_do_not_load_textual() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from tracker.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"
