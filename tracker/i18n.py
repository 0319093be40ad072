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


# click's and typer's own messages (they call gettext's ``_`` / ``ngettext``): Chinese twins, so that
# `Usage:`, `No such command` and `Missing argument` speak the interface's language too.
_FRAMEWORK_ZH = {
    "Usage:": "用法:",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数: {param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Error": "错误",
    "Error: {message}": "错误: {message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效: {message}",
    "Invalid value: {message}": "值无效: {message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的首字符无效({option})",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数值。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的布尔值,可用: {states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "Choose from:\n\t{choices}": "可选:\n\t{choices}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}: {message}",
    "Value must be an iterable.": "值必须是一个序列。",
    "Aborted!": "已取消!",
    "Aborted.": "已取消。",
    "unknown error": "未知错误",
    "Do you want to continue?": "要继续吗?",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误: 两次输入不一致。",
    "Error: invalid input": "错误: 输入无效",
    "Press any key to continue...": "按任意键继续……",
    "Options": "选项", "Commands": "命令", "Arguments": "参数", "Positional arguments": "位置参数",
    "required": "必填", "deprecated": "已弃用", "(deprecated) ": "(已弃用) ", "(dynamic)": "(动态)",
    "default: {default}": "默认: {default}", "env var: {var}": "环境变量: {var}",
    "[default: {}]": "[默认: {}]", "[env var: {}]": "[环境变量: {}]", "[required]": "[必填]",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Confirm the action without prompting.": "不提示,直接确认。",
    "Try [blue]'{command_path} {help_option}'[/] for help.": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
}
_FRAMEWORK_PLURAL_ZH = {
    "Got unexpected extra argument ({args})": "多余的参数({args})",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值,只给了 {len} 个。",
    "Did you mean {possibility}?": "是不是 {possibility}?",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choices}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {formats}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值,给了 {len_value} 个。",
}
_FRAMEWORK_PLURAL_ZH_MANY = {
    "Got unexpected extra argument ({args})": "多余的参数({args})",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值,给了 {len} 个。",
    "Did you mean {possibility}?": "(是不是以下之一: {possibilities}?)",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choices} 之一。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {formats}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值,给了 {len_value} 个。",
}
# where click and typer keep the gettext functions they call
_FRAMEWORK_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.formatting",
                      "click.decorators", "click.termui", "click.utils", "typer.core", "typer.main",
                      "typer.rich_utils")


def _framework_gettext(message: str) -> str:
    return _FRAMEWORK_ZH.get(message, message) if _framework_lang == 0 else message


def _framework_ngettext(singular: str, plural: str, n: int) -> str:
    if _framework_lang == 0:
        table = _FRAMEWORK_PLURAL_ZH if n == 1 else _FRAMEWORK_PLURAL_ZH_MANY
        if singular in table:
            return table[singular]
    return singular if n == 1 else plural


def _patch_gettext(module: Any) -> None:
    if hasattr(module, "_"):
        module._ = _framework_gettext
    if hasattr(module, "ngettext"):
        module.ngettext = _framework_ngettext


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
    for name in _FRAMEWORK_MODULES:
        loaded = sys.modules.get(name)
        if loaded is not None:
            _patch_gettext(loaded)
    module = sys.modules.get("typer.rich_utils")
    if module is not None:
        _apply_panels(module)
    elif not any(isinstance(f, _PatchRichUtils) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchRichUtils())


_framework_lang = 0


def _apply_panels(module: Any) -> None:
    _patch_gettext(module)
    for name, pair in _PANELS.items():
        if hasattr(module, name):
            setattr(module, name, pair[_framework_lang])


class _PatchRichUtils:
    """Patches typer.rich_utils right after it is first imported.

    A plain meta path finder (any object with ``find_spec``): subclassing
    ``importlib.abc.MetaPathFinder`` would import importlib.resources and tempfile
    (1 ms) into every command's start.
    """

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
