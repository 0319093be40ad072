"""Several sites, one shared remote: fetch, merge field by field, push.

Each site keeps its own store (a clone); a shared remote on any git server
(ssh, https, a file path) is the meeting point. :func:`sync` does, for every
plan branch (``plan/YEAR``):

1. fetch the remote's ``plan/*`` into ``refs/remotes/NAME/plan/*``;
2. bring the local branch up to date: create it when only the remote has it,
   fast-forward when only the remote moved, or write a merge commit whose tree
   is the field-by-field merge of every changed file (:mod:`tracker.merge`);
   conflicts are recorded in the files, never left as markers;
3. push without force; a push that lost a race is retried after a new fetch
   and merge (:data:`MAX_ROUNDS`), a push the remote's hook refused is
   explained in Chinese. Nothing local is ever dropped: the local branch only
   moves to commits that contain it.

A sync holds the store's writer lock from the first fetch to the last push, so two
syncs in one store take turns (the second waits, :data:`SYNC_LOCK_WAIT`) instead of
fetching into and pushing from the same refs at once.

A plain ``git clone`` of the remote followed by ``tracker sync`` is a working
site: :func:`ensure_site_setup` registers the merge driver (for people who run
``git merge`` by hand) and :func:`prepare_clone` creates the local plan
branches a clone lacks.

Git runs only through :mod:`tracker.git`; every commit, the merge commit too, is made by
:meth:`tracker.store.Store.commit`; edits go through :mod:`tracker.service`. The result
types and their text for people are :mod:`tracker.sync_report`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.codec import task_number_from_path
from tracker.git import remote as git_remote
from tracker.git.files import write_atomic
from tracker.git.log import ahead_behind, changed_paths, commit_author, count_commits, is_ancestor, merge_base
from tracker.git.refs import LockBusy
from tracker.git.remote import RemoteError, check_remote_name, remote_add, remote_list
from tracker.git.repo import GitRepo
from tracker.git.runner import GitError, NotARepository
from tracker.i18n import t
from tracker.merge import MergeError, Side, conflicts_in, merge_texts
from tracker.messages import compose_message
from tracker.model import FieldConflict
from tracker.operators import Operator
from tracker.store import BRANCH_PREFIX, TASKS_DIR, HandEdits, Store, StoreError, branch_ref
from tracker.sync_report import FIELD_LABELS, ConflictView, PlanStatus, PlanSync, SyncResult, render_summary
from tracker.textsafe import clean_line

DRIVER = "zwgk-toml"
ATTRIBUTE_LINES = (f"tasks/*.toml merge={DRIVER}", f"tasks/**/*.toml merge={DRIVER}")
MAX_ROUNDS = 5
SYNC_LOCK_WAIT = 300.0  # seconds without progress a sync waits for the writer lock
FETCH_TRIES = 4  # a fetch that met a foreign git's ref lock is tried again
class SyncError(RuntimeError):
    """A sync that could not go ahead (message in Chinese, for the operator)."""


# ---------------------------------------------------------------- site set-up


def driver_command() -> str:
    """The shell command git runs for the merge driver (the tracker this Python runs)."""
    beside = Path(sys.executable).parent / "tracker"
    exe = str(beside) if beside.is_file() else (shutil.which("tracker") or "tracker")
    return f"{shlex.quote(exe)} merge-driver %O %A %B %P"


def ensure_site_setup(repo: GitRepo) -> list[str]:
    """Register the merge driver in the store's config and attributes; say what was added.

    Attributes go to ``GITDIR/info/attributes``, which git reads in bare and
    non-bare repositories alike and which needs no commit; a committed
    ``.gitattributes`` saying the same is honoured too.
    """
    done: list[str] = []
    wanted = {f"merge.{DRIVER}.name": "任务文件逐字段合并 (zwgk-tracker)", f"merge.{DRIVER}.driver": driver_command()}
    for key, value in wanted.items():
        if repo.get_config(key) != value:
            repo.set_config(key, value)
            done.append(f"已登记合并驱动 {key}")
    attributes = repo.git_dir / "info" / "attributes"
    try:
        existing = attributes.read_text("utf-8")
        mine = _may_rewrite(attributes, repo.git_dir)
    except FileNotFoundError:
        existing, mine = "", True
    if not mine:
        # Rewriting it would make another account's lines (a planted filter) ours, and
        # doctor, which names the file now, would stop naming it; the driver waits.
        return done
    missing = [line for line in ATTRIBUTE_LINES if line not in existing.splitlines()]
    if missing:
        text = existing + ("" if not existing or existing.endswith("\n") else "\n") + "\n".join(missing) + "\n"
        write_atomic(attributes, text.encode("utf-8"), repo.git_dir)
        done.append("已登记 info/attributes: " + "、".join(missing))
    return done


def _may_rewrite(path: Path, git_dir: Path) -> bool:
    """``path`` is the store's own: in a store shared with a group any member's file; else the writer's, unshared."""
    st, top = path.lstat(), git_dir.stat()
    if not stat.S_ISREG(st.st_mode):
        return False
    if top.st_mode & stat.S_IWGRP:
        return True  # a --shared store: its members write here by design (README: trusted set-up)
    return st.st_uid in (os.geteuid(), top.st_uid) and not st.st_mode & 0o022


