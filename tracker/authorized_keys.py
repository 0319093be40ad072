"""The writer account's ``~/.ssh/authorized_keys``: one forced-command line per operator key.

In the one-writer deployment operators log in as the service account (``zwgk``) with
their own keys, as on git hosting. Each key's line forces ``tracker serve --login
LOGIN --repo STORE`` (``restrict``, plus ``pty`` for the terminal interface), so the
key, not anything the client sends, decides who acts::

    command="/usr/local/bin/tracker serve --login wangfang --repo /srv/zwgk",restrict,pty ssh-ed25519 AAAA... wangfang

Only lines written here (a ``command="... serve --login ..."``) are ever replaced or
removed; every other line of the file stays byte for byte. The file is found from
the password database (never ``$HOME``) and replaced atomically under a lock.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import os
import pwd
import re
import shlex
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tracker.operators import check_login

KEY_TYPES = (
    "ssh-ed25519",
    "sk-ssh-ed25519@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
)
_COMMAND = re.compile(r'^command="((?:[^"\\]|\\.)*)"')


class KeyRefused(ValueError):
    """A public key or an authorized_keys edit that was refused (the message says why)."""


@dataclass(frozen=True)
class PublicKey:
    """An OpenSSH public key without its comment: ``kind`` and base64 ``data``."""

    kind: str
    data: str

    def __str__(self) -> str:
        return f"{self.kind} {self.data}"


def parse_public_key(text: str) -> PublicKey:
    """``ssh-ed25519 AAAA... comment`` (one line, as in ``id_ed25519.pub``) -> the key.

    The comment is dropped (the line gets the login instead); options before the
    type are refused, since the tracker writes the options itself.

    Raises:
        KeyRefused: naming what is wrong with the key.
    """
    if "\n" in text.strip() or "\r" in text or "\0" in text:
        raise KeyRefused("公钥只能是一行(如 ~/.ssh/id_ed25519.pub 的内容)")
    fields = text.split()
    if len(fields) < 2:
        raise KeyRefused("公钥应为 '类型 base64 [注释]',如 'ssh-ed25519 AAAA... wangfang@pc'")
    kind, data = fields[0], fields[1]
    if kind not in KEY_TYPES:
        raise KeyRefused(f"不认识的公钥类型 {kind[:40]!r}(可用: {', '.join(KEY_TYPES)})")
    try:
        blob = base64.b64decode(data, validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        named = blob[4 : 4 + length].decode("ascii")
    except (binascii.Error, struct.error, UnicodeDecodeError):
        raise KeyRefused("公钥的 base64 部分已损坏") from None
    if named != kind:
        raise KeyRefused(f"公钥类型 {kind} 与其内容({named[:40]!r})不符")
    return PublicKey(kind, data)


def forced_command(tracker: str, login: str, store: Path) -> str:
    """The shell command sshd runs for ``login``'s key (a shell-quoted line)."""
    return shlex.join([tracker, "serve", "--login", check_login(login), "--repo", str(store)])


def key_line(tracker: str, login: str, store: Path, key: PublicKey) -> str:
    """The authorized_keys line for ``login``'s ``key`` (without the newline)."""
    command = forced_command(tracker, login, store)
    if "\n" in command or "\r" in command:
        raise KeyRefused(f"路径不能含换行: {command!r}")
    quoted = command.replace("\\", "\\\\").replace('"', '\\"')
    return f'command="{quoted}",restrict,pty {key} {login}'


def served_login(line: str) -> str | None:
    """The login a line written by :func:`key_line` serves; ``None`` for any other line."""
    match = _COMMAND.match(line)
    if match is None:
        return None
    command = re.sub(r"\\(.)", r"\1", match.group(1))
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) < 4 or words[1] != "serve" or "--login" not in words[2:-1]:
        return None
    return words[words.index("--login", 2) + 1]


def _line_key(line: str) -> str | None:
    """``kind data`` of an authorized_keys line, whatever its options."""
    fields = line.split()
    for i, field in enumerate(fields[:-1]):
        if field in KEY_TYPES:
            return f"{field} {fields[i + 1]}"
    return None


def keys_file(home: Path | None = None) -> Path:
    """``~/.ssh/authorized_keys`` of the account this process runs as (from the password database)."""
    return (home or Path(pwd.getpwuid(os.getuid()).pw_dir)) / ".ssh" / "authorized_keys"


def logins_with_keys(path: Path | None = None) -> dict[str, list[str]]:
    """``{login: [key, ...]}`` of the forced-command lines in ``path``."""
    path = path or keys_file()
    found: dict[str, list[str]] = {}
    for line in _read(path):
        login = served_login(line)
        if login is not None:
            found.setdefault(login, []).append(_line_key(line) or "")
    return found


def add_key(tracker: str, login: str, store: Path, key: PublicKey, path: Path | None = None) -> bool:
    """Give ``login`` the key ``key``; ``False`` when that exact line was already there.

    A login may have several keys (one per computer). A key already serving another
    login, or already in the file without our forced command, is refused: sshd would
    act on the first line it finds.

    Raises:
        KeyRefused: the key belongs to another line.
        OSError: the file cannot be written.
    """
    path = path or keys_file()
    line = key_line(tracker, login, store, key)
    with _locked(path):
        lines = _read(path)
        if line in lines:
            return False
        kept = []
        for old in lines:
            if _line_key(old) == str(key):
                owner = served_login(old)
                if owner != login:
                    whose = f"操作员 {owner}" if owner else "一行不经 tracker 的登录"
                    raise KeyRefused(f"这把公钥已用于{whose}({path}),一把公钥只能对应一个账号")
                continue  # the same key for the same login: replaced (e.g. a new tracker path)
            kept.append(old)
        _write(path, [*kept, line])
    return True


def remove_keys(login: str, path: Path | None = None) -> int:
    """Remove every forced-command line of ``login`` (and nothing else); return how many."""
    path = path or keys_file()
    if not path.exists():
        return 0
    with _locked(path):
        lines = _read(path)
        kept = [line for line in lines if served_login(line) != login]
        if len(kept) != len(lines):
            _write(path, kept)
        return len(lines) - len(kept)


def _read(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []


def _write(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, "".join(f"{line}\n" for line in lines).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # sshd's StrictModes wants ~/.ssh private
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


__all__ = [
    "KEY_TYPES",
    "KeyRefused",
    "PublicKey",
    "add_key",
    "forced_command",
    "key_line",
    "keys_file",
    "logins_with_keys",
    "parse_public_key",
    "remove_keys",
    "served_login",
]
