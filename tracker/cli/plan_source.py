"""What the listing commands share: where the plan comes from, ``--as-of``, errors and output.

The plan comes from the store (``--repo``, ``TRACKER_REPO``, the current directory,
the default store) or, when ``--repo`` / ``TRACKER_REPO`` names a plain folder of
task files (no git), straight from that folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from tracker.codec import PLAN_FILE, CodecError
from tracker.i18n import t
from tracker.planio import LoadedPlan, load_plan_folder
from tracker.query import MatchContext, Query, QueryError, parse
from tracker.textsafe import clean_data, clean_output

if TYPE_CHECKING:
    from tracker.store import Store

FORMATS = ("table", "json", "csv")

RepoOption = Annotated[
    Path | None,
    typer.Option("--repo", metavar="PATH", show_default=False,
                 help=t("数据仓库或任务文件夹(默认: TRACKER_REPO、当前目录所在仓库、/etc/zwgk-tracker.toml "
                        "指定的仓库、默认仓库)",
                        "store or folder of task files (default: TRACKER_REPO, the store around the "
                        "current directory, the store /etc/zwgk-tracker.toml names, the default store)")),
]
PlanOption = Annotated[
    int | None,
    typer.Option("--plan", metavar="YEAR", show_default=False,
                 help=t("计划年度(默认: 最新的年度)", "plan year (default: the newest)")),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", show_default=False,
                 help=t("把这一天当作“今天”计算逾期(如 2019-09-01)", "treat DATE as today for overdue (e.g. 2019-09-01)")),
]
FormatOption = Annotated[
    str,
    typer.Option("--format", "-f", metavar="table|json|csv",
                 help=t("输出格式: table(表格)、json、csv(带 BOM 的 UTF-8)",
                        "output format: table, json, csv (UTF-8 with BOM)")),
]
QueryArgument = Annotated[
    str | None,
    typer.Argument(metavar="[QUERY]", show_default=False,
                   help=t("筛选条件,如 \"unit:营里镇 status:in_progress overdue\";多个词用引号括起来",
                          "filter, e.g. \"unit:营里镇 status:in_progress overdue\"; quote it when it has spaces")),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr, then exit (1: user error, 2: bad usage)."""
    echo(message, err=True)
    raise typer.Exit(code)


def only_once(values: list[str] | None, option: str) -> str | None:
    """The one value of an option given at most once; exit 2 when it was repeated (never keep only the last)."""
    if not values:
        return None
    if len(values) > 1:
        fail(t(f"{option} 只能给一次(给了 {len(values)} 次);多条请分别提交",
               f"{option} may be given once (given {len(values)} times); make one change per value"), 2)
    return values[0]


def echo(text: str, err: bool = False) -> None:
    """``typer.echo`` for anything holding text from the store: terminal control characters removed."""
    typer.echo(clean_output(text), err=err)


@dataclass
class Source:
    """A loaded plan and, when it came from a store, the store and year."""

    loaded: LoadedPlan
    store: Store | None
    year: int
    commit: str | None = None  # the commit read, for a store
    partial: bool = False  # only the tasks asked for were read (``tasks=`` of load_source)

    @property
    def is_store(self) -> bool:
        return self.store is not None

    def task_numbers(self) -> list[int]:
        """Every task number of the plan, also when only some tasks were read."""
        if self.partial and self.store is not None and self.commit is not None:
            return self.store.task_numbers(self.commit)
        return sorted(self.loaded.plan.tasks)


def plan_folder(path: Path) -> Path | None:
    """The task folder when ``path`` is a plain folder of task files (not a git repository)."""
    if not path.is_dir() or (path / ".git").exists() or (path / "HEAD").is_file():
        return None
    if (path / PLAN_FILE).is_file():
        return path
    if (path / "tasks" / PLAN_FILE).is_file():
        return path / "tasks"
    return None


def load_source(repo: Path | None, year: int | None, tasks: Iterable[int] | None = None) -> Source:
    """Load the plan the command works on (see the module docstring); exit 1 with a message on failure.

    ``tasks``: from a store, read only these task files (plus plan, units and operators),
    so that a command about one task costs the same at any size of plan.
    """
    named = repo if repo is not None else (Path(os.environ["TRACKER_REPO"]) if os.environ.get("TRACKER_REPO") else None)
    if named is not None and not named.exists():
        fail(t(f"找不到数据仓库: {named}", f"no such store: {named}"))
    folder = plan_folder(named) if named is not None else None
    if folder is not None:
        try:
            loaded = load_plan_folder(folder)
        except CodecError as exc:
            fail(str(exc))
        if year is not None and loaded.plan.year not in (0, year):
            fail(t(f"{folder} 中是 {loaded.plan.year} 年的计划,没有 {year} 年的",
                   f"{folder} holds the {loaded.plan.year} plan, not {year}"))
        return Source(loaded, None, loaded.plan.year)
    from tracker.store import StoreError
    from tracker.store_discovery import NoStoreYet, resolve_store

    try:
        store = resolve_store(named)
        chosen = year if year is not None else store.default_year()
        snap = store.snapshot(chosen, tasks=tasks)
    except NoStoreYet as exc:
        fail(str(exc))  # already says what to do
    except (StoreError, CodecError, OSError) as exc:
        fail(t(f"无法打开数据仓库: {exc}", f"cannot open the store: {exc}"))
    return Source(snap.loaded, store, chosen, snap.commit, snap.partial)


def parse_as_of(text: str | None) -> date:
    """``--as-of`` as a date; today when not given. Exit 2 on a bad date."""
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(t(f"--as-of 不是日期: {text!r}(应写作 2019-09-01)", f"--as-of is not a date: {text!r} (use 2019-09-01)"), 2)


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """The format in lower case, or exit 2 naming the choices."""
    value = fmt.strip().lower()
    if value not in allowed:
        fail(t(f"--format 只能是 {'、'.join(allowed)},不是 {fmt!r}", f"--format must be one of {', '.join(allowed)}, not {fmt!r}"), 2)
    return value


def parse_query(text: str | None, source: Source, today: date) -> tuple[Query, MatchContext]:
    """Parse and bind the query; on error print it with a caret under the bad token and exit 1."""
    ctx = MatchContext(today=today, registry=source.loaded.registry)
    query_text = text or ""
    try:
        return parse(query_text, source.loaded.registry), ctx
    except QueryError as exc:
        fail(t(f"查询有误: {exc.message}", f"bad query: {exc.message}") + "\n" + exc.caret(query_text))


def terminal_width() -> int:
    """Columns of the terminal (``COLUMNS`` wins; 100 when unknown)."""
    return max(20, shutil.get_terminal_size((100, 24)).columns)


def write_json(data: Any) -> None:
    """Pretty JSON with Chinese as is (and no control or bidi character in any string)."""
    typer.echo(json.dumps(clean_data(data), ensure_ascii=False, indent=2))


def write_text(text: str) -> None:
    """Write text as UTF-8 whatever the locale says (a BOM must reach a redirected file intact).

    Control characters from the store's text are removed on the way out.
    """
    text = clean_output(text)
    stream = sys.stdout
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.flush()
        stream.buffer.write(text.encode("utf-8"))
    stream.flush()
