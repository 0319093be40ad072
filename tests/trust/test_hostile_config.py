"""A repository's config is input: every command a hostile config names is never run by the tracker.

Each test plants one setting an operator in the store's group could write into
``.git/config`` or ``.git/info/attributes`` (a filter, a pager, an external diff,
an ssh command, an upload-pack program, a hook, an fsmonitor), each pointing at a
command that leaves a mark file; then runs the tracker path that would start it
and checks the mark never appears, and that the work went through.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.audit.helpers import NDRC
from tracker.git.log import show_patch
from tracker.git.remote import fetch, remote_add
from tracker.service import Change, Service
from tracker.store import Store

GIT = ["git", "-c", "core.hooksPath=/dev/null"]


def _config(store: Store, key: str, value: str) -> None:
    subprocess.run([*GIT, "-C", str(store.path), "config", key, value], check=True)


def _attributes(store: Store, line: str) -> None:
    path = store.repo.git_dir / "info" / "attributes"
    path.parent.mkdir(exist_ok=True)
    path.write_text(line + "\n", encoding="utf-8")


def _mark(tmp_path: Path) -> tuple[Path, str]:
    mark = tmp_path / "PWNED"
    return mark, f"touch {mark}; cat"


def _set_status(store: Store) -> str:
    service = Service(Store.open(store.path), store.operator("zhangsan"), 2019)
    result = service.apply([Change(5, "1", NDRC, "status", "done")])
    assert result.commit
    return result.commit


def test_smudge_and_clean_filters_never_run(store: Store, tmp_path: Path, login) -> None:
    mark, command = _mark(tmp_path)
    _config(store, "filter.evil.smudge", command)
    _config(store, "filter.evil.clean", command)
    _config(store, "filter.evil.required", "true")
    _attributes(store, "* filter=evil")
    login("zhangsan")
    commit = _set_status(store)
    assert not mark.exists()
    shown = subprocess.run([*GIT, "-C", str(store.path), "show", f"{commit}:tasks/05.toml"],
                           capture_output=True, check=True).stdout
    assert (store.path / "tasks" / "05.toml").read_bytes() == shown


def test_long_running_filter_process_never_runs(store: Store, tmp_path: Path, login) -> None:
    mark, command = _mark(tmp_path)
    _config(store, "filter.a.b.process", command)
    _attributes(store, "*.toml filter=a.b")
    login("zhangsan")
    _set_status(store)
    assert not mark.exists()


@pytest.mark.parametrize(
    ("key", "attribute"),
    [("diff.external", None), ("diff.evil.textconv", "* diff=evil"), ("diff.evil.command", "* diff=evil"),
     ("core.pager", None), ("pager.show", None)],
)
def test_diff_programs_and_pagers_never_run(store: Store, tmp_path: Path, login, key, attribute) -> None:
    mark, command = _mark(tmp_path)
    _config(store, key, command)
    if attribute:
        _attributes(store, attribute)
    login("zhangsan")
    commit = _set_status(store)
    patch = show_patch(Store.open(store.path).repo, commit)
    assert not mark.exists()
    assert "+status = " in patch


@pytest.mark.parametrize("key", ["core.fsmonitor", "core.hooksPath"])
def test_fsmonitor_and_hooks_never_run(store: Store, tmp_path: Path, login, key) -> None:
    mark, command = _mark(tmp_path)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("post-checkout", "reference-transaction", "post-index-change"):
        (hooks / name).write_text(f"#!/bin/sh\n{command}\n")
        (hooks / name).chmod(0o755)
    _config(store, key, str(hooks) if key == "core.hooksPath" else command)
    login("zhangsan")
    _set_status(store)
    assert not mark.exists()


def test_configured_ssh_command_never_runs(store: Store, tmp_path: Path, monkeypatch) -> None:
    mark, command = _mark(tmp_path)
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    monkeypatch.delenv("GIT_SSH", raising=False)
    remote_add(store.repo, "hub", "ssh://nobody@127.0.0.1:1/srv/hub.git")
    _config(store, "core.sshCommand", command)
    with pytest.raises(Exception):  # noqa: B017 - nothing listens on port 1; only the mark matters
        fetch(store.repo, "hub", ["refs/heads/plan/*:refs/remotes/hub/plan/*"])
    assert not mark.exists()


def test_configured_upload_pack_never_runs(store: Store, tmp_path: Path) -> None:
    mark, _ = _mark(tmp_path)
    hub = tmp_path / "hub.git"
    subprocess.run([*GIT, "clone", "-q", "--bare", str(store.path), str(hub)], check=True)
    remote_add(store.repo, "hub", str(hub))
    _config(store, "remote.hub.uploadpack", f"touch {mark}; git-upload-pack")
    _config(store, "credential.helper", f"!touch {mark}")
    fetch(store.repo, "hub", ["refs/heads/plan/*:refs/remotes/hub/plan/*"])
    assert not mark.exists()
    assert store.repo.rev_parse("refs/remotes/hub/plan/2019") == store.tip(2019)
