"""The write path's rules: who may change what, the edit each change means, and its commit message.

Every change (TUI, CLI, spreadsheet, undo) is a list of :class:`Change` given
to :meth:`Service.apply`:

1. who may do what comes from ``tasks/operators.toml`` *at the branch tip*
   (a unit operator: its own units' status, notes, evidence; an admin:
   everything, and entering a unit's data is recorded as ``On-behalf-of``; an
   auditor or an unlisted account: nothing);
2. each value passes :func:`tracker.rules.validate_change`; the touched task files
   are read at the tip (no checkout) and edited by :mod:`tracker.toml_edit`
   (untouched bytes stay, the result checked with ``tomllib``);
3. the message is built by code (:mod:`tracker.messages`) and
   :meth:`tracker.store.Store.commit`, the one door, commits on that tip;
4. the branch moves only if it still points at that tip; after a lost race
   the changes are re-applied to the new tip, unless a changed field was
   changed meanwhile: then :class:`ConflictError`, never an overwrite.

Commit identity: author and committer are the operator, name from
``operators.toml``, e-mail ``LOGIN@zwgk.local``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tracker.changes import Change, Conflict
from tracker.codec import (
    OPERATORS_FILE,
    CodecError,
    load_task,
    task_relpath,
)
from tracker.errors import ServiceError
from tracker.i18n import t
from tracker.messages import compose_message, quote_user_text
from tracker.model import Status, Task
from tracker.operators import Operator, add_operator, how_to_be_added, operator_for, remove_operator
from tracker.reminders import REMINDERS_FILE, ReminderRecord, append_reminders, reminder_subject
from tracker.rules import FIELD_LABELS, InvalidChange, validate_change
from tracker.store import TASKS_DIR, HandEdits, Snapshot, Store, StoreError
from tracker.textsafe import clean_line
from tracker.toml_edit import edit_file

MAX_ATTEMPTS = 200


class PermissionDenied(ServiceError):
    """The operator may not make some of the changes (listed in ``refused``)."""

    def __init__(self, message: str, refused: list[Change] | None = None) -> None:
        super().__init__(message)
        self.refused = refused or []


class ConflictError(ServiceError):
    """The same field changed meanwhile; nothing was written."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        super().__init__("冲突,未提交: " + ";".join(c.describe() for c in conflicts))


@dataclass
class CommitResult:
    """What :meth:`Service.apply` did (``commit`` is None for a dry run or no-op)."""

    commit: str | None
    subject: str
    message: str
    year: int
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    attempts: int = 1
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def short(self) -> str:
        return self.commit[:10] if self.commit else ""


@dataclass
class _Edit:
    """The outcome of building a change on one snapshot."""

    files: dict[str, bytes | None]  # tasks/-relative path -> new bytes (None: delete)
    subject: str
    body: list[str]
    trailers: list[tuple[str, str]]
    changes: list[Change]
    parsed: dict[str, Task] = field(default_factory=dict)  # path -> what its new bytes parse to


Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