def prepare_clone(path: Path, remote: str | None = None) -> list[str]:
    """Make a plain ``git clone`` a store: local ``plan/*`` branches for the remote's.

    Returns what was created. Safe to call on any store (existing branches are
    left alone).

    Raises:
        StoreError: not a git repository.
    """
    try:
        repo = GitRepo.open(Path(path))
    except NotARepository as exc:
        raise StoreError(str(exc)) from None
    names = [remote] if remote else list(remote_list(repo))
    created = []
    local = repo.refs(BRANCH_PREFIX.rstrip("/"))
    for name in names:
        check_remote_name(name)
        prefix = f"refs/remotes/{name}/plan/"
        tracking = {int(ref[len(prefix):]): oid for ref, oid in repo.refs(prefix.rstrip("/")).items()
                    if ref[len(prefix):].isdigit()}
        for year, oid in sorted(tracking.items()):
            # A remote-tracking ref holds whatever the last fetch brought, vetted or not (a plan
            # sync refused is still fetched): a branch is made only when sync would make it.
            if branch_ref(year) not in local and not _plan_not_accepted(repo, year, oid):
                repo.create_branch(branch_ref(year), oid)
                local[branch_ref(year)] = oid
                created.append(f"已建立本地分支 plan/{year}(跟踪 {name})")
    return created


def add_remote(store: Store, operator: Operator, name: str, url: str) -> list[str]:
    """``tracker remote add``: admin only; also registers the merge driver.

    Raises:
        SyncError: not an admin, or a bad name or URL.
    """
    if operator.role != "admin":
        raise SyncError(f"只有管理员可以添加远端({operator.login} 是{operator.role_label})")
    try:
        remote_add(store.repo, name, url)
    except RemoteError as exc:
        raise SyncError(str(exc)) from None
    return ensure_site_setup(store.repo)


def list_remotes(store: Store) -> dict[str, str]:
    """``{name: url}`` of the store's remotes."""
    return remote_list(store.repo)


def choose_remote(store: Store, name: str | None) -> tuple[str, str]:
    """The remote to sync with: the one named, else the only one, else ``origin``.

    Raises:
        SyncError: no such remote, none configured, or several and none named origin.
    """
    remotes = remote_list(store.repo)
    if name is not None:
        try:
            check_remote_name(name)
        except RemoteError as exc:
            raise SyncError(str(exc)) from None
        if name not in remotes:
            raise SyncError(f"没有名为 {name} 的远端(已有: {'、'.join(remotes) or '无'})")
        return name, remotes[name]
    if not remotes:
        raise SyncError("还没有配置远端:请管理员运行 tracker remote add 名称 地址")
    if len(remotes) == 1:
        return next(iter(remotes.items()))
    if "origin" in remotes:
        return "origin", remotes["origin"]
    raise SyncError(f"有多个远端({'、'.join(remotes)}),请用 --remote 指定")


# ---------------------------------------------------------------- status (no network)


