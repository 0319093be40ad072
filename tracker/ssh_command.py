"""What an operator's SSH session may run: ``SSH_ORIGINAL_COMMAND`` -> a decision, never a shell.

``tracker serve`` (the forced command of every operator key) asks :func:`decide`:

- no command: the terminal interface;
- ``tracker SUBCOMMAND ...`` (or ``SUBCOMMAND ...``): one of :data:`SUBCOMMANDS`, run in
  the same process as the key's login; options that name a file or another store on
  the server (``--repo``, ``-o``/``--output``) are refused, since the process runs as
  the writer account and could read or overwrite its files;
- ``git-upload-pack PATH`` / ``git-receive-pack PATH`` of this store: fetch and push
  for other sites;
- anything else (``sh -c id``, ``scp``, an unknown sub-command): refused with one line.

The command is split with :mod:`shlex` and handed on as a list; nothing is given to a shell.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from tracker.i18n import t
from tracker.textsafe import clean_line

# Sub-commands whose permission checks live in the core (service, sync, verify) and
# that read and write only the served store.
SUBCOMMANDS = (
    "list", "show", "set", "history", "undo", "export", "report", "remind", "sync", "resolve",
    "remote", "operator", "plan", "verify",
)
GIT_SERVICES = ("git-upload-pack", "git-receive-pack")
_SERVER_PATH_OPTIONS = ("--repo", "--output", "-o")


class Refused(ValueError):
    """A command an SSH session may not run; the message is the one line the user sees."""


@dataclass(frozen=True)
class Interface:
    """Open the terminal interface."""


@dataclass(frozen=True)
class Subcommand:
    """Run ``tracker ARGS`` (``args[0]`` is one of :data:`SUBCOMMANDS`)."""

    args: tuple[str, ...]


@dataclass(frozen=True)
class GitService:
    """Run git's ``service`` (``upload-pack`` or ``receive-pack``) on the store."""

    service: str


Decision = Interface | Subcommand | GitService


def allowed_list() -> str:
    """The sub-commands an SSH session may run, for messages."""
    return " ".join(SUBCOMMANDS)


def decide(original: str | None, store_path: Path, git_dir: Path, home: Path) -> Decision:
    """What to run for ``SSH_ORIGINAL_COMMAND`` ``original`` on the store at ``store_path``.

    Raises:
        Refused: with the line to show (what was refused and what is allowed).
    """
    if original is None or not original.strip():
        return Interface()
    try:
        words = shlex.split(original)
    except ValueError as exc:
        raise Refused(t(f"无法解析命令({exc}): {_shown(original)}", f"cannot parse the command ({exc}): {_shown(original)}")) from None
    if words[0] in GIT_SERVICES:
        if len(words) != 2 or not _same_store(words[1], store_path, git_dir, home):
            raise Refused(t(f"只能同步本数据仓库 {store_path}: {_shown(original)}",
                            f"only this store ({store_path}) can be fetched or pushed: {_shown(original)}"))
        return GitService(words[0].removeprefix("git-"))
    if words[0] == "tracker":
        words = words[1:]
    if not words or words[0] not in SUBCOMMANDS:
        raise Refused(t(
            f"不允许运行 {_shown(original)}。通过 SSH 只能运行 tracker 的这些命令: {allowed_list()};"
            "不带命令登录(ssh -t)打开终端界面",
            f"not allowed: {_shown(original)}. Over SSH only these tracker commands run: {allowed_list()}; "
            "log in without a command (ssh -t) for the interface",
        ))
    for word in words[1:]:
        if word == "--":
            break
        name = word.split("=", 1)[0]
        short_cluster = word.startswith("-") and not word.startswith("--") and "o" in name  # -o, -oFILE, -yo
        if name in _SERVER_PATH_OPTIONS or short_cluster:
            name = "-o" if short_cluster else name
            raise Refused(t(
                f"通过 SSH 不能使用 {name}(它指向服务器上的文件或仓库);输出请重定向到本机,如 ssh ... > 文件",
                f"{name} is not available over SSH (it names a file or store on the server); "
                "redirect the output on your side, e.g. ssh ... > FILE",
            ))
    return Subcommand(tuple(words))


def _same_store(named: str, store_path: Path, git_dir: Path, home: Path) -> bool:
    path = Path(named) if named.startswith("/") else home / named
    for target in (store_path, git_dir):
        try:
            if os.path.samefile(path, target):
                return True
        except OSError:
            continue
    return False


def _shown(text: str) -> str:
    """``text`` safe to echo back: one line, no control characters, not too long."""
    shown = clean_line(text)
    return shown if len(shown) <= 80 else shown[:79] + "…"


__all__ = ["Decision", "GIT_SERVICES", "GitService", "Interface", "Refused", "SUBCOMMANDS", "Subcommand", "decide"]
