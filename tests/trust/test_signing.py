"""Signed history: every commit the writer makes carries git's own SSH signature (gpg.format=ssh)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git as gitpython
import pytest

from tests.audit.helpers import NDRC
from tracker.service import Change, Service
from tracker.signing import key_path, parse_allowed, public_line, signature_valid
from tracker.store import Store

GIT = ["git", "-c", "core.hooksPath=/dev/null"]


def _allowed_file(store: Store, tmp_path: Path) -> Path:
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"*@zwgk.local {public_line(store.repo)}\n", encoding="ascii")
    return allowed


def _commit(store: Store) -> str:
    result = Service(Store.open(store.path), store.operator("zhangsan"), 2019).apply(
        [Change(5, "1", NDRC, "status", "done")])
    assert result.commit
    return result.commit


def test_init_makes_a_key_only_the_writer_reads(store: Store) -> None:
    key = key_path(store.repo.git_dir)
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.parent.stat().st_mode & 0o777 == 0o755
    assert (public_line(store.repo) or "").startswith("ssh-ed25519 ")


def test_git_verify_commit_accepts_every_commit_and_gitpython_reads_it(store: Store, tmp_path: Path, login) -> None:
    login("zhangsan")
    commit = _commit(store)
    allowed = _allowed_file(store, tmp_path)
    for sha in (commit, f"{commit}~1", f"{commit}~2", f"{commit}~3"):
        proc = subprocess.run([*GIT, "-C", str(store.path), "-c", f"gpg.ssh.allowedSignersFile={allowed}",
                               "verify-commit", sha], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert 'Good "git" signature' in proc.stderr
    read = gitpython.Repo(store.path).commit(commit)
    assert read.gpgsig and read.gpgsig.startswith("-----BEGIN SSH SIGNATURE-----")
    assert read.author.email == "zhangsan@zwgk.local"
    raw = store.repo.cat_blobs([commit])[commit]
    assert signature_valid(raw, parse_allowed(public_line(store.repo) or ""))


def test_a_junk_or_foreign_signature_is_not_valid(store: Store, tmp_path: Path, login) -> None:
    login("zhangsan")
    commit = _commit(store)
    raw = store.repo.cat_blobs([commit])[commit]
    keys = parse_allowed(public_line(store.repo) or "")
    head, _, body = raw.partition(b"\n\n")
    junk = b"\n".join(line for line in head.split(b"\n") if not line.startswith((b"gpgsig", b" ")))
    junk += b"\ngpgsig -----BEGIN SSH SIGNATURE-----\n AAAA\n -----END SSH SIGNATURE-----\n\n" + body
    assert not signature_valid(junk, keys)
    assert not signature_valid(raw.replace(b"Task: 5", b"Task: 6"), keys)  # payload changed after signing
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "other")], check=True)
    other = parse_allowed((tmp_path / "other.pub").read_text())
    assert not signature_valid(raw, other)


@pytest.mark.parametrize("variant", ["noncharacter"])
def test_commits_git_writes_itself_are_signed_too(store: Store, tmp_path: Path, login, variant) -> None:
    login("zhangsan")
    result = Service(Store.open(store.path), store.operator("zhangsan"), 2019).apply(
        [Change(5, "1", NDRC, "note", "进展\ufdd0说明")])
    allowed = _allowed_file(store, tmp_path)
    proc = subprocess.run([*GIT, "-C", str(store.path), "-c", f"gpg.ssh.allowedSignersFile={allowed}",
                           "verify-commit", result.commit], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_an_existing_store_gets_a_key_by_doctor_signing_key(cli, store: Store, tmp_path: Path, login) -> None:
    key = key_path(store.repo.git_dir)
    key.unlink()
    key.with_name(key.name + ".pub").unlink()
    login("zhangsan")
    unsigned = _commit(store)
    assert b"\ngpgsig " not in store.repo.cat_blobs([unsigned])[unsigned]  # no key: no signature
    result = cli("admin", "doctor", "--signing-key")
    assert result.exit_code == 0 and result.stdout.startswith("ssh-ed25519 ")
    assert key.stat().st_mode & 0o777 == 0o600
    login("zhangsan")
    result = Service(Store.open(store.path), store.operator("zhangsan"), 2019).apply(
        [Change(5, "1", NDRC, "status", "blocked")])
    allowed = _allowed_file(store, tmp_path)
    proc = subprocess.run([*GIT, "-C", str(store.path), "-c", f"gpg.ssh.allowedSignersFile={allowed}",
                           "verify-commit", result.commit], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
