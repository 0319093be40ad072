"""Every command's and sub-command's help, and click's own messages, in one language at a time.

The walk asks the group for every command (they load lazily) and every sub-command
of a command group, renders ``--help`` in Chinese and in English, and fails on text of
the other language: Han characters in English output (except data: unit names and
query examples such as ``unit:营里镇``), English words in Chinese output (except option
names, metavars, argument names, commands, choices, file names and technical names).
"""

from __future__ import annotations

import re

import click
import pytest
import typer.main
from typer.testing import CliRunner

from tracker.cli import app
from tracker.model import Role, Status
from tracker.planio import bundled_tasks_dir, load_plan_folder
from tracker.query import FIELD_NAMES
from tracker.unit_names import pinyin_initials

runner = CliRunner()
ENV = {"TRACKER_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "COLUMNS": "240"}
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Names a Chinese page keeps as they are: they are typed or read by machines, not translated.
TECHNICAL = {"tracker", "git", "toml", "json", "csv", "xlsx", "html", "docx", "markdown", "table", "utf", "bom",
             "url", "unix", "ssh", "shell", "english", "zh", "en", "lang", "pdf", "txt", "gb18030", "gbk", "lf",
             "crlf", "origin", "ours", "theirs", "all", "none", "unfinished", "pre-receive", "https", "http", "file",
             "operator", "admin", "auditor"}
# The query language's words (unit:, overdue, or, in_progress ...) are syntax shown in examples.
QUERY_WORDS = {name for name in FIELD_NAMES if name.isascii()} | {"overdue", "or", "due-within"} | {
    s.value for s in Status} | {r.value for r in Role}
_REGISTRY = load_plan_folder(bundled_tasks_dir()).registry
DATA = {re.sub(r"[()]", "", name) for name in [*_REGISTRY.units, *_REGISTRY.groups,
                                                *(a for u in _REGISTRY.units.values() for a in u.aliases)]}
# pinyin initials of a unit (fgj = 市发改局) are data too
INITIALS = {i for name in _REGISTRY.units for i in pinyin_initials(name.removeprefix("市"))}


def command_paths() -> list[tuple[list[str], click.Command]]:
    group = typer.main.get_command(app)
    ctx = click.Context(group)
    found: list[tuple[list[str], click.Command]] = [([], group)]
    for name in group.list_commands(ctx):  # type: ignore[attr-defined]
        command = group.get_command(ctx, name)  # type: ignore[attr-defined]
        found.append(([name], command))
        if isinstance(command, click.Group):
            for sub in command.list_commands(click.Context(command)):
                found.append(([name, sub], command.get_command(click.Context(command), sub)))  # type: ignore[arg-type]
    return found


PATHS = command_paths()


def allowed_words(command: click.Command) -> set[str]:
    """Words a Chinese help page of ``command`` may show in ASCII."""
    words = TECHNICAL | QUERY_WORDS | INITIALS
    for path, cmd in PATHS:
        words.update(path)
        del cmd
    for param in command.params:
        words.add((param.name or "").lower())
        choices = getattr(param.type, "choices", None) or []
        words.update(str(c).lower() for c in choices)
        metavar = getattr(param, "metavar", None) or ""
        words.update(part.lower() for part in re.split(r"[|\[\]]", metavar) if part)  # table|json|csv
    return words


def english_in_chinese(text: str, allowed: set[str]) -> list[str]:
    """ASCII words that are not option names, metavars, paths, query terms or allowed names."""
    bad = []
    for token in re.findall(r"(?<![\w./:-])[A-Za-z][\w./:+|<>=-]*", text):
        core = token.rstrip(".:-|")
        if (core.isupper() or any(mark in core for mark in "/._:|=+<>") or any(c.isdigit() for c in core)
                or core.lower() in allowed or core.lower().split("-")[0] in allowed):
            continue
        bad.append(token)
    return bad


def chinese_in_english(text: str) -> list[str]:
    """Runs of text with Han characters that are not data (unit names, query examples)."""
    bad = []
    for token in re.findall(r"\S+", text):
        if not HAN.search(token):
            continue
        bare = re.sub(r"[()]", "", token.strip("\"'[],.;`│"))
        if ":" in bare or bare in DATA:
            continue  # unit:营里镇, section:一, 营里镇, 各镇(街区)
        bad.append(token)
    return bad


def help_text(path: list[str], lang: str) -> str:
    result = runner.invoke(app, [*path, "--help", "--lang", lang], env=ENV)
    assert result.exit_code == 0, (path, result.output)
    return result.stdout


@pytest.mark.parametrize(("path", "command"), PATHS, ids=[" ".join(p) or "tracker" for p, _ in PATHS])
def test_help_speaks_one_language(path: list[str], command: click.Command) -> None:
    zh = help_text(path, "zh")
    en = help_text(path, "en")
    assert "用法:" in zh and "显示此帮助并退出" in zh
    assert "Usage:" in en and "Show this message and exit." in en
    assert english_in_chinese(zh, allowed_words(command)) == [], zh
    assert chinese_in_english(en) == [], en


def test_the_walk_reaches_every_command_and_sub_command() -> None:
    names = {" ".join(p) for p, _ in PATHS}
    assert {"list", "set", "history", "operator add", "operator list", "plan new", "remote add",
            "hook install", "import", "verify"} <= names


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["nosuch"], "没有命令 'nosuch'", "No such command 'nosuch'"),
    (["show"], "缺少参数 'TASK'", "Missing argument 'TASK'"),
    (["list", "--format"], "选项 '--format' 需要一个值", "Option '--format' requires an argument"),
    (["list", "--bogus"], "没有选项 '--bogus'", "No such option '--bogus'"),
    (["history", "--limit", "x"], "的值无效", "Invalid value for"),
])
def test_click_messages_in_both_languages(args: list[str], zh: str, en: str) -> None:
    chinese = runner.invoke(app, args, env=ENV)
    english = runner.invoke(app, [*args, "--lang", "en"], env=ENV)
    assert chinese.exit_code == english.exit_code == 2
    assert zh in chinese.stderr and en in english.stderr
    assert "Usage:" not in chinese.stderr and "Try '" not in chinese.stderr and "Error" not in chinese.stderr
    assert "用法" not in english.stderr and "错误" not in english.stderr


def test_checkers_catch_the_other_language() -> None:
    assert english_in_chinese("列出 all tasks of the plan", {"all"}) == ["tasks", "of", "the", "plan"]
    assert english_in_chinese("输出格式 --format table|json  PATH  unit:营里镇 tasks/units.toml", set()) == []
    assert chinese_in_english("list the tasks 的 unit:营里镇 营里镇 (各镇(街区))") == ["的"]
