"""Help in Chinese by default, English with --lang en or an English locale; exit codes; completion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tracker import i18n
from tracker.cli import app

runner = CliRunner()
NO_LOCALE = {"TRACKER_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "COLUMNS": "200"}
MY_COMMANDS = ["list", "show", "export", "apply", "set"]


def help_of(*args: str, **env: str | None):  # noqa: ANN201
    return runner.invoke(app, [*args, "--help"], env={**NO_LOCALE, **env})


@pytest.fixture(autouse=True)
def _reset_lang():  # noqa: ANN202
    yield
    i18n.set_lang(None)


def _commands() -> list[str]:
    import click
    import typer.main

    group = typer.main.get_command(app)
    # commands load lazily: ask the group, as click's help does
    return sorted(group.list_commands(click.Context(group)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", MY_COMMANDS)
def test_help_is_chinese_by_default(command: str) -> None:
    result = help_of(command)
    assert result.exit_code == 0
    assert "选项" in result.stdout and "显示此帮助并退出" in result.stdout
    assert "Options" not in result.stdout and "Show this message" not in result.stdout


@pytest.mark.parametrize("command", MY_COMMANDS)
def test_help_in_english_with_lang_anywhere(command: str) -> None:
    after = runner.invoke(app, [command, "--help", "--lang", "en"], env=NO_LOCALE)
    before = runner.invoke(app, ["--lang=en", command, "--help"], env=NO_LOCALE)
    for result in (after, before):
        assert result.exit_code == 0, result.output
        assert "Options" in result.stdout and "Show this message and exit." in result.stdout
        assert "选项" not in result.stdout and "显示此帮助" not in result.stdout
    assert after.stdout == before.stdout


def test_english_locale_switches_and_chinese_locale_does_not() -> None:
    english = help_of("list", LANG="en_US.UTF-8")
    assert "List tasks, requirements" in english.stdout and "output format" in english.stdout
    chinese = help_of("list", LANG="zh_CN.UTF-8")
    assert "列出任务、要求" in chinese.stdout and "输出格式" in chinese.stdout
    assert "List tasks" in help_of("list", LC_ALL="en_GB.UTF-8", LANG="zh_CN.UTF-8").stdout
    assert "列出任务" in help_of("list", LANG="en_US.UTF-8", TRACKER_LANG="zh").stdout


def test_every_command_has_help_in_both_languages() -> None:
    commands = _commands()
    assert set(MY_COMMANDS) <= set(commands)
    for command in commands:
        zh = help_of(command)
        en = runner.invoke(app, [command, "--help", "--lang", "en"], env=NO_LOCALE)
        assert zh.exit_code == 0 and en.exit_code == 0, command
        assert "显示此帮助并退出" in zh.stdout and "Show this message and exit." in en.stdout, command


def test_top_level_help_lists_lang_and_commands() -> None:
    zh = help_of()
    assert "--lang" in zh.stdout and "政务公开任务分工跟踪" in zh.stdout and "命令" in zh.stdout
    en = help_of(LANG="en_US.UTF-8")
    assert "Commands" in en.stdout and "Government disclosure work-plan tracker" in en.stdout


def test_messages_follow_the_language(tmp_path: Path) -> None:
    result = runner.invoke(app, ["list", "--repo", str(tmp_path / "none"), "--lang", "en"], env=NO_LOCALE)
    assert result.exit_code == 1 and result.stderr.startswith("no such store")
    result = runner.invoke(app, ["list", "--repo", str(tmp_path / "none")], env=NO_LOCALE)
    assert result.stderr.startswith("找不到数据仓库")


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["list", "--no-such-option"], env=NO_LOCALE).exit_code == 2
    assert runner.invoke(app, ["no-such-command"], env=NO_LOCALE).exit_code == 2


def test_help_in_english_from_the_real_entry_point() -> None:
    env = {k: v for k, v in os.environ.items() if k not in NO_LOCALE}
    out = subprocess.run([sys.executable, "-m", "tracker.cli", "list", "--help", "--lang", "en"],
                         capture_output=True, text=True, env={**env, "COLUMNS": "120"}, timeout=60)
    assert out.returncode == 0 and "List tasks, requirements" in out.stdout


def test_completion_script_and_install(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in NO_LOCALE}
    shown = subprocess.run([sys.executable, "-m", "tracker.cli", "--show-completion", "bash"],
                           capture_output=True, text=True, env=env, timeout=60)
    assert shown.returncode == 0 and "COMPREPLY" in shown.stdout
    installed = subprocess.run([sys.executable, "-m", "tracker.cli", "--install-completion", "bash"],
                               capture_output=True, text=True, env={**env, "HOME": str(tmp_path)}, timeout=60)
    assert installed.returncode == 0
    assert "completion" in (tmp_path / ".bashrc").read_text()


# ---------------------------------------------------------------- the helper itself


def test_detect_and_strip_lang() -> None:
    assert i18n.detect_lang(["list", "--lang", "en"], {}) == "en"
    assert i18n.detect_lang(["--lang=zh"], {"LANG": "en_US.UTF-8"}) == "zh"
    assert i18n.detect_lang(["--", "--lang", "en"], {}) == "zh"
    assert i18n.detect_lang([], {"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.detect_lang([], {"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    assert i18n.detect_lang([], {}) == "zh"
    assert i18n.strip_lang(["list", "--lang", "en", "x", "--lang=zh", "--", "--lang", "en"]) == \
        ["list", "x", "--", "--lang", "en"]


def test_t_returns_the_current_language_and_translate_swaps() -> None:
    i18n.set_lang("en")
    assert i18n.t("测试文本甲", "test text A") == "test text A"
    i18n.set_lang("zh")
    assert i18n.t("测试文本甲", "test text A") == "测试文本甲"
    assert i18n.translate("测试文本甲", "en") == "test text A"
    assert i18n.translate("test text A", "zh") == "测试文本甲"
    assert i18n.translate("unknown", "en") == "unknown"
