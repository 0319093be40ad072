"""Objects written by Python (no git child) are the objects git itself would write."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import gitstore
from tracker.store import Store

NAMES = st.text(
    alphabet=st.sampled_from(list("ab-._/0z任镇")), min_size=1, max_size=6
).filter(lambda s: all(part not in ("", ".", "..", ".git") for part in s.split("/")))


def git(repo: gitstore.GitRepo, *args: str, input: bytes | None = None) -> str:
    return repo.run(*args, input=input).stdout.decode().strip()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(NAMES, st.binary(max_size=40), min_size=1, max_size=6))
def test_tree_ids_match_git(bare_store: Store, files: dict[str, bytes]) -> None:
    repo = bare_store.repo
    # a path may not be both a file and a folder
    paths = sorted(files)
    files = {p: d for p, d in files.items() if not any(q.startswith(p + "/") for q in paths)}
    tree, listing, written = repo.tree_with_listing(None, files)
    # git's own objects: fsck is clean and every file reads back through git
    ok, report = repo.fsck()
    assert ok, report
    for path, data in files.items():
        assert repo.run("cat-file", "blob", f"{tree}:{path}").stdout == data
    assert set(written.values()) == set(files.values())
    # git builds the same tree id from the same files
    expected = _git_tree(repo, files)
    assert tree == expected
    # the listing given back is what ls-tree says
    assert listing == {k: sorted(v, key=gitstore._tree_order) for k, v in repo.tree_listing(tree).items()}


def _git_tree(repo: gitstore.GitRepo, files: dict[str, bytes]) -> str:
    """The tree the git CLI builds from the same files (hash-object + update-index + write-tree)."""
    index = repo.git_dir / "test-index"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        for path, data in files.items():
            oid = git(repo, "hash-object", "-w", "--stdin", input=data)
            repo.run("update-index", "--add", "--cacheinfo", f"100644,{oid},{path}", env=env)
        return repo.run("write-tree", env=env).stdout.decode().strip()
    finally:
        index.unlink(missing_ok=True)


def test_changing_one_file_keeps_the_rest(store: Store) -> None:
    repo = store.repo
    tip = store.tip(2019)
    tree, _, _ = repo.tree_with_listing(tip, {"tasks/05.toml": b"x = 1\n", "tasks/sub/new.toml": b"y = 2\n"})
    out = subprocess.run(["git", "-C", str(store.path), "diff-tree", "-r", "--name-status", tip, tree],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    assert sorted(line for line in out if line) == ["A\ttasks/sub/new.toml", "M\ttasks/05.toml"]
    removed, listing, _ = repo.tree_with_listing(tree, {"tasks/sub/new.toml": None})
    assert "tasks/sub" not in listing
    assert git(repo, "rev-parse", f"{tip}^{{tree}}") != removed
    assert git(repo, "diff-tree", "-r", "--name-only", tip, removed) == "tasks/05.toml"


def test_objects_are_synced_when_the_config_asks(store: Store, monkeypatch) -> None:  # noqa: ANN001
    synced: list[int] = []
    real = gitstore.os.fsync
    monkeypatch.setattr(gitstore.os, "fsync", lambda fd: synced.append(fd) or real(fd))
    store.repo.tree_with(None, {"a.toml": b"plain\n"})
    assert synced == []  # git's default: loose objects are not fsynced
    store.repo.run("config", "core.fsync", "loose-object,reference")
    store.repo.tree_with(None, {"a.toml": b"synced\n"})
    assert len(synced) >= 3  # the blob, the tree and their folders


def test_object_format_comes_from_the_config(tmp_path: Path) -> None:
    repo = gitstore.init_repository(tmp_path / "r", branch="plan/2019", bare=True, shared_group=None)
    assert gitstore._format_from_config(repo.git_dir) == "sha1"
    (repo.git_dir / "config").write_text("[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha256\n")
    assert gitstore._format_from_config(repo.git_dir) == "sha256"
