"""Objects written by Python (no git child) are the objects git itself would write."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker.git.objects import git_keeps_utf8, tree_order
from tracker.git.repo import GitRepo, init_repository
from tracker.git.runner import GitError, format_from_config
from tracker.git.worktree import read_index
from tracker.store import Store

NAMES = st.text(
    alphabet=st.sampled_from(list("ab-._/0z任镇")), min_size=1, max_size=6
).filter(lambda s: all(part not in ("", ".", "..", ".git") for part in s.split("/")))


def git(repo: GitRepo, *args: str, input: bytes | None = None) -> str:
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
    assert listing == {k: sorted(v, key=tree_order) for k, v in repo.tree_listing(tree).items()}


def _git_tree(repo: GitRepo, files: dict[str, bytes]) -> str:
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
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real(fd))
    store.repo.tree_with(None, {"a.toml": b"plain\n"})
    assert synced == []  # git's default: loose objects are not fsynced
    store.repo.run("config", "core.fsync", "loose-object,reference")
    store.repo.tree_with(None, {"a.toml": b"synced\n"})
    assert len(synced) >= 3  # the blob, the tree and their folders


def test_object_format_comes_from_the_config(tmp_path: Path) -> None:
    repo = init_repository(tmp_path / "r", branch="plan/2019", bare=True, shared_group=None)
    assert format_from_config(repo.git_dir) == "sha1"
    (repo.git_dir / "config").write_text("[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha256\n")
    assert format_from_config(repo.git_dir) == "sha256"


# ---- commit objects written by Python are the ones `git commit-tree` writes

MESSAGES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=60)
IDENTS = st.text(st.sampled_from(list("ab .,;:'\"\\<>\t\n王芳·-_@")), max_size=10)


def _tree_and_tip(store: Store) -> tuple[str, str]:
    tip = store.tip(2019)
    assert tip is not None
    return git(store.repo, "rev-parse", f"{tip}^{{tree}}"), tip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=MESSAGES, name=IDENTS, email=IDENTS, parents=st.integers(0, 2))
@example(message="\ufffe", name="", email="", parents=0)  # git re-encodes noncharacters (found by hypothesis)
@example(message="任务\ufdd0 \U0010ffff", name="王芳", email="w@x", parents=1)
def test_commit_ids_match_git_commit_tree(bare_store: Store, message: str, name: str, email: str, parents: int) -> None:
    repo = bare_store.repo
    tree, tip = _tree_and_tip(bare_store)
    when = "2019-09-01T09:30:00+08:00"
    ours = repo.commit_tree(tree, [tip] * parents, message, author=(name, email), when=when)
    theirs = repo._git_commit_tree(tree, [tip] * parents, message, author=(name, email), when=when)
    assert ours == theirs
    if git_keeps_utf8(message):  # else git rewrote it, and so do we by letting git write it
        assert repo.run("cat-file", "commit", ours).stdout.endswith(message.encode("utf-8"))


def test_commit_without_a_date_matches_git_in_the_local_zone(bare_store: Store, monkeypatch) -> None:  # noqa: ANN001

    repo = bare_store.repo
    tree, tip = _tree_and_tip(bare_store)
    message = "状态: 进行中 → 已完成\n\n“引号”与 émoji 🙂\nTask: 5\n"
    for zone in ("Asia/Shanghai", "America/St_Johns", "UTC"):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        theirs = repo._git_commit_tree(tree, [tip], message, author=("王芳", "wangfang@example.cn"))
        stamp = repo.run("cat-file", "commit", theirs).stdout.split(b"\ncommitter ")[1].split(b"\n")[0]
        epoch = int(stamp.split(b"> ")[1].split(b" ")[0])
        monkeypatch.setattr(time, "time", lambda epoch=epoch: epoch + 0.25)
        ours = repo.commit_tree(tree, [tip], message, author=("王芳", "wangfang@example.cn"))
        monkeypatch.undo()
        time.tzset()
        assert ours == theirs, zone
    ok, report = repo.fsck()
    assert ok, report


def test_commit_falls_back_to_git_when_config_could_change_the_bytes(bare_store: Store, monkeypatch) -> None:  # noqa: ANN001
    repo = bare_store.repo
    tree, tip = _tree_and_tip(bare_store)
    repo.run("config", "i18n.commitEncoding", "GBK")
    calls: list[str] = []
    real = GitRepo._git_commit_tree
    monkeypatch.setattr(GitRepo, "_git_commit_tree", lambda self, *a, **k: calls.append("git") or real(self, *a, **k))
    fresh = GitRepo(repo.git_dir, None)
    oid = fresh.commit_tree(tree, [tip], "消息", author=("a", "b"))
    assert calls == ["git"]
    assert b"\nencoding GBK\n" in fresh.run("cat-file", "commit", oid).stdout
    # a date git's own parser must read goes to git too
    fresh2 = GitRepo(bare_store.path, None)
    fresh2.run("config", "--unset", "i18n.commitEncoding")
    fresh2.commit_tree(tree, [tip], "m", author=("a", "b"), when="1567301400 +0800")
    assert calls == ["git", "git"]


# ---- the index read without git

@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=8, unique=True), version=st.sampled_from(["2", "3", "4"]))
def test_index_reader_agrees_with_ls_files(bare_store: Store, names: list[str], version: str) -> None:
    repo = bare_store.repo
    index = repo.git_dir / "index"
    index.unlink(missing_ok=True)
    names = [n for n in names if not any(m.startswith(n + "/") for m in names)]
    blob = git(repo, "hash-object", "-w", "--stdin", input=b"x\n")
    for i, name in enumerate(names):
        repo.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")
        if version == "3" and i % 2:
            repo.run("update-index", "--intent-to-add", "--", name, check=False)
    repo.run("update-index", "--index-version", version)
    wanted = names + ["missing/file.toml"]
    raw = repo.run("ls-files", "-s", "-z", "--", *wanted).stdout
    expected = {}
    for record in raw.split(b"\0"):
        if record:
            meta, _, name = record.partition(b"\t")
            expected[name.decode()] = meta.decode().split(" ")[1]
    assert read_index(index.read_bytes(), set(wanted), 20) == expected
    assert repo.index_entries(wanted) == expected


def test_index_reader_declines_what_it_cannot_vouch_for() -> None:
    assert read_index(b"DIRC" + b"\0\0\0\5" + b"\0" * 32, {"a"}, 20) is None
    assert read_index(b"garbage", {"a"}, 20) is None
    assert read_index(b"DIRC\0\0\0\2\0\0\0\3" + b"\0" * 30, {"a"}, 20) is None


def test_a_nul_in_a_message_is_refused_as_git_refuses_it(bare_store: Store) -> None:
    import pytest

    tree, tip = _tree_and_tip(bare_store)
    with pytest.raises(GitError, match="NUL"):
        bare_store.repo.commit_tree(tree, [tip], "a\0b", author=("a", "b"))


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_blob_id_matches_git_with_either_hasher(tmp_path: Path, object_format: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """blob_id uses the built-in SHA while little is hashed, then hashlib: both give git's id."""
    import tracker.git.objects as objects

    subprocess.run(["git", "init", "-q", "--bare", f"--object-format={object_format}", str(tmp_path / "r")], check=True)
    repo = GitRepo(tmp_path / "r", None)
    data = "任务 5\n".encode() * 50
    expected = git(repo, "hash-object", "--stdin", input=data)
    assert len(expected) == (40 if object_format == "sha1" else 64)
    monkeypatch.setattr(objects, "_builtin_hashed", [0])
    monkeypatch.delitem(sys.modules, "hashlib")  # as in a command's fresh process
    assert repo.blob_id(data) == expected
    assert objects._builtin_hashed[0] == len(data)  # the built-in one did it
    monkeypatch.setattr(objects, "_builtin_hashed", [objects._BUILTIN_HASH_BUDGET])
    assert repo.blob_id(data) == expected  # budget spent: hashlib
