"""Running git: one clean environment and safe options for every git process the tracker starts.

git always runs with hooks and fsmonitor off (``-c core.hooksPath=/dev/null -c
core.fsmonitor=false``), no pager, ``core.sshCommand=ssh``, no credential helper,
replace refs ignored, and without the caller's ``GIT_*`` variables (a hook or a shell
may set ``GIT_DIR``, ``GIT_INDEX_FILE`` ...): a repository's config and the caller's
environment are input too. A command that could run an attribute filter (``checkout``)
also gets every configured filter emptied (:meth:`GitRunner.filter_guard`); diffs are
asked for with ``--no-ext-diff --no-textconv``. User data never goes into options:
paths come after ``--``, values through stdin or the environment.
"""

from __future__ import annotations

import os
import pwd
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Self

SAFE_CONFIG = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "core.untrackedCache=false",
    "-c", "gc.auto=0",
    "-c", "core.pager=cat",
    "-c", "core.sshCommand=ssh",
    "-c", "credential.helper=",
    "-c", "core.askPass=",
)
# A filter name is a config subsection; one git could not parse is refused outright.
_FILTER_KEY = re.compile(r"^filter\.(?P<name>.+)\.(?:clean|smudge|process|required)$", re.IGNORECASE | re.DOTALL)
HEX_OID = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
# Variables receive-pack sets so the hook can see the objects being pushed (kept
# in a quarantine folder until the hook accepts them).
QUARANTINE_VARS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")


class GitError(RuntimeError):
    """A git command failed; ``stderr`` holds git's own words."""

    def __init__(self, args: Iterable[str], returncode: int, stderr: str) -> None:
        self.args_list = list(args)
        self.returncode = returncode
        self.stderr = stderr.strip()
        super().__init__(f"git {' '.join(self.args_list[:2])} 失败: {self.stderr or returncode}")



class NotARepository(RuntimeError):
    """The path is not a git repository (or not one we may use)."""



def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    env["GIT_PAGER"] = "cat"
    env["GIT_ATTR_NOSYSTEM"] = "1"  # /etc/gitattributes: attributes we did not choose
    if extra:
        env.update(extra)
    return env