class Service:
    """Changes to one plan of one store, on behalf of one operator."""

    def __init__(self, store: Store, operator: Operator, year: int | None = None, clock: Clock = _now) -> None:
        self.store = store
        self.operator = operator
        self.year = year if year is not None else store.default_year()
        self.clock = clock

    # ---------------------------------------------------------------- permissions

    def may_edit(self, unit: str, operator: Operator | None = None) -> tuple[bool, str]:
        """Whether the operator may change ``unit``'s assignments, and why (Chinese)."""
        op = operator or self.operator
        if op.role == "admin":
            return True, "管理员可修改所有单位"
        if op.role == "auditor":
            return False, f"{op.login} 是审计员,只能查看"
        if op.role == "guest":
            return False, how_to_be_added(op.login)
        if unit in op.units:
            return True, f"{unit} 是 {op.login} 负责的单位"
        mine = "、".join(op.units) or "无"
        return False, f"{op.login} 只能修改本单位({mine})的任务,不能修改 {unit}"

    def _effective_operator(self, snap: Snapshot) -> Operator:
        # The file at the tip decides, not the object the caller holds: an
        # operator removed a minute ago can no longer write.
        return operator_for(self.operator.login, snap.operators())

    # ---------------------------------------------------------------- the write path

    def apply(
        self,
        changes: list[Change],
        *,
        on_behalf_of: str | None = None,
        dry_run: bool = False,
        subject_prefix: str = "",
        extra_trailers: Iterable[tuple[str, str]] = (),
    ) -> CommitResult:
        """Apply ``changes`` as one commit on ``plan/YEAR``.

        Raises:
            InvalidChange: an unknown task, requirement, unit, field or value.
            PermissionDenied: the operator may not make some change.
            ConflictError: a changed field was changed meanwhile (nothing written).
            HandEdits: the checked-out work tree has uncommitted edits to a touched file.
        """
        if not changes:
            raise InvalidChange("没有要提交的修改")
        first_seen: dict[int, Any] = {}
        extra = list(extra_trailers)

        def build(snap: Snapshot) -> _Edit | None:
            return self._build_changes(snap, changes, first_seen, on_behalf_of, subject_prefix, extra)

        # Only the touched task files are read (plus plan, units, operators), on
        # every attempt: a retry after a lost race re-reads just those.
        touched = {c.task for c in changes if isinstance(c.task, int) and not isinstance(c.task, bool)}
        return self._write(build, dry_run, touched)

    def _write(
        self, build: Callable[[Snapshot], _Edit | None], dry_run: bool, tasks: set[int] | None = None
    ) -> CommitResult:
        # First try optimistically (build without the writer lock, CAS at the end);
        # after a lost race, build under the lock so the next try cannot lose.
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if attempt == 1 or dry_run:
                result = self._attempt(build, dry_run, attempt, None, tasks)
            else:
                with self.store.repo.writer_lock() as fd:
                    result = self._attempt(build, dry_run, attempt, fd, tasks)
            if result is not None:
                return result
        raise ServiceError(f"连续 {MAX_ATTEMPTS} 次与其他写入者冲突,请稍后重试")

    def _attempt(
        self, build: Callable[[Snapshot], _Edit | None], dry_run: bool, attempt: int, fd: int | None,
        tasks: set[int] | None = None,
    ) -> CommitResult | None:
        snap = self.store.snapshot(self.year, shared=True, tasks=tasks)
        edit = build(snap)
        if edit is None:
            return CommitResult(None, "没有变化", "", self.year, [], dry_run, attempt)
        op = self._effective_operator(snap)
        message = compose_message(edit.subject, edit.body, edit.trailers)
        files = {p: d for p, d in edit.files.items() if d is not None}
        if dry_run:
            return CommitResult(None, message.split("\n", 1)[0], message, self.year, edit.changes, True, attempt, files)
        commit = self.store.commit(
            self.year, snap.commit, {TASKS_DIR + p: d for p, d in edit.files.items()}, message, (op.name, op.email),
            parsed={TASKS_DIR + p: task for p, task in edit.parsed.items()}, lock=fd,
        )
        if commit is None:
            return None
        return CommitResult(commit, message.split("\n", 1)[0], message, self.year, edit.changes, False, attempt, files)

    # ---------------------------------------------------------------- building field changes

    def _build_changes(
        self,
        snap: Snapshot,
        changes: list[Change],
        first_seen: dict[int, Any],
        on_behalf_of: str | None,
        subject_prefix: str,
        extra_trailers: list[tuple[str, str]],
    ) -> _Edit | None:
        op = self._effective_operator(snap)
        normalised = [self._normalise(snap, c) for c in changes]
        refused = [(c, why) for c in normalised for ok, why in [self.may_edit(c.unit, op)] if not ok]
        if refused:
            raise PermissionDenied("无权修改: " + ";".join(dict.fromkeys(why for _, why in refused)), [c for c, _ in refused])
        behalf_units: list[str] = []
        if on_behalf_of is not None:
            if op.role != "admin":
                raise PermissionDenied(f"只有管理员可以代单位录入({op.login} 是{op.role_label})")
            unit = snap.loaded.registry.resolve(on_behalf_of)
            if unit.kind == "unknown":
                raise InvalidChange(f"未知单位: {on_behalf_of}")
            others = sorted({c.unit for c in normalised if c.unit != unit.name})
            if others:
                raise InvalidChange(f"代 {unit.name} 录入时不能修改其他单位: {'、'.join(others)}")
            behalf_units = [unit.name]
        elif op.role == "admin":
            behalf_units = sorted({c.unit for c in normalised if c.unit not in op.units})

        now = self.clock()
        by_file: dict[int, list[tuple[int, Change]]] = {}
        for i, c in enumerate(normalised):
            by_file.setdefault(c.task, []).append((i, c))
        raw = self.store.file_bytes(snap, [snap.loaded.paths[t] for t in by_file])
        conflicts: list[Conflict] = []
        files: dict[str, bytes | None] = {}
        parsed_tasks: dict[str, Task] = {}
        done: list[tuple[Change, str]] = []  # (change, summary)
        for number, items in by_file.items():
            rel = snap.loaded.paths[number]
            text = raw[rel].decode("utf-8")
            path = TASKS_DIR + rel
            # Edit only the touched units' tables (tomlkit on a few lines, not the
            # whole file); anything unusual falls back to the whole file.
            outcome = edit_file(text, path, items, first_seen, now, op.login, splice=True)
            if outcome is None:
                outcome = edit_file(text, path, items, first_seen, now, op.login, splice=False)
            assert outcome is not None
            out, file_conflicts, file_done, task = outcome
            conflicts += file_conflicts
            done += file_done
            if out is not None:
                files[rel] = out.encode("utf-8")
                if task is not None:
                    parsed_tasks[rel] = task
        if conflicts:
            raise ConflictError(conflicts)
        if not done:
            return None
        subject, body = _describe(done, snap)
        trailers = [("Task", str(t)) for t in dict.fromkeys(c.task for c, _ in done)]
        trailers += [("Requirement", r) for r in dict.fromkeys(c.req_id for c, _ in done)]
        trailers += [("Unit", u) for u in dict.fromkeys(c.unit for c, _ in done)]
        trailers.append(("Operator", op.login))
        trailers += [("On-behalf-of", u) for u in behalf_units if u in {c.unit for c, _ in done}]
        trailers.append(("Plan", str(self.year)))
        trailers += extra_trailers
        return _Edit(files, subject_prefix + subject, body, trailers, [c for c, _ in done], parsed_tasks)

    def _normalise(self, snap: Snapshot, c: Change) -> Change:
        """Check a change against the plan and return it with canonical names and values."""
        plan = snap.loaded.plan
        task = plan.tasks.get(c.task) if isinstance(c.task, int) and not isinstance(c.task, bool) else None
        if task is None:
            raise InvalidChange(f"{self.year} 年计划中没有任务 {c.task}")
        req = task.requirement(str(c.requirement))
        if req is None:
            keys = "、".join(r.id for r in task.requirements)
            raise InvalidChange(f"任务{c.task} 没有第 {c.requirement} 条要求(有: {keys})")
        resolved = snap.loaded.registry.resolve(c.unit)
        unit = resolved.name if resolved.name in req.assignments else clean_line(c.unit)
        if unit not in req.assignments:
            names = "、".join(req.assignments) or "无"
            raise InvalidChange(f"任务{req.id} 没有 {clean_line(c.unit)} 的分工(责任单位: {names})")
        value = validate_change(c.field, c.value)
        return replace(c, requirement=req.key, unit=unit, value=value)


    # ---------------------------------------------------------------- undo

    def undo(self, commit: str) -> CommitResult:
        """Revert one commit of this plan field by field, as a new commit (history is never rewritten).

        The commit must be an ordinary (one-parent) commit on ``plan/YEAR``. Each of its
        field changes is inverted (a status set back, an added note or evidence item
        removed, a removed one added again) and applied through :meth:`apply`, so the
        operator's rights are checked and a field changed since is a conflict. The
        subject starts ``撤销 SHA:``; an ``Undo: SHA`` trailer names the commit.

        Raises:
            InvalidChange: no such commit, not on this plan, a root or merge commit,
                a change that cannot be undone field by field, or nothing to undo.
            PermissionDenied, ConflictError, HandEdits: as for :meth:`apply`.
        """
        from tracker.git.log import commit_changes, is_ancestor, log_commits
        from tracker.history import files_events, inverse_changes

        repo = self.store.repo
        sha = repo.rev_parse(commit)
        if sha is None:
            raise InvalidChange(t(f"找不到提交 {clean_line(commit)!r}", f"no such commit: {clean_line(commit)!r}"))
        if not is_ancestor(repo, sha, self.store.tip(self.year)):
            raise InvalidChange(t(f"提交 {sha[:10]} 不在 plan/{self.year} 上",
                                  f"commit {sha[:10]} is not on plan/{self.year}"))
        [info] = log_commits(repo, [sha], max_count=1)
        if len(info.parents) != 1:
            raise InvalidChange(t("只能撤销普通提交(不能撤销首个提交或合并提交)",
                                  "only an ordinary commit can be undone (not a root or merge commit)"))
        [(before, after)] = commit_changes(repo, [info])
        inverses, refused = inverse_changes(files_events(before, after))
        if refused:
            what = "、".join(dict.fromkeys(
                f"{c.task or c.path}{'.' + c.requirement if c.requirement else ''} {c.field}" for c in refused
            ))
            raise InvalidChange(t(f"此提交还改了不能逐字段撤销的内容({what}),请管理员手工处理",
                                  f"this commit also changed what cannot be undone field by field ({what}); ask an admin"))
        if not inverses:
            raise InvalidChange(t("此提交没有可撤销的修改", "this commit changed nothing that can be undone"))
        changes = [Change(i.task, i.requirement, i.unit, i.field, i.value, i.expected) for i in inverses]
        return self.apply(changes, subject_prefix=f"撤销 {sha[:10]}: ", extra_trailers=[("Undo", sha)])

    # ---------------------------------------------------------------- sync: moving to a merge, settling a conflict

    def advance(self, old: str, new: str, *, lock: int | None = None) -> bool:
        """Move ``plan/YEAR`` from ``old`` to ``new`` (a fast-forward to commits fetched from a remote).

        A checked-out work tree is brought along like after any commit, and hand
        edits in the way stop the move (:class:`HandEdits`). False: the branch
        moved meanwhile (merge again on the new tip). ``lock``: the writer lock's
        descriptor when the caller holds it (a sync does).
        """
        return self.store.advance(self.year, old, new, lock=lock)

    def resolve(self, task: int, requirement: str, unit: str, field_name: str, choice: str) -> CommitResult:
        """Settle one ``[[conflicts]]`` entry a sync merge recorded: set the chosen value, drop the entry.

        ``choice``: ``ours`` (the value the file keeps), ``theirs``, or for a
        status a status key or label. A unit operator settles its own units'
        conflicts; anything outside a unit's table needs an admin. One commit.

        Raises:
            InvalidChange: no such conflict, or a choice that is not allowed.
            PermissionDenied: the operator may not change that unit (or the plan text).
        """
        from tracker.merge import MISSING, _to_item

        def build(snap: Snapshot) -> _Edit | None:
            op = self._effective_operator(snap)
            rel = snap.loaded.paths.get(task)
            if rel is None:
                raise InvalidChange(f"没有任务{task}")
            if unit:
                target: tuple[str, ...] = ("requirements", requirement, "units", unit, field_name)
                ok, why = self.may_edit(unit, op)
            else:
                target = ("requirements", requirement, field_name) if requirement else (field_name,)
                ok, why = op.role == "admin", f"只有管理员可以裁决任务本身的冲突({op.login} 是{op.role_label})"
            if not ok:
                raise PermissionDenied(why)
            text = self.store.repo.cat_blobs([snap.blobs[rel]])[snap.blobs[rel]].decode("utf-8")
            plain = tomllib.loads(text)
            entries = plain.get("conflicts", [])
            index = next((i for i, e in enumerate(entries) if tuple(e.get("path", ())) == target), None)
            if index is None:
                raise InvalidChange(f"任务{task} 没有这个冲突: {'.'.join(target)}")
            entry = entries[index]
            if choice in ("ours", "theirs"):
                value = entry.get(choice, MISSING)
            elif field_name == "status":
                try:
                    value = Status.parse(choice).value
                except ValueError as exc:
                    raise InvalidChange(str(exc)) from None
            else:
                raise InvalidChange(f"只能选择 ours(本站)或 theirs(远端): {clean_line(choice)!r}")
            import tomlkit  # settling a conflict only: a plain update never loads tomlkit

            doc = tomlkit.parse(text)
            node: Any = doc
            for key in target[:-1]:
                node = node[key]
            if value is MISSING:
                if field_name in node:
                    del node[field_name]
            elif plain_get(plain, target) != value:
                node[field_name] = _to_item(field_name, value)
            if unit:
                node["updated"] = self.clock()
                node["updated_by"] = op.login
            del doc["conflicts"][index]
            if not doc["conflicts"]:
                del doc["conflicts"]
            out = tomlkit.dumps(doc)
            path = TASKS_DIR + rel
            load_task(out, path)
            shown = "(删除)" if value is MISSING else (Status(value).label if field_name == "status" else clean_line(str(value))[:60])
            label = FIELD_LABELS.get(field_name, field_name)
            where = f"任务{task}.{requirement}" if requirement else f"任务{task}"
            subject = f"{where} {unit}: 裁决同步冲突 {label} → {shown}" if unit else f"{where}: 裁决同步冲突 {field_name} → {shown}"
            trailers = [("Task", str(task))]
            if requirement:
                trailers.append(("Requirement", f"{task}.{requirement}"))
            if unit:
                trailers.append(("Unit", unit))
            trailers += [("Operator", op.login), ("Plan", str(self.year))]
            body = [f"选择: {'本站的值' if choice == 'ours' else '远端的值' if choice == 'theirs' else '指定的值'}"]
            return _Edit({rel: out.encode("utf-8")}, subject, body, trailers, [])

        return self._write(build, False)

    # ---------------------------------------------------------------- operators and plans

    def _require_admin(self, snap: Snapshot, what: str) -> Operator:
        op = self._effective_operator(snap)
        if op.role != "admin":
            raise PermissionDenied(f"只有管理员可以{what}({op.login} 是{op.role_label})")
        return op

    def add_operator(self, login: str, units: list[str], role: str = "operator", name: str = "") -> CommitResult:
        """Add or replace an operator in ``tasks/operators.toml`` (admin only)."""
        from tracker.operators import ROLES, check_login

        try:
            check_login(login)
        except ValueError as exc:
            raise InvalidChange(str(exc)) from None
        if role not in ROLES:
            raise InvalidChange(f"未知角色 {role!r}(可用: {', '.join(ROLES)})")

        def build(snap: Snapshot) -> _Edit:
            admin = self._require_admin(snap, "管理操作员")
            canonical = []
            for unit in units:
                resolved = snap.loaded.registry.resolve(unit)
                if resolved.kind == "unknown":
                    raise InvalidChange(f"未知单位: {clean_line(unit)}")
                canonical.append(resolved.name)
            if role == "operator" and not canonical:
                raise InvalidChange("填报员至少要有一个单位(--unit)")
            new = Operator(login, clean_line(name) or login, tuple(dict.fromkeys(canonical)), role)
            text = add_operator(snap.loaded.operators_text, new)
            label = {"operator": "填报员", "admin": "管理员", "auditor": "审计员"}[role]
            subject = f"操作员 {login}: 设为{label}" + (f"({'、'.join(new.units)})" if new.units else "")
            return _Edit({OPERATORS_FILE: text.encode()}, subject, [f"姓名: {new.name}"],
                         [("Account", login), ("Operator", admin.login), ("Plan", str(self.year))], [])

        return self._write(build, False)

    def allow_signer(self, key_line: str) -> CommitResult:
        """Add an SSH public key to ``tasks/allowed_signers``, the trust root's signers (admin only).

        From then on ``verify`` and the hook require every commit on this plan to be
        signed by a listed key (the store's own, and each syncing site's).
        """
        from tracker.signing import SIGNERS_FILE, parse_allowed

        keys = parse_allowed(key_line)
        if len(keys) != 1:
            raise InvalidChange(f"不是一行 SSH 公钥(ssh-ed25519 AAAA... 注释): {clean_line(key_line)[:80]}")
        comment = clean_line(" ".join(key_line.split()[2:]))[:60]

        def build(snap: Snapshot) -> _Edit | None:
            admin = self._require_admin(snap, "管理签名密钥")
            current = b""
            if SIGNERS_FILE in snap.blobs:
                current = self.store.blob_bytes([snap.blobs[SIGNERS_FILE]])[snap.blobs[SIGNERS_FILE]]
            text = current.decode("utf-8", "replace")
            if keys[0] in parse_allowed(text):
                return None
            if not text:
                text = "# 信任根:可以签名提交的 SSH 公钥(每行一把;只有管理员可以改动)\n"
            text += (text.endswith("\n") and "" or "\n") + f"{keys[0]} {comment}".rstrip() + "\n"
            return _Edit({SIGNERS_FILE: text.encode()}, f"签名密钥: 加入 {comment or keys[0][:30]}",
                         [f"公钥: {keys[0]}"], [("Operator", admin.login), ("Plan", str(self.year))], [])

        return self._write(build, False)

    def remove_operator(self, login: str) -> CommitResult:
        """Remove an operator from ``tasks/operators.toml`` (admin only)."""

        def build(snap: Snapshot) -> _Edit:
            admin = self._require_admin(snap, "管理操作员")
            try:
                text = remove_operator(snap.loaded.operators_text, login)
            except KeyError:
                raise InvalidChange(f"操作员名单中没有 {clean_line(login)}") from None
            return _Edit({OPERATORS_FILE: text.encode()}, f"操作员 {login}: 移除", [],
                         [("Account", login), ("Operator", admin.login), ("Plan", str(self.year))], [])

        return self._write(build, False)

    def new_plan(self, year: int, carry: str = "unfinished") -> CommitResult:
        """Open ``plan/YEAR`` from this service's plan (admin only), as a new root commit.

        ``carry``: ``unfinished`` (tasks not yet done), ``all`` or ``none``.
        Carried tasks keep their number, record ``continues = "2019#9"``, and
        start again (statuses reset, notes and evidence cleared, due dates moved
        by the difference in years). Units and operators are copied.

        Raises:
            InvalidChange: bad year or carry mode, or the plan exists already.
            PermissionDenied: not an admin.
        """
        from tracker.codec import dump_plan_info, dump_task
        from tracker.model import PlanInfo

        if carry not in ("unfinished", "all", "none"):
            raise InvalidChange(f"--carry 只能是 unfinished、all 或 none,不是 {carry!r}")
        if not 1900 < year < 3000:
            raise InvalidChange(f"年度不合法: {year}")
        if year in self.store.years():
            raise InvalidChange(f"已有 {year} 年的计划")
        snap = self.store.snapshot(self.year)
        op = self._require_admin(snap, "新建年度计划")
        old = snap.loaded.plan
        shift = year - self.year
        files: dict[str, bytes] = {}
        carried = []
        for task in old.sorted_tasks():
            if carry == "none" or (carry == "unfinished" and task.status().is_closed):
                continue
            files[task_relpath(task.number, nested=len(old.tasks) > 999)] = dump_task(
                _restart(task, self.year, shift)
            ).encode()
            carried.append(task.number)
        info = PlanInfo(
            year=year,
            title=f"{year}年政务公开工作任务(由{self.year}年结转)",
            issuer=old.info.issuer,
            issued=None,
            source=f"plan/{self.year}@{snap.commit[:12]} 结转({carry})",
        )
        files["plan.toml"] = dump_plan_info(info).encode()
        for name in ("units.toml", OPERATORS_FILE):
            if name in snap.blobs:
                files[name] = self.store.repo.cat_blobs([snap.blobs[name]])[snap.blobs[name]]
        mode = {"unfinished": "未完成的任务", "all": "全部任务", "none": "不结转任务"}[carry]
        body = [f"来源: plan/{self.year} {snap.commit}", f"结转: {mode},共 {len(carried)} 项"]
        return self._open_plan(
            year, files, op, f"新建计划 {year}: 由 {self.year} 年结转 {len(carried)} 项任务", body,
            [("Plan", str(year)), ("Carried-from", f"{self.year}"), ("Operator", op.login)],
        )

    def import_plan(self, year: int, files: dict[str, bytes], source: str) -> CommitResult:
        """Open ``plan/YEAR`` from an imported notice's files (admin only), as a new root commit.

        ``files`` are ``tasks/``-relative (plan.toml, units.toml, task files).
        Operators are copied from this service's plan, so the office keeps its
        accounts; the files are validated before anything is written.

        Raises:
            InvalidChange: bad year, the plan exists already, or a file does not load.
            PermissionDenied: not an admin.
        """
        from tracker.planio import plan_from_files

        if not 1900 < year < 3000:
            raise InvalidChange(f"年度不合法: {year}")
        if year in self.store.years():
            raise InvalidChange(f"已有 {year} 年的计划;导入请换一个年度")
        snap = self.store.snapshot(self.year, tasks=[])
        op = self._require_admin(snap, "导入年度计划")
        files = dict(files)
        if OPERATORS_FILE in snap.blobs:
            files[OPERATORS_FILE] = self.store.repo.cat_blobs([snap.blobs[OPERATORS_FILE]])[snap.blobs[OPERATORS_FILE]]
        try:
            loaded = plan_from_files(files)
        except CodecError as exc:
            raise InvalidChange(f"导入的计划文件有误: {exc}") from None
        if loaded.plan.info.year != year:
            raise InvalidChange(f"plan.toml 的年度是 {loaded.plan.info.year},不是 {year}")
        body = [f"来源: {clean_line(source)}", f"任务 {len(loaded.plan.tasks)} 项"]
        return self._open_plan(
            year, files, op, f"导入计划 {year}: {len(loaded.plan.tasks)} 项任务", body,
            [("Plan", str(year)), ("Operator", op.login)],
        )

    def _open_plan(
        self, year: int, files: dict[str, bytes], op: Operator, subject: str, body: list[str],
        trailers: list[tuple[str, str]],
    ) -> CommitResult:
        # A new plan is a root commit on a branch that must not exist yet (compare-and-swap with no old value).
        message = compose_message(subject, body, trailers)
        commit = self.store.commit(year, None, {TASKS_DIR + p: d for p, d in files.items()}, message, (op.name, op.email))
        if commit is None:
            raise InvalidChange(f"已有 {year} 年的计划")
        return CommitResult(commit, message.split("\n", 1)[0], message, year, [], False, 1, files)

    def record_reminders(self, records: list[ReminderRecord], *, dry_run: bool = False) -> CommitResult:
        """Append reminders (催办) to ``tasks/reminders.toml`` in one commit of their own (admin only).

        The subject is ``催办 N 个单位: …``; one ``Reminder: UNIT`` trailer per unit. ``by`` is
        always the admin making the commit, whatever the records say.

        Raises:
            InvalidChange: no records, or a unit or requirement the plan does not have.
            PermissionDenied: the operator is not an office admin.
        """
        if not records:
            raise InvalidChange("没有要记录的催办")

        def build(snap: Snapshot) -> _Edit:
            admin = self._require_admin(snap, "催办")
            plan = snap.loaded.plan
            units = {a.unit for _, _, a in plan.assignments()}
            for r in records:
                if r.unit not in units:
                    raise InvalidChange(f"计划中没有单位 {clean_line(r.unit)} 的任务")
                missing = [i for i in r.items if plan.find_requirement(i) is None]
                if missing:
                    raise InvalidChange(f"计划中没有要求 {clean_line('、'.join(missing))}")
            stamped = [replace(r, by=admin.login) for r in records]
            current = self.store.read_files(snap.commit, [REMINDERS_FILE]).get(REMINDERS_FILE, b"")
            text = append_reminders(current.decode("utf-8"), stamped)
            body = [
                f"{clean_line(r.unit)}: {'、'.join(r.items) or '无'}" + (f"(已逾期: {'、'.join(r.late)})" if r.late else "")
                for r in stamped
            ]
            trailers = [("Reminder", clean_line(u)) for u in dict.fromkeys(r.unit for r in stamped)]
            trailers += [("Operator", admin.login), ("Plan", str(self.year))]
            return _Edit({REMINDERS_FILE: text.encode()}, reminder_subject(stamped), body, trailers, [])

        return self._write(build, dry_run)