def sync_status(store: Store, remote: str | None = None) -> dict[int, PlanStatus]:
    """Ahead/behind per plan against the remote-tracking refs of the last fetch (no network).

    Returns an empty dict when no remote is configured.
    """
    try:
        name, _ = choose_remote(store, remote)
    except SyncError:
        return {}
    repo = store.repo
    tracking = repo.refs(f"refs/remotes/{name}/plan")
    result: dict[int, PlanStatus] = {}
    years = set(store.years())
    years |= {int(r.rsplit("/", 1)[1]) for r in tracking if r.rsplit("/", 1)[1].isdigit()}
    for year in sorted(years):
        local = repo.rev_parse(branch_ref(year))
        theirs = tracking.get(f"refs/remotes/{name}/plan/{year}")
        if local and theirs:
            ahead, behind = ahead_behind(repo, local, theirs)
            result[year] = PlanStatus(year, ahead, behind, True)
        elif local:
            result[year] = PlanStatus(year, count_commits(repo, local), 0, False)
        elif theirs:
            result[year] = PlanStatus(year, 0, count_commits(repo, theirs), True)
    return result


# ---------------------------------------------------------------- the tree merge


@dataclass
class TreeMerge:
    """The result of merging two commits' trees file by file."""

    files: dict[str, bytes | None]  # repository path -> merged bytes (None: deleted), on top of ours
    conflicts: list[tuple[str, FieldConflict]]  # (file path, conflict)
    problems: list[str]  # files that could not be merged field by field (ours kept)


def _side(repo: GitRepo, tip: str) -> Side:
    name, email, when = commit_author(repo, tip)
    try:
        at: datetime | None = datetime.fromisoformat(when)
    except ValueError:
        at = None
    login = email.split("@", 1)[0] if "@" in email else name
    return Side(by=clean_line(login), at=at)


