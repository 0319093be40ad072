"""The body of the ``pre-receive`` hook: read ``old new ref`` lines, refuse what the rules forbid.

Refused: deleting a ``refs/heads/plan/*`` branch, a non-fast-forward update of
one (a force push), and any pushed commit that ``tracker verify`` would report
(every commit not already on a plan branch is judged, wherever else it may sit).
Through the writer's SSH door (``TRACKER_PUSHER``) also: any ref outside
``refs/heads/plan/``, and a new plan branch from a pusher who is not an admin.
Git runs this in the receiving repository with the pushed objects in a
quarantine folder; :class:`tracker.git.repo.PushRepo` lets our git calls see them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from tracker.git.log import is_ancestor, log_commits
from tracker.git.repo import GitRepo, PushRepo
from tracker.messages import login_from_email
from tracker.verify import Finding, TrustState, parse_actors, trust_state_at, verify_commits

PLAN_PREFIX = "refs/heads/plan/"
ZEROS = frozenset({"0" * 40, "0" * 64})


def parse_updates(lines: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(old, new, ref)`` for each line git gives the hook."""
    updates = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            updates.append((parts[0], parts[1], parts[2]))
    return updates


def ref_problems(repo: GitRepo, old: str, new: str, ref: str, pusher: str | None = None,
                 pusher_is_admin: bool = False) -> list[str]:
    """Why an update of ``ref`` from ``old`` to ``new`` is refused (Chinese), if it is.

    ``pusher``: the login the writer's SSH door names. Through that door only plan
    branches may be pushed (the writer's other refs, such as ``refs/remotes/*`` that
    sync fetches into, are the writer's own), and only an admin opens a new plan.
    """
    if not ref.startswith(PLAN_PREFIX):
        if pusher:
            return [f"拒绝推送 {ref}:通过写入账号只能推送计划分支 plan/*"]
        return []
    branch = ref[len("refs/heads/") :]
    if pusher and not pusher_is_admin and old in ZEROS and new not in ZEROS:
        return [f"拒绝新建分支 {branch}:推送者 {pusher} 不是管理员,新的计划分支只能由管理员建立"]
    if new in ZEROS:
        return [f"拒绝删除分支 {branch}:计划分支是审计记录,不能删除"]
    if old not in ZEROS and not is_ancestor(repo, old, new):
        return [f"拒绝强制推送 {branch}:新版本不包含服务器上已有的提交(非快进),请先同步(fetch 并合并)再推送"]
    return []


def pusher_login(git_dir: Path) -> str | None:
    """The login the writer account's SSH entry says is pushing (``TRACKER_PUSHER``), else None.

    Believed only when the hook runs as the writer (the owner of the repository): only
    the writer's forced command sets it; anyone else could set it to any name.
    """
    login = os.environ.get("TRACKER_PUSHER", "").strip()
    if not login or git_dir.stat().st_uid != os.geteuid():
        return None
    return login


def pusher_problems(repo: GitRepo, pusher: str, anchor: TrustState | None, new_tips: Sequence[str], existing: Sequence[str]) -> list[Finding]:
    """Commits a non-admin pusher pushes that someone else authored (judged by the plan already here)."""
    actors = parse_actors(anchor.operators if anchor else "")
    actor = actors.get(pusher)
    if actor is not None and actor.role == "admin":
        return []
    found = []
    for info in log_commits(repo, list(new_tips), exclude=list(existing)):
        login = login_from_email(info.author_email)
        if login != pusher:
            found.append(Finding(info.sha, f"{login}({info.author_name})", "推送者",
                                 f"推送者 {pusher} 不是管理员,不能推送他人({login})的提交"))
    return found


def check_push(
    repo: GitRepo, updates: Sequence[tuple[str, str, str]], pusher: str | None = None
) -> tuple[list[str], list[Finding]]:
    """Ref problems and commit findings for one push (``pusher``: the login the writer's SSH entry names)."""
    plans = repo.refs("refs/heads/plan")
    # A pushed root commit opens a plan: judged by the newest plan already here (its admins, its signers)
    anchor = trust_state_at(repo, plans[max(plans, key=lambda r: (len(r), r))]) if plans else None
    actor = parse_actors(anchor.operators if anchor else "").get(pusher or "")
    problems: list[str] = []
    for old, new, ref in updates:
        problems += ref_problems(repo, old, new, ref, pusher, actor is not None and actor.role == "admin")
    # Only what the plan branches hold was ever checked: commits reachable from other refs
    # (refs/remotes/* a sync fetched from an unguarded remote) are judged like new ones.
    existing = list(dict.fromkeys(plans.values()))
    new_tips = [new for _, new, _ in updates if new not in ZEROS]
    findings = verify_commits(repo, new_tips, existing, anchor=anchor) if new_tips else []
    if pusher and new_tips:
        findings += pusher_problems(repo, pusher, anchor, new_tips, existing)
    return problems, findings


def report(problems: Sequence[str], findings: Sequence[Finding], out: TextIO) -> None:
    """The pusher's explanation, in Chinese."""
    out.write("推送被拒绝(tracker 审计规则):\n")
    for problem in problems:
        out.write(f"  {problem}\n")
    if findings:
        out.write("以下提交改动了作者无权修改的内容,或尾注与改动/作者不符:\n")
        for finding in findings:
            out.write(f"  {finding.line()}\n")
        out.write("请改用 tracker set 等命令提交(每个单位只能改自己的分工),或请管理员处理。\n")


def main(stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run as the hook: 0 accepts the push, 1 refuses it."""
    stdin = stdin or sys.stdin
    out = out or sys.stderr
    git_dir = Path(os.environ.get("GIT_DIR", ".")).resolve()
    try:
        repo: GitRepo = PushRepo(git_dir, None)
        problems, findings = check_push(repo, parse_updates(stdin), pusher_login(git_dir))
    except Exception as exc:  # noqa: BLE001 - refuse rather than let an unchecked push through
        out.write(f"推送被拒绝:检查时出错({exc})\n")
        return 1
    if problems or findings:
        report(problems, findings, out)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
