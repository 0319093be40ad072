"""What the store-writing commands share: opening the store as the current login, committing, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tracker import operators
from tracker.cli.plan_source import fail
from tracker.codec import CodecError
from tracker.errors import ServiceError
from tracker.git.refs import LockBusy
from tracker.git.runner import GitError
from tracker.i18n import t
from tracker.store import Store, StoreError, resolve_store

if TYPE_CHECKING:
    from tracker.service import Change, CommitResult, Service


def open_store(repo: Path | None) -> Store:
    """The store named by ``--repo`` / ``TRACKER_REPO`` / the current directory / the default; exit 1 on failure."""
    with user_errors():
        return resolve_store(repo)
    raise AssertionError("unreachable")


def open_service(repo: Path | None, year: int | None) -> Service:
    """A service on ``plan/YEAR`` (default: newest) acting as the current login."""
    from tracker.service import Service  # the write path; read-only commands never load it

    store = open_store(repo)
    with user_errors():
        chosen = year if year is not None else store.default_year()
        store.tip(chosen)
        return Service(store, store.operator(operators.current_login(), chosen), chosen)
    raise AssertionError("unreachable")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the core's errors into one line on stderr and exit 1."""
    try:
        yield
    except (ServiceError, StoreError, CodecError, LockBusy, GitError, OSError) as exc:
        fail(str(exc))


def commit_and_report(service: Service, changes: list[Change], on_behalf_of: str | None = None) -> CommitResult:
    """Apply through the service, print ``COMMIT SUBJECT``; exit 1 with one line on error."""
    with user_errors():
        result = service.apply(changes, on_behalf_of=on_behalf_of)
    if result.commit is None:
        typer.echo(t("没有变化,未提交", "nothing changed, no commit"))
    else:
        typer.echo(f"{result.short} {result.subject}")
    return result