def merge_trees(repo: GitRepo, base: str | None, ours: str, theirs: str) -> TreeMerge:
    """Merge ``theirs`` into ``ours`` file by file (``base`` their common ancestor).

    A file changed on one side only is taken from that side; a TOML file
    changed on both goes through :func:`tracker.merge.merge_texts`; a file
    deleted on one side and changed on the other is kept (nothing is lost).
    Our version stays for anything that cannot be merged, and is reported.
    """
    def blobs(commit: str | None) -> dict[str, str]:
        return {e.path: e.oid for e in repo.ls_tree(commit) if e.kind == "blob"} if commit else {}

    b, o, t = blobs(base), blobs(ours), blobs(theirs)
    ours_side, theirs_side = _side(repo, ours), _side(repo, theirs)
    take_theirs: list[str] = []
    both: list[str] = []
    for path in sorted(set(o) | set(t)):
        bo, oo, to = b.get(path), o.get(path), t.get(path)
        if oo == to or to == bo:
            continue
        if oo == bo:
            take_theirs.append(path)
        else:
            both.append(path)
    wanted = [t[p] for p in take_theirs if p in t] + [x[p] for p in both for x in (b, o, t) if p in x]
    data = repo.cat_blobs(wanted)
    files: dict[str, bytes | None] = {p: (data[t[p]] if p in t else None) for p in take_theirs}
    conflicts: list[tuple[str, FieldConflict]] = []
    problems: list[str] = []
    for path in both:
        bo, oo, to = b.get(path), o.get(path), t.get(path)
        if oo is None or to is None:
            kept = to if oo is None else oo
            if oo is None and kept is not None:
                files[path] = data[kept]
            problems.append(f"{path}: 一方删除、另一方修改,已保留修改后的版本")
            continue
        if not path.endswith(".toml"):
            problems.append(f"{path}: 双方都修改了,非任务文件无法逐字段合并,保留本站版本")
            continue
        try:
            result = merge_texts(
                data[bo].decode("utf-8") if bo else "",
                data[oo].decode("utf-8"),
                data[to].decode("utf-8"),
                path,
                ours_side=ours_side,
                theirs_side=theirs_side,
            )
        except (MergeError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: 无法逐字段合并({clean_line(str(exc))}),保留本站版本")
            continue
        files[path] = result.text.encode("utf-8")
        conflicts += [(path, c) for c in result.conflicts]
    return TreeMerge(files, conflicts, problems)


# ---------------------------------------------------------------- sync


def _view(year: int, file: str, c: FieldConflict) -> ConflictView:
    rel = file[len(TASKS_DIR):] if file.startswith(TASKS_DIR) else file
    task = task_number_from_path(rel)
    path = c.path
    requirement = path[1] if len(path) >= 2 and path[0] == "requirements" else ""
    unit = path[3] if len(path) >= 5 and path[0] == "requirements" and path[2] == "units" else ""
    fname = path[-1] if path else ""
    return ConflictView(
        year, task, requirement, unit, fname, path, file,
        c.ours, c.theirs,
        c.ours_by, c.ours_at, c.theirs_by, c.theirs_at,
    )


def list_conflicts(store: Store, year: int) -> list[ConflictView]:
    """Every conflict recorded in the plan's task files at the branch tip."""
    tip = store.tip(year)
    entries = [e for e in store.repo.ls_tree(tip, TASKS_DIR.rstrip("/")) if e.kind == "blob"]
    data = store.repo.cat_blobs(e.oid for e in entries)
    views = []
    for e in entries:
        raw = data[e.oid]
        if b"conflicts" not in raw:
            continue  # cheap skip: most files have none
        for c in conflicts_in(raw.decode("utf-8", "replace")):
            views.append(_view(year, e.path, c))
    return views


def _events(repo: GitRepo, old: str | None, new: str) -> list[str]:
    from tracker.history import files_events

    if old == new:
        return []
    paths = set(changed_paths(repo, old, new))
    before, after = _files(repo, old, paths), _files(repo, new, paths)
    lines = []
    for ev in files_events(before, after):
        if ev.field == "conflicts" or ev.field in ("updated", "updated_by"):
            continue  # conflicts are listed on their own; stamps say nothing new
        where = f"任务{ev.task}.{ev.requirement}" if ev.task is not None and ev.requirement else (
            f"任务{ev.task}" if ev.task is not None else ev.path
        )
        unit = f" {ev.unit}" if ev.unit else ""
        label = FIELD_LABELS.get(ev.field, ev.field)
        lines.append(clean_line(f"{where}{unit} {label}: {ev.old or '(空)'} → {ev.new or '(空)'}"))
    return lines


def _files(repo: GitRepo, commit: str | None, paths: set[str]) -> dict[str, bytes]:
    if commit is None or not paths:
        return {}
    entries = {e.path: e.oid for e in repo.ls_tree(commit) if e.kind == "blob" and e.path in paths}
    data = repo.cat_blobs(entries.values())
    return {p: data[oid] for p, oid in entries.items()}


def _merge_message(name: str, year: int, came: int, conflicts: list[ConflictView], problems: list[str], op: Operator) -> str:
    body = [f"远端 {name} 的 plan/{year} 有 {came} 个本站没有的提交,逐字段合并。"]
    for c in conflicts:
        body.append(f"冲突: {c.describe()}")
    body += [f"未能合并: {p}" for p in problems]
    trailers = [("Plan", str(year)), ("Operator", op.login), ("Sync-Remote", name)]
    return compose_message(f"同步: 合并远端 {name} 的 plan/{year}", body, trailers)


def _plan_not_accepted(repo: GitRepo, year: int, tracking: str) -> str:
    """Why the remote's new ``plan/YEAR`` is not taken here ("" when it is).

    A site with no plan yet takes its first one on trust. After that a new plan
    branch passes the judgement ``verify`` makes: its first commit by an admin of
    this site's anchor plan, every commit within its author's rights and signed
    where the trust root asks for it. Otherwise anyone who can push to the remote
    could bring in a plan that makes them admin and, as the newest, every
    command's default.
    """
    from tracker.published import first_published
    from tracker.verify import plan_anchor, verify_commits

    plans = repo.refs(BRANCH_PREFIX.rstrip("/"))
    if not plans:
        return ""
    anchor, roots = plan_anchor(repo, plans, first_published(repo))
    findings = verify_commits(repo, [tracking], list(plans.values()), anchor=anchor, anchor_roots=roots)
    if not findings:
        return ""
    first = findings[0].line()
    return t(f"远端的新计划分支 plan/{year} 未被接受,本站没有建立它({len(findings)} 处问题,第一处: {first});"
             "请管理员核实,并在远端删除这个分支",
             f"the remote's new plan branch plan/{year} was not accepted and was not created here ({len(findings)} "
             f"findings, the first: {first}); an admin should check it and delete the branch on the remote")


def _integrate(store: Store, operator: Operator, name: str, year: int, report: PlanSync, lock: int) -> None:
    """Bring ``plan/YEAR`` up to date with the remote-tracking ref (create, fast-forward or merge)."""
    from tracker.service import Service

    repo = store.repo
    ref = branch_ref(year)
    tracking = repo.rev_parse(f"refs/remotes/{name}/plan/{year}")
    for _ in range(MAX_ROUNDS):
        local = repo.rev_parse(ref)
        if tracking is None or local == tracking:
            return
        if local is None:
            refusal = _plan_not_accepted(repo, year, tracking)
            if refusal:
                report.not_taken = refusal
                return
            if repo.create_branch(ref, tracking):
                report.created = True
                report.came_in += count_commits(repo, tracking)
                report.events_in.append(f"新建本地分支 plan/{year}")
                return
            continue
        if is_ancestor(repo, tracking, local):
            return  # we are ahead: only a push is owed
        merged: TreeMerge | None = None
        if is_ancestor(repo, local, tracking):
            new: str | None = tracking if Service(store, operator, year).advance(local, tracking, lock=lock) else None
        else:
            base = merge_base(repo, local, tracking)
            merged = merge_trees(repo, base, local, tracking)
            views = [_view(year, f, c) for f, c in merged.conflicts]
            came = count_commits(repo, tracking, local)
            message = _merge_message(name, year, came, views, merged.problems, operator)
            new = store.commit(year, local, merged.files, message, (operator.name, operator.email),
                               merge_parent=tracking, lock=lock)
        if new is None:
            continue  # a local writer got in first: merge again on the new tip
        report.came_in += count_commits(repo, tracking, local)
        report.events_in += _events(repo, local, new)
        if merged is not None:
            report.merged = True
            report.new_conflicts += [_view(year, f, c) for f, c in merged.conflicts]
            report.file_problems += merged.problems
        return
    raise SyncError(f"plan/{year} 在同步时被本站其他写入者反复修改,请稍后重试")


_RACE_WORDS = ("fetch first", "non-fast-forward", "stale info", "cannot lock ref", "failed to update ref",
               "failed to lock")
_LOCAL_LOCK_WORDS = ("cannot lock ref", "unable to update local ref", "Unable to create", "File exists")


def explain_refusal(ref: str, summary: str, remote_messages: Iterable[str]) -> str:
    """A push the remote refused, in the operator's words (Chinese)."""
    said = [clean_line(m) for m in remote_messages if clean_line(m)]
    branch = ref.removeprefix("refs/heads/")
    if "hook declined" in summary:
        head = f"远端拒绝接收 {branch}:远端的检查钩子不接受这些提交。"
    elif "deny" in summary or "shallow" in summary:
        head = f"远端拒绝接收 {branch}:远端设置不允许这种推送({clean_line(summary)})。"
    else:
        head = f"远端拒绝接收 {branch}({clean_line(summary)})。"
    reasons = ("远端的说明: " + ";".join(said[:10])) if said else ""
    tail = "本站的提交都还在,没有丢失;请把上面的说明转给管理员处理后再同步。"
    return " ".join(x for x in (head, reasons, tail) if x)


def sync(
    store: Store,
    operator: Operator,
    *,
    remote: str | None = None,
    years: Iterable[int] | None = None,
    max_rounds: int = MAX_ROUNDS,
) -> SyncResult:
    """Fetch, merge and push the plans (``years`` None: every plan on either side).

    Raises:
        SyncError: no usable remote, a fetch that failed (network, access),
            the operator may not write (auditor, guest), or a checked-out work
            tree with hand edits in the way.
    """
    if operator.role not in ("operator", "admin"):
        raise SyncError(f"{operator.login} 是{operator.role_label},不能同步(同步会写入合并提交)")
    name, url = choose_remote(store, remote)
    try:
        with store.repo.writer_lock(timeout=SYNC_LOCK_WAIT) as fd:
            return _sync_locked(store, operator, name, url, years, max_rounds, fd)
    except LockBusy:
        raise SyncError(t(f"本数据仓库的另一个同步或写入已持续 {SYNC_LOCK_WAIT:.0f} 秒没有进展,请稍后再同步",
                          f"another sync or write in this store made no progress for {SYNC_LOCK_WAIT:.0f} "
                          "seconds; sync again later")) from None


def _fetch(repo: GitRepo, name: str, lock: int) -> None:
    """Fetch the remote's plans; a ref lock held by a foreign git process is waited out."""
    for attempt in range(FETCH_TRIES):
        try:
            git_remote.fetch(repo, name, [f"+refs/heads/plan/*:refs/remotes/{name}/plan/*"], pass_fds=(lock,))
            return
        except RemoteError as exc:
            raise SyncError(str(exc)) from None
        except GitError as exc:
            if attempt + 1 < FETCH_TRIES and any(w in exc.stderr for w in _LOCAL_LOCK_WORDS):
                time.sleep(0.2 * (attempt + 1))
                continue
            raise SyncError(f"从远端 {name} 获取失败: {clean_line(exc.stderr)[:400]}") from None


def _sync_locked(
    store: Store, operator: Operator, name: str, url: str, years: Iterable[int] | None, max_rounds: int, lock: int
) -> SyncResult:
    """:func:`sync` once the writer lock is held (``lock``: its descriptor)."""
    repo = store.repo
    result = SyncResult(name, url, setup=ensure_site_setup(repo))
    wanted = None if years is None else sorted(set(years))
    reports: dict[int, PlanSync] = {}
    refused: dict[int, str] = {}
    for round_no in range(1, max_rounds + 1):
        _fetch(repo, name, lock)
        tracking = repo.refs(f"refs/remotes/{name}/plan")
        remote_years = {int(r.rsplit("/", 1)[1]) for r in tracking if r.rsplit("/", 1)[1].isdigit()}
        plan_years = wanted if wanted is not None else sorted(set(store.years()) | remote_years)
        pushes: dict[int, str | None] = {}
        for year in plan_years:
            if year in refused:
                continue
            report = reports.setdefault(year, PlanSync(year))
            report.rounds = round_no
            try:
                _integrate(store, operator, name, year, report, lock)
            except HandEdits as exc:
                raise SyncError(str(exc)) from None
            local = repo.rev_parse(branch_ref(year))
            theirs = tracking.get(f"refs/remotes/{name}/plan/{year}")
            if local is not None and local != theirs:
                pushes[year] = theirs
        if not pushes:
            break
        pushed = git_remote.push(repo, name, [f"{branch_ref(y)}:{branch_ref(y)}" for y in pushes], pass_fds=(lock,))
        status = {r.ref: r for r in pushed.refs}
        retry = False
        for year, before in pushes.items():
            line = status.get(branch_ref(year))
            if line is not None and line.ok:
                now = repo.rev_parse(branch_ref(year))
                assert now is not None
                reports[year].went_out += count_commits(repo, now, before)
                if before is None:
                    reports[year].events_out.append(f"远端新建分支 plan/{year}")
                else:
                    reports[year].events_out += _events(repo, before, now)
                continue
            summary = line.summary if line else clean_line(pushed.stderr)[:300]
            if any(word in summary for word in _RACE_WORDS) and "hook declined" not in summary:
                retry = True  # someone pushed first: fetch, merge, push again
                continue
            refused[year] = explain_refusal(branch_ref(year), summary, pushed.remote_messages)
            reports[year].refused = refused[year]
        if not retry:
            break
    else:
        for year, report in reports.items():
            if not report.refused and repo.rev_parse(branch_ref(year)) != repo.rev_parse(
                f"refs/remotes/{name}/plan/{year}"
            ):
                report.refused = f"plan/{year} 连续 {max_rounds} 轮都有其他站点抢先推送;本站提交都还在,请稍后再同步。"
    result.plans = [reports[y] for y in sorted(reports)]
    for year in sorted(reports):
        if repo.rev_parse(branch_ref(year)):
            result.conflicts += list_conflicts(store, year)
    return result


# ---------------------------------------------------------------- resolving a conflict


def resolve_conflict(
    store: Store,
    operator: Operator,
    task: int,
    requirement: str,
    unit: str,
    field_name: str,
    choice: str,
    *,
    year: int | None = None,
) -> str:
    """Settle one recorded conflict by a choice; the choice is itself a commit.

    ``choice`` is ``ours`` (keep this site's value), ``theirs`` (take the
    other site's) or, for a status, a status key or label. Returns the commit id.

    Raises:
        SyncError: no such conflict, or a choice that is not one of those.
        tracker.service.ServiceError: permission (a unit operator settles only
            its own units) and the service's other refusals.
    """
    from tracker.service import Service

    result = Service(store, operator, year).resolve(task, requirement, unit, field_name, choice)
    if result.commit is None:
        raise SyncError("没有需要裁决的冲突")
    return result.commit


__all__ = [
    "ConflictView",
    "PlanStatus",
    "PlanSync",
    "SyncError",
    "SyncResult",
    "add_remote",
    "choose_remote",
    "ensure_site_setup",
    "list_conflicts",
    "list_remotes",
    "merge_trees",
    "prepare_clone",
    "render_summary",
    "resolve_conflict",
    "sync",
    "sync_status",
]
