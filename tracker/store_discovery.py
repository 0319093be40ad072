"""Which store a command works on when none is named: the option, the environment, the folder, the system setting.

The order: ``--repo PATH``; else ``TRACKER_REPO``; else the store around the
current directory; else the
store the system-wide setting names
(``/etc/zwgk-tracker.toml``, or the file ``TRACKER_CONFIG`` points at)::

    # /etc/zwgk-tracker.toml, written once by the server's admin
    store = "/srv/zwgk"

else the private default store under the user's data directory, if it exists.
When a shared store is configured, a private default store is never made: a
clerk who forgets ``--repo`` works on the shared store, never on a copy nobody
else sees. Nothing is created silently either: only the terminal interface's
first start may create the default store (``create_default=True``), and it says
so; any other command without a store says how to create or name one.

Pure core: no typer, no textual.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracker.git.runner import find_repository
from tracker.i18n import t
from tracker.store import Store, StoreError, default_store_path

SYSTEM_CONFIG = Path("/etc/zwgk-tracker.toml")
CONFIG_ENV = "TRACKER_CONFIG"
REPO_ENV = "TRACKER_REPO"


@dataclass(frozen=True)
class SystemSetting:
    """What the system-wide setting file says (``store`` is None when the file does not exist)."""

    path: Path
    store: Path | None


def config_path() -> Path:
    """The setting file: ``TRACKER_CONFIG`` when set, else ``/etc/zwgk-tracker.toml``."""
    named = os.environ.get(CONFIG_ENV, "").strip()
    return Path(named) if named else SYSTEM_CONFIG


def read_setting(path: Path | None = None) -> SystemSetting:
    """Read the setting file.

    A missing file means no shared store is configured. A file that exists must
    name one: broken TOML or a missing ``store`` key is an error, never ignored.

    Raises:
        StoreError: the file named cannot be read or does not name a store (file and line).
    """
    chosen = path if path is not None else config_path()
    try:
        raw = chosen.read_bytes()
    except FileNotFoundError:
        return SystemSetting(chosen, None)
    except OSError as exc:
        raise StoreError(t(f"无法读取配置文件 {chosen}: {exc.strerror}",
                           f"cannot read the setting file {chosen}: {exc.strerror}")) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StoreError(t(f"{chosen}: 不是有效的 TOML({exc})", f"{chosen}: not valid TOML ({exc})")) from None
    value = data.get("store")
    if not isinstance(value, str) or not value.strip():
        raise StoreError(t(f'{chosen}: 缺少 store = "/数据仓库/路径"', f'{chosen}: missing store = "/path/to/store"'))
    store = Path(value.strip()).expanduser()
    if not store.is_absolute():
        store = chosen.parent / store  # relative to the setting file, never to wherever the clerk stands
    return SystemSetting(chosen, store)


def how_to_get_a_store() -> str:
    """One line: how to create a store or name one, for a command that found none."""
    return t(
        f"还没有数据仓库: 运行 tracker(终端界面首次启动时新建默认仓库 {default_store_path()})或 "
        f'tracker init 路径 新建;共享仓库用 --repo、{REPO_ENV} 或 {SYSTEM_CONFIG}(store = "/srv/zwgk")指明',
        f"no store yet: run tracker (the interface's first start creates the default store "
        f"{default_store_path()}) or tracker init PATH; name a shared store with --repo, {REPO_ENV} "
        f'or {SYSTEM_CONFIG} (store = "/srv/zwgk")',
    )


class NoStoreYet(StoreError):
    """No store is named, none is configured and the default store does not exist yet."""


def configured_or_default(notify: Callable[[str], None] | None = None, *, create_default: bool = False) -> Store:
    """The store the system setting names, else the existing default store.

    :func:`resolve_store` asks this once ``--repo``,
    ``TRACKER_REPO`` and the current directory named no store.

    Args:
        notify: told, in one line, when the default store is created.
        create_default: create the default store when it does not exist (the
            terminal interface's first start); otherwise raise :class:`NoStoreYet`.

    Raises:
        StoreError: the setting is broken or names a store that cannot be opened.
        NoStoreYet: nothing found and ``create_default`` is false (the message says what to do).
    """
    setting = read_setting()
    if setting.store is not None:
        try:
            return Store.open(setting.store)
        except StoreError as exc:
            raise StoreError(t(f"{setting.path} 指定的数据仓库无法打开: {exc}",
                               f"the store named in {setting.path} cannot be opened: {exc}")) from None
    path = default_store_path()
    if path.exists() and any(path.iterdir()):
        return Store.open(path)
    if not create_default:
        raise NoStoreYet(how_to_get_a_store())
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.init(path)
    if notify is not None:
        notify(t(f"已新建默认数据仓库 {path}(随附的 2019 年计划,仅本账号使用);共享仓库请在 {SYSTEM_CONFIG} 中指明",
                 f"created the default store {path} (the bundled 2019 plan, for this account only); "
                 f"name a shared store in {SYSTEM_CONFIG}"))
    return store


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def resolve_store(repo_option: Path | None = None, notify: Callable[[str], None] = _say) -> Store:
    """The store a command works on.

    ``--repo PATH``, else ``TRACKER_REPO``, else the store holding the current
    directory, else :func:`configured_or_default`: the store named in
    ``/etc/zwgk-tracker.toml``, else an existing default store.

    Raises:
        StoreError: when the named store cannot be opened, or there is none yet
            (:class:`NoStoreYet`, saying how to create or name one).
    """
    if repo_option is not None:
        return Store.open(Path(repo_option))
    env = os.environ.get(REPO_ENV, "").strip()
    if env:
        return Store.open(Path(env))
    found = find_repository(Path.cwd())
    if found is not None:
        git_dir, work_tree = found
        try:
            return Store.open(work_tree or git_dir)
        except StoreError:
            pass  # a repository that is not a store (e.g. a source checkout)
    return configured_or_default(notify)
