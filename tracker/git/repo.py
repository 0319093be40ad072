"""A store's repository: every git concern together (objects, refs, work tree), and creating one."""

from __future__ import annotations

import grp
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tracker.git.files import share_with_group
from tracker.git.refs import RefStore
from tracker.git.runner import QUARANTINE_VARS, SAFE_CONFIG, GitError, NotARepository, clean_env
from tracker.git.worktree import WorkTree


class GitRepo(WorkTree, RefStore):
    """A git repository (bare or not) driven through plumbing and objects written in Python."""


class PushRepo(GitRepo):
    """A repository seen from inside a ``pre-receive`` hook: the pushed (quarantined) objects visible."""

    def run(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None,
            check: bool = True, pass_fds: tuple[int, ...] = ()) -> subprocess.CompletedProcess[bytes]:
        extra = {k: os.environ[k] for k in QUARANTINE_VARS if k in os.environ}
        if extra.get("GIT_OBJECT_DIRECTORY"):
            extra["GIT_OBJECT_DIRECTORY"] = str(Path(self.git_dir, extra["GIT_OBJECT_DIRECTORY"]).resolve())
        extra.update(env or {})
        return super().run(*args, input=input, env=extra, check=check, pass_fds=pass_fds)


def init_repository(path: Path, *, branch: str, bare: bool, shared_group: str | None) -> GitRepo:
    """``git init`` a new repository whose HEAD names ``branch`` (not yet born).

    Raises:
        NotARepository: the path exists and is not an empty folder.
        KeyError: the Unix group does not exist.
    """
    path = Path(path).expanduser().resolve()
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise NotARepository(f"{path} 已存在且不是空目录")
    gid = grp.getgrnam(shared_group).gr_gid if shared_group else None
    args = ["git", *SAFE_CONFIG, "init", "-q", f"--initial-branch={branch}"]
    if bare:
        args.append("--bare")
    if shared_group:
        args.append("--shared=group")
    args += ["--", str(path)]
    proc = subprocess.run(args, capture_output=True, env=clean_env(), check=False)
    if proc.returncode != 0:
        raise GitError(args[len(SAFE_CONFIG) + 1 :], proc.returncode, proc.stderr.decode("utf-8", "replace"))
    repo = GitRepo(path, None) if bare else GitRepo(path / ".git", path)
    # Reflogs make `plan/2019@{yesterday}` work on a server (bare) store too.
    repo.run("config", "core.logAllRefUpdates", "always")
    if gid is not None:
        share_with_group(path, gid)
    return repo
