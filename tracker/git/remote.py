"""Remotes: checked names and URLs, fetch and push over the transports sync allows.

Remote names and URLs are checked here, right before git sees them; only the
transports below are allowed, whatever a config says.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.git.runner import GitError, GitRunner, clean_env

REMOTE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9_][A-Za-z0-9._-]*:(?!-)[^\\]+$")
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NETWORK_CONFIG = (
    "-c", "protocol.allow=never",
    "-c", "protocol.file.allow=always",
    "-c", "protocol.ssh.allow=always",
    "-c", "protocol.https.allow=always",
    "-c", "submodule.recurse=false",
)
# The ssh settings a site (or a test) sets in its environment reach git; no other GIT_*.
_PASSED_ENV = ("GIT_SSH_COMMAND", "GIT_SSH", "GIT_SSH_VARIANT")


class RemoteError(ValueError):
    """A remote name or URL that sync refuses (message in Chinese)."""


def check_remote_name(name: str) -> str:
    """A remote name: letters, digits, ``_`` and ``-`` only.

    Raises:
        RemoteError: naming the bad name.
    """
    if not REMOTE_NAME.match(name or ""):
        raise RemoteError(f"远端名称只能由字母、数字、_ 和 - 组成(不能以 - 开头): {name!r}")
    return name


def check_remote_url(url: str) -> str:
    """An ssh, https or file URL, scp-like ``user@host:path``, or an absolute local path.

    Anything git could read as an option or a command (a leading ``-``,
    ``ext::``, ``fd::`` or any ``transport::`` form), control characters and
    whitespace are refused.

    Raises:
        RemoteError: naming what is wrong.
    """
    from urllib.parse import urlsplit

    if not url or _URL_CONTROL.search(url):
        raise RemoteError("远端地址为空,或含有空白/控制字符")
    if url.startswith("-") or "::" in url:
        raise RemoteError(f"远端地址不能以 - 开头,也不能是 传输方式:: 形式: {url!r}")
    lowered = url.lower()
    if lowered.startswith(("ssh://", "https://")):
        parts = urlsplit(url)
        if not parts.hostname or parts.hostname.startswith("-") or (parts.username or "").startswith("-"):
            raise RemoteError(f"远端地址的主机名不合法: {url!r}")
        if not parts.path or parts.path.startswith("/-"):
            raise RemoteError(f"远端地址缺少仓库路径: {url!r}")
        return url
    if lowered.startswith("file://"):
        if not url[len("file://"):].startswith("/"):
            raise RemoteError(f"file 地址必须是绝对路径: {url!r}")
        return url
    if url.startswith("/"):
        return url
    if _SCP_LIKE.match(url):
        return url
    raise RemoteError(f"只接受 ssh://、https://、file:// 地址、user@host:路径 或绝对路径: {url!r}")


def _network_env() -> dict[str, str]:
    return {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}


def remote_list(repo: GitRunner) -> dict[str, str]:
    """``{name: url}`` of the configured remotes (names sync would refuse are left out)."""
    proc = repo.run("config", "--null", "--get-regexp", r"^remote\..*\.url$", check=False)
    result: dict[str, str] = {}
    for record in proc.stdout.decode("utf-8", "replace").split("\0"):
        key, _, value = record.partition("\n")
        name = key[len("remote."):-len(".url")] if key.startswith("remote.") else ""
        if REMOTE_NAME.match(name):
            result[name] = value
    return result


def remote_add(repo: GitRunner, name: str, url: str) -> None:
    """Add a remote whose branches are fetched as ``refs/remotes/NAME/plan/*``.

    Raises:
        RemoteError: a bad name or URL, or a name already used.
    """
    check_remote_name(name)
    check_remote_url(url)
    if name in remote_list(repo):
        raise RemoteError(f"远端 {name} 已存在")
    repo.run("remote", "add", "--", name, url)


def fetch(repo: GitRunner, name: str, refspecs: Iterable[str], pass_fds: tuple[int, ...] = ()) -> str:
    """``git fetch NAME REFSPEC...`` (no tags, no submodules); returns git's messages.

    ``pass_fds``: the writer lock, held by git too while it updates the refs.

    Raises:
        RemoteError: the configured URL is not one sync accepts.
        GitError: the fetch failed (git's words in ``stderr``).
    """
    check_remote_name(name)
    url = remote_list(repo).get(name)
    if url is None:
        raise RemoteError(f"没有名为 {name} 的远端")
    check_remote_url(url)
    proc = _run_network(repo, ["fetch", "--no-tags", "--no-recurse-submodules", "--quiet", "--", name, *refspecs],
                        pass_fds=pass_fds)
    return proc.stderr.decode("utf-8", "replace")


def _run_network(
    repo: GitRunner, args: list[str], check: bool = True, pass_fds: tuple[int, ...] = ()
) -> subprocess.CompletedProcess[bytes]:
    base = repo.base_args()
    # For a local remote, git runs remote.NAME.uploadpack/receivepack as shell commands; the
    # options win over any number of config values (a -c would only add one more to the list).
    programs = {"fetch": ["--upload-pack=git-upload-pack"], "push": ["--receive-pack=git-receive-pack"]}
    cmd = [base[0], *NETWORK_CONFIG, *base[1:], args[0], *programs.get(args[0], []), *args[1:]]
    proc = subprocess.run(cmd, capture_output=True, env=clean_env(_network_env()), cwd=repo.top, check=False,
                          pass_fds=pass_fds)
    if check and proc.returncode != 0:
        raise GitError(args, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


@dataclass(frozen=True)
class PushedRef:
    """One line of ``git push --porcelain``: flag ``=`` up to date, ``*`` new, `` `` fast-forward, ``!`` rejected."""

    ref: str
    flag: str
    summary: str

    @property
    def ok(self) -> bool:
        return self.flag != "!"


@dataclass(frozen=True)
class PushReport:
    """What the remote said about a push."""

    refs: tuple[PushedRef, ...]
    remote_messages: tuple[str, ...]  # the remote's own lines (its hook's reasons), ``remote: `` removed
    stderr: str
    returncode: int


def push(repo: GitRunner, name: str, refspecs: Iterable[str], pass_fds: tuple[int, ...] = ()) -> PushReport:
    """``git push --porcelain NAME SRC:DST...`` without force; never raises for a refused ref.

    ``pass_fds``: the writer lock, held by git too while it updates the tracking refs.

    Raises:
        RemoteError: the configured URL is not one sync accepts.
    """
    check_remote_name(name)
    url = remote_list(repo).get(name)
    if url is None:
        raise RemoteError(f"没有名为 {name} 的远端")
    check_remote_url(url)
    specs = list(refspecs)
    for spec in specs:
        if spec.startswith(("+", "-", ":")):
            raise ValueError(f"bad push refspec {spec!r}")
    proc = _run_network(repo, ["push", "--porcelain", "--no-verify", "--", name, *specs], check=False,
                        pass_fds=pass_fds)
    refs = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and len(parts[0]) == 1:
            refs.append(PushedRef(ref=parts[1].rpartition(":")[2], flag=parts[0], summary=parts[2]))
    stderr = proc.stderr.decode("utf-8", "replace")
    remote = tuple(
        line[len("remote:"):].strip() for line in stderr.splitlines() if line.startswith("remote:") and line[7:].strip()
    )
    return PushReport(tuple(refs), remote, stderr, proc.returncode)