def format_from_config(git_dir: Path) -> str | None:
    """The object format the repository's own config declares, or None when it cannot tell.

    ``extensions.objectFormat`` lives only in the repository's config (git
    refuses it elsewhere); a config with includes is left to git.
    """
    try:
        text = (git_dir / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if re.search(r"^\s*\[\s*include", text, re.IGNORECASE | re.MULTILINE):
        return None
    found = re.search(r"^\s*objectformat\s*=\s*\"?(\w+)", text, re.IGNORECASE | re.MULTILINE)
    if found is None:
        return "sha1"
    value = found.group(1).lower()
    return value if value in ("sha1", "sha256") else None


def find_repository(start: Path) -> tuple[Path, Path | None] | None:
    """The (git dir, work tree) of the repository holding ``start``, or None.

    Pure filesystem walk: no git process, so it works (and stays safe) in a
    directory another user owns.
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir() and (dotgit / "HEAD").is_file():
            return dotgit, folder
        if (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir():
            return folder, None
    return None



class GitRunner:
    """A git repository (bare or not) and the one way to run git in it."""

    def __init__(self, git_dir: Path, work_tree: Path | None) -> None:
        self.git_dir = git_dir.resolve()
        self.work_tree = work_tree.resolve() if work_tree else None
        self._format: str | None = None
        self._plain: bool | None = None

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path) -> Self:
        """Open the repository at ``path`` (its top folder or a bare repository).

        Raises:
            NotARepository: not a repository, or owned by another user and not
                shared with a group this account belongs to.
        """
        path = Path(path).expanduser()
        if (path / ".git").is_dir() and (path / ".git" / "HEAD").is_file():
            repo = cls(path / ".git", path)
        elif (path / "HEAD").is_file() and (path / "objects").is_dir():
            repo = cls(path, None)
        else:
            raise NotARepository(f"{path} 不是 git 仓库")
        repo._check_owner()
        return repo

    def _check_owner(self) -> None:
        st = self.git_dir.stat()
        if st.st_uid == os.geteuid() or os.geteuid() == 0:
            return
        if st.st_gid in os.getgroups() and st.st_mode & 0o020:
            return
        try:
            owner = pwd.getpwuid(st.st_uid).pw_name
        except KeyError:
            owner = str(st.st_uid)
        raise NotARepository(
            f"{self.top} 属于账号 {owner},且没有共享给你所在的组:请以该账号通过 SSH 操作"
            f"(ssh {owner}@服务器 tracker ...),或请管理员用 tracker init --shared 组名 建库"
        )

    @property
    def top(self) -> Path:
        """The folder a user names: the work tree, or the bare repository."""
        return self.work_tree or self.git_dir

    @property
    def bare(self) -> bool:
        return self.work_tree is None

    # ------------------------------------------------------------ running

    def base_args(self) -> list[str]:
        args = ["git", *SAFE_CONFIG, "-c", f"safe.directory={self.top}", f"--git-dir={self.git_dir}"]
        if self.work_tree is not None:
            args.append(f"--work-tree={self.work_tree}")
        return args

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        pass_fds: tuple[int, ...] = (),
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``git ARGS`` in this repository and return the completed process.

        Raises:
            GitError: when ``check`` and git exits non-zero.
        """
        proc = subprocess.run(
            [*self.base_args(), *args],
            input=input,
            capture_output=True,
            env=clean_env(env),
            cwd=self.top,
            pass_fds=pass_fds,
            check=False,
        )
        if check and proc.returncode != 0:
            raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
        return proc

    def filter_guard(self) -> list[str]:
        """``-c`` options that empty every attribute filter the config defines (clean, smudge, process).

        An operator who can write the config or ``info/attributes`` could otherwise make
        the next ``checkout`` run their command as whoever runs the tracker. git skips
        a filter whose command is empty (``convert.c``), and ``required=false`` keeps
        it from failing for that. Read at every call: the config may change any time.
        """
        proc = self.run("config", "--null", "--name-only", "--get-regexp", r"^filter\.", check=False)
        names = set()
        for key in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
            found = _FILTER_KEY.match(key)
            if found:
                names.add(found["name"])
        args: list[str] = []
        for name in sorted(names):
            if "=" in name or "\n" in name:
                raise GitError(["config"], 1, f"拒绝执行:仓库配置中有无法安全关闭的过滤器 {name!r}")
            for part in ("clean", "smudge", "process"):
                args += ["-c", f"filter.{name}.{part}="]
            args += ["-c", f"filter.{name}.required=false"]
        return args

    def out(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        """stdout of ``git ARGS`` as text, trailing newline removed."""
        return self.run(*args, input=input, env=env).stdout.decode("utf-8").rstrip("\n")

    # ------------------------------------------------------------ reading


    def rev_parse(self, rev: str) -> str | None:
        """The commit id ``rev`` names, or None when it names nothing."""
        if not rev or rev.startswith("-") or "\0" in rev:
            return None
        proc = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        oid = proc.stdout.decode().strip()
        return oid if proc.returncode == 0 and HEX_OID.match(oid) else None


    def object_format(self) -> str:
        """``sha1`` or ``sha256`` (read from the repository's config file; git only when unsure)."""
        if self._format is None:
            self._format = format_from_config(self.git_dir)
            if self._format is None:
                proc = self.run("rev-parse", "--show-object-format", check=False)
                self._format = proc.stdout.decode().strip() or "sha1"
        return self._format


    def fsck(self) -> tuple[bool, str]:
        """``git fsck --full``: (clean, output)."""
        proc = self.run("fsck", "--full", "--no-progress", check=False)
        text = (proc.stdout + proc.stderr).decode("utf-8", "replace")
        return proc.returncode == 0, text


    def get_config(self, key: str) -> str | None:
        """A config value, or None when unset."""
        proc = self.run("config", "--get", key, check=False)
        return proc.stdout.decode("utf-8", "replace").rstrip("\n") if proc.returncode == 0 else None

    def set_config(self, key: str, value: str) -> None:
        """Set a config key chosen by code (``merge.zwgk-toml.driver``); never a user's key."""
        if not re.fullmatch(r"[a-z]+(\.[A-Za-z0-9_-]+)+", key):
            raise ValueError(f"bad config key {key!r}")
        self.run("config", "--replace-all", key, value)