# -------------------------------------------------------------------- helpers


def _restart(task: Task, from_year: int, shift: int) -> Task:
    import copy
    from datetime import date

    new = copy.deepcopy(task)
    new.continues = f"{from_year}#{task.number}"
    for req in new.requirements:
        moved = []
        for d in req.due:
            try:
                moved.append(d.replace(year=d.year + shift))
            except ValueError:  # 29 Feb
                moved.append(date(d.year + shift, d.month, 28))
        req.due = tuple(moved)
        for a in req.assignments.values():
            a.status = Status.NOT_STARTED
            a.notes = []
            a.evidence = []
            a.updated = None
            a.updated_by = ""
    return new


def _describe(done: list[tuple[Change, str]], snap: Snapshot) -> tuple[str, list[str]]:
    """Subject and body lines for the changes made (user text quoted in the body)."""
    groups: dict[tuple[int, str, str], list[tuple[Change, str]]] = {}
    for c, summary in done:
        groups.setdefault((c.task, c.requirement, c.unit), []).append((c, summary))
    heads = [f"任务{task}.{r} {clean_line(u)}: {', '.join(s for _, s in items)}" for (task, r, u), items in groups.items()]
    if len(heads) == 1:
        subject = heads[0]
    else:
        subject = f"批量更新 {len(groups)} 项: " + "; ".join(heads)
        if len(subject) > 120:
            subject = subject[:119] + "…"
    body: list[str] = []
    for (task, r, u), items in groups.items():
        body.append(f"任务{task}.{r} {clean_line(u)}")
        for c, summary in items:
            if c.field == "status":
                body.append(f"  状态: {summary}")
            else:
                body.append(f"  {summary}:")
                body += ["  " + line for line in quote_user_text(c.value)]
    return subject, body




def plain_get(data: Any, keys: tuple[str, ...]) -> Any:
    """The value at ``keys`` in parsed TOML, or None."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


__all__ = [
    "Change",
    "CommitResult",
    "Conflict",
    "ConflictError",
    "HandEdits",
    "InvalidChange",
    "PermissionDenied",
    "Service",
    "ServiceError",
    "StoreError",
]
