"""Who may change what: ``tasks/operators.toml`` and the current login.

File format::

    [operators.zhangsan]
    name = "张三"
    units = ["市发改局"]
    role = "operator"      # operator | admin | auditor

The login is the account name the operating system reports for the real uid
(``pwd.getpwuid(os.getuid())``), never ``$USER`` or ``$LOGNAME``, which any
user can set. In the one-writer deployment the SSH forced command (``tracker
serve --login LOGIN``) names the login instead, through :func:`act_as`, which
only the account owning the store may call. An account not listed is a
``guest``: it may read, and is told how to be added.
"""

from __future__ import annotations

import os
import pwd
import re
from dataclasses import dataclass
from pathlib import Path

from tracker.codec import CodecError, _Reader, check_roundtrip, parse_toml
from tracker.textsafe import clean_line

ROLES = ("operator", "admin", "auditor")
ROLE_LABELS = {"operator": "填报员", "admin": "管理员", "auditor": "审计员", "guest": "访客"}
GUEST = "guest"
EMAIL_DOMAIN = "zwgk.local"
_LOGIN = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\$?$", re.IGNORECASE)


def how_to_be_added(login: str) -> str:
    """The sentence an unlisted account is shown."""
    return f"账号 {login} 不在操作员名单中,只能查看。请管理员运行 tracker operator add {login} --unit 单位"


@dataclass(frozen=True)
class Operator:
    """A login account and what it may do."""

    login: str
    name: str
    units: tuple[str, ...] = ()
    role: str = "operator"  # "operator" | "admin" | "auditor" | "guest"

    @property
    def email(self) -> str:
        """The commit e-mail: ``LOGIN@zwgk.local`` (stable, never from user input)."""
        return f"{self.login}@{EMAIL_DOMAIN}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def check_login(login: str) -> str:
    """A login name as Unix accepts it; anything else is refused (it becomes a TOML key and a trailer).

    Raises:
        ValueError: naming the bad login.
    """
    if not _LOGIN.match(login):
        raise ValueError(f"账号名不合法: {login!r}")
    return login


_PARSED: dict[tuple[str, str], dict[str, Operator]] = {}  # (path, text) -> operators; the file changes rarely


def load_operators(text: str, path: str = "tasks/operators.toml") -> dict[str, Operator]:
    """Parse ``tasks/operators.toml`` into ``{login: Operator}`` (a fresh dict; the same text is parsed once).

    Raises:
        CodecError: broken TOML, an unknown role, units that are not a list of names.
    """
    if not text.strip():
        return {}
    known = _PARSED.get((path, text))
    if known is None:
        known = _parse_operators(text, path)
        if len(_PARSED) > 16:
            _PARSED.clear()
        _PARSED[(path, text)] = known
    return dict(known)


def _parse_operators(text: str, path: str) -> dict[str, Operator]:
    data = parse_toml(text, path)
    rd = _Reader(text, path)
    result: dict[str, Operator] = {}
    for login, entry in rd.get(data, ("operators",), dict, {}).items():
        keys = ("operators", login)
        if not isinstance(entry, dict):
            raise rd.fail(keys, f"操作员 {login} 必须是表")
        role = rd.get(entry, (*keys, "role"), str, "operator")
        if role not in ROLES:
            raise rd.fail((*keys, "role"), f"未知角色 {role!r}(可用: {', '.join(ROLES)})")
        result[login] = Operator(
            login=login,
            name=rd.get(entry, (*keys, "name"), str, login) or login,
            units=tuple(rd.str_list(entry, (*keys, "units"))),
            role=role,
        )
    return result


def operator_for(login: str, operators: dict[str, Operator]) -> Operator:
    """The listed operator, or a guest (read only)."""
    return operators.get(login) or Operator(login=login, name=login, units=(), role=GUEST)


def add_operator(text: str, operator: Operator, path: str = "tasks/operators.toml") -> str:
    """``operators.toml`` with ``operator`` added or replaced; other bytes untouched.

    Raises:
        CodecError: when the edit does not read back as meant.
    """
    import tomlkit  # writers only: reading operators stays on tomllib

    check_login(operator.login)
    doc = tomlkit.parse(text) if text.strip() else tomlkit.document()
    if "operators" not in doc:
        if not text.strip():
            doc.add(tomlkit.comment("操作员名单:登录账号 -> 姓名、负责单位、角色(operator 填报员 / admin 管理员 / auditor 审计员)"))
        doc["operators"] = tomlkit.table(is_super_table=True)
    table = tomlkit.table()
    table["name"] = clean_line(operator.name) or operator.login
    units = tomlkit.array()
    units.extend(operator.units)
    table["units"] = units
    table["role"] = operator.role
    doc["operators"][operator.login] = table
    out = tomlkit.dumps(doc)
    intended = parse_toml(text, path) if text.strip() else {}
    intended.setdefault("operators", {})[operator.login] = {
        "name": clean_line(operator.name) or operator.login,
        "units": list(operator.units),
        "role": operator.role,
    }
    check_roundtrip(out, intended, path)
    return out


def remove_operator(text: str, login: str, path: str = "tasks/operators.toml") -> str:
    """``operators.toml`` without ``login``.

    Raises:
        KeyError: when the login is not listed.
    """
    import tomlkit  # writers only: reading operators stays on tomllib

    doc = tomlkit.parse(text)
    ops = doc.get("operators")
    if ops is None or login not in ops:
        raise KeyError(login)
    del ops[login]
    out = tomlkit.dumps(doc)
    intended = parse_toml(text, path)
    del intended["operators"][login]
    check_roundtrip(out, intended, path)
    return out


def _os_login() -> str:
    # Tests replace this function (monkeypatch); nothing a shell user controls reaches it.
    return pwd.getpwuid(os.getuid()).pw_name


_acting: str | None = None  # set once by the SSH forced command; never read from the environment


class NotWriterAccount(PermissionError):
    """The process does not run as the account that owns the store."""


def owns(path: Path) -> bool:
    """Whether this process runs (real and effective uid) as the owner of ``path``."""
    uid = os.getuid()
    return os.geteuid() == uid and path.stat().st_uid == uid


def act_as(login: str, store_dir: Path) -> None:
    """Make ``login`` the acting login of this whole process (``tracker serve`` only).

    Only the writer account, the one owning ``store_dir``, may do this: it could
    write the store under any name anyway, while for any other account the uid
    stays the identity.

    Raises:
        NotWriterAccount: when the process does not own ``store_dir``.
        ValueError: when ``login`` is not a valid login name.
    """
    global _acting
    check_login(login)
    if not owns(store_dir):
        raise NotWriterAccount(
            f"只有数据仓库 {store_dir} 的所有者(写入账号)可以代操作员登录;本账号 {_os_login()} 不是"
        )
    _acting = login


def current_login() -> str:
    """The acting login set by :func:`act_as`, else the login name of the real uid."""
    return _acting or _os_login()


def full_name(login: str) -> str:
    """The account's full name from the password database (GECOS), else the login."""
    try:
        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except KeyError:
        gecos = ""
    return clean_line(gecos) or login


__all__ = [
    "CodecError",
    "GUEST",
    "NotWriterAccount",
    "Operator",
    "ROLES",
    "act_as",
    "add_operator",
    "check_login",
    "current_login",
    "how_to_be_added",
    "load_operators",
    "operator_for",
    "owns",
    "remove_operator",
]
