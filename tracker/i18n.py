"""Chinese first, English on request: one helper for every CLI string.

Usage in a command module::

    from tracker.i18n import t

    @app.command(help=t("列出任务、要求或单位条目。", "List tasks, requirements or assignments."))
    def list_(fmt: Annotated[str, typer.Option("--format", help=t("输出格式", "output format"))] = "table"):
        ...
        raise_error(t(f"找不到任务 {n}", f"no task {n}"))

``t(zh, en)`` returns the string for the current language and remembers the pair.
Help texts are built when modules are imported, possibly before the language is
known; :func:`localize_command` walks the finished click command tree and swaps every
remembered Chinese text for its English twin (and back), so ``tracker list --help
--lang en`` is English whatever the import order.

The language is English when ``--lang en`` is given, or else when ``TRACKER_LANG``,
``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (the first one set) starts with ``en``;
Chinese otherwise.

Pure core: no typer import (click objects are handled by duck typing).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import inspect
import os
import sys
from collections.abc import Mapping, MutableSequence
from types import SimpleNamespace
from typing import Any

LANGS = ("zh", "en")
_current: str | None = None
_zh_to_en: dict[str, str] = {}
_en_to_zh: dict[str, str] = {}

# Texts of typer/click itself, so that a Chinese help page has no English left in it.
_BUILTIN = {
    "显示此帮助并退出。": "Show this message and exit.",
    "为当前 shell 安装命令补全。": "Install completion for the current shell.",
    "显示当前 shell 的补全脚本,可复制或自行安装。":
        "Show completion for the current shell, to copy it or customize the installation.",
}
_PANELS = {"ARGUMENTS_PANEL_TITLE": ("参数", "Arguments"), "OPTIONS_PANEL_TITLE": ("选项", "Options"),
           "COMMANDS_PANEL_TITLE": ("命令", "Commands"), "ERRORS_PANEL_TITLE": ("错误", "Error"),
           "ABORTED_TEXT": ("已取消。", "Aborted."), "REQUIRED_LONG_STRING": ("[必填]", "[required]"),
           "DEFAULT_STRING": ("[默认: {}]", "[default: {}]"), "ENVVAR_STRING": ("[环境变量: {}]", "[env var: {}]"),
           "RICH_HELP": ("运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
                         "Try [blue]'{command_path} {help_option}'[/] for help.")}


def detect_lang(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``--lang X`` in argv wins; then TRACKER_LANG / LC_ALL / LC_MESSAGES / LANG; default ``zh``."""
    argv = list(argv or [])
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return normalise_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise_lang(arg.split("=", 1)[1])
    env = os.environ if environ is None else environ
    for name in ("TRACKER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def given_lang(argv: list[str]) -> str | None:
    """The value of ``--lang X`` / ``--lang=X`` as typed, or None when not given."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang":
            return argv[i + 1] if i + 1 < len(argv) else ""
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def known_lang(value: str) -> bool:
    """``zh`` / ``en`` and their locale spellings (``en_US.UTF-8``, ``zh_CN``, ``English``, ``中文``)."""
    lowered = value.strip().lower()
    return lowered.startswith(("en", "zh")) or lowered in ("中文", "英文")


def normalise_lang(value: str) -> str:
    """``en``, ``en_US.UTF-8``, ``English`` -> ``en``; anything else -> ``zh``."""
    return "en" if value.strip().lower().startswith("en") else "zh"


def strip_lang(argv: list[str]) -> list[str]:
    """argv without ``--lang X`` / ``--lang=X`` (so it may be given after a sub-command)."""
    out: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            out.extend(argv[i:])
            break
        if arg == "--lang" and i + 1 < len(argv):
            skip = True
            continue
        if arg.startswith("--lang="):
            continue
        out.append(arg)
    return out


def set_lang(lang: str | None) -> None:
    """Fix the language (``zh`` or ``en``); None goes back to detecting it from the environment."""
    global _current
    _current = normalise_lang(lang) if lang else None


def get_lang() -> str:
    """The current language: the one set, else detected from the environment."""
    return _current if _current is not None else detect_lang([])


def is_english() -> bool:
    """True when messages and help should be in English."""
    return get_lang() == "en"


def t(zh: str, en: str) -> str:
    """The text in the current language; the pair is remembered for :func:`localize_command`."""
    for a, b in ((zh, en), (inspect.cleandoc(zh), inspect.cleandoc(en))):
        _zh_to_en[a] = b
        _en_to_zh.setdefault(b, a)
    return en if is_english() else zh


def translate(text: str | None, lang: str | None = None) -> str | None:
    """A remembered text in ``lang`` (default: current); unknown texts come back unchanged."""
    if text is None:
        return None
    lang = lang or get_lang()
    if lang == "en":
        return _zh_to_en.get(text, _BUILTIN.get(text, text))
    return _en_to_zh.get(text, _BUILTIN_EN_TO_ZH.get(text, text))



_BUILTIN_EN_TO_ZH = {en: zh for zh, en in _BUILTIN.items()}


def localize_command(command: Any, lang: str | None = None, _seen: set[int] | None = None) -> None:
    """Swap help texts of a click command tree (commands, groups, options, arguments) into ``lang``.

    Also switches typer's own panel titles (选项 / Options ...) and the ``--help``
    option's text. Safe to call more than once.
    """
    lang = lang or get_lang()
    seen = _seen if _seen is not None else set()
    if id(command) in seen:
        return
    seen.add(id(command))
    for attr in ("help", "short_help", "epilog"):
        value = getattr(command, attr, None)
        if isinstance(value, str):
            setattr(command, attr, translate(value, lang))
    params = getattr(command, "params", None)
    if isinstance(params, MutableSequence):
        for param in params:
            value = getattr(param, "help", None)
            if isinstance(value, str):
                param.help = translate(value, lang)
    _localize_help_option(command, lang)
    commands = getattr(command, "commands", None)
    if isinstance(commands, Mapping):
        for sub in commands.values():
            localize_command(sub, lang, seen)
    if _seen is None:
        _localize_framework(lang)


def _localize_framework(lang: str) -> None:
    """typer's panel titles live in ``typer.rich_utils`` globals.

    That module pulls in rich (~50 ms) and is needed only to print help or an
    error, so it is not imported here: it is patched now if already loaded, else
    the moment typer imports it.
    """
    global _framework_lang
    _framework_lang = 1 if lang == "en" else 0
    module = sys.modules.get("typer.rich_utils")
    if module is not None:
        _apply_panels(module)
    elif not any(isinstance(f, _PatchRichUtils) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchRichUtils())


_framework_lang = 0


def _apply_panels(module: Any) -> None:
    for name, pair in _PANELS.items():
        if hasattr(module, name):
            setattr(module, name, pair[_framework_lang])


class _PatchRichUtils(importlib.abc.MetaPathFinder):
    """Patches typer.rich_utils right after it is first imported."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            _apply_panels(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _localize_help_option(command: Any, lang: str) -> None:
    """click makes the ``--help`` option lazily and caches it: make it now and translate it."""
    getter = getattr(command, "get_help_option", None)
    if getter is None:
        return
    settings = getattr(command, "context_settings", None) or {}
    names = settings.get("help_option_names", ["--help"])
    try:
        option = getter(SimpleNamespace(help_option_names=names))
    except (AttributeError, TypeError):  # another click version: leave its text alone
        return
    if option is not None and isinstance(getattr(option, "help", None), str):
        option.help = translate(option.help, lang)


_LANG_HELP = ("界面语言:zh(中文,默认)或 en(English);也可用英文区域设置(LANG=en_US.UTF-8)。",
              "Language: zh (Chinese, the default) or en; an English locale (LANG=en_US.UTF-8) also works.")


def localized_group_class() -> type:
    """A typer group class that picks the language from argv/env before help is built.

    ``--lang X`` is accepted anywhere on the command line (it is taken out before
    click parses the arguments) and is listed in the top-level help.
    """
    import typer
    from typer.core import TyperGroup

    global _group_class
    if _group_class is not None:
        return _group_class

    def _placeholder(
        lang: str | None = typer.Option(None, "--lang", metavar="zh|en", expose_value=False,
                                        help=t(*_LANG_HELP)),
    ) -> None:
        pass  # pragma: no cover

    dummy = typer.Typer()
    dummy.command()(_placeholder)
    lang_param = typer.main.get_command(dummy).params[0]

    class LocalizedGroup(TyperGroup):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.params.append(lang_param)

        def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
            argv = [str(a) for a in (sys.argv[1:] if args is None else args)]
            set_lang(detect_lang(argv))
            localize_command(self)
            typed = given_lang(argv)
            if typed is not None and not known_lang(typed):
                # a language we do not have is refused, not silently shown in Chinese
                print(f"--lang 只能是 zh 或 en,不是 {typed!r} / --lang must be zh or en, not {typed!r}",
                      file=sys.stderr)
                if kwargs.get("standalone_mode", True):
                    sys.exit(2)
                raise click_usage_exit()
            return super().main(strip_lang(argv), *rest, **kwargs)

    _group_class = LocalizedGroup
    return LocalizedGroup


_group_class: type | None = None


def click_usage_exit() -> BaseException:
    """click's own exit with the usage-error code, for ``standalone_mode=False`` callers."""
    import click

    return click.exceptions.Exit(2)
