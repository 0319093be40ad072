"""Which commits changed what their author was not entitled to change.

The rules are judged on the files themselves, never on what a commit message
claims: for each commit, the files it changed are compared with its parent's,
every changed TOML key is mapped to who may change it, and the author (the
login in the author e-mail) is looked up in ``tasks/operators.toml`` *as it was
at the parent*, so nobody can grant themselves a right in the same commit.

Who may change what:

* a unit operator: ``status``, ``notes`` (append only, each new note by them),
  ``evidence``, ``updated`` and ``updated_by`` (their own login) of their own
  units' existing assignments;
* an office admin: everything (plan text, units, operators, reminders, any
  assignment, on behalf of a unit);
* an auditor or guest: nothing; an author not in the operators file: nothing.

Trailers are checked against the diff and the author: an ``Operator:`` that
is not the author, ``Task:``/``Unit:`` lists that differ from what changed, or
``On-behalf-of:`` by a non-admin are forged. A merge commit may hold only the
field-by-field union of its parents' changes; resolving a real conflict needs
an admin.

The trust root is the state before each commit: ``tasks/operators.toml`` (who is
admin) and ``tasks/allowed_signers`` (which SSH keys sign). A commit is judged by
the state its parent left *as accepted*: a commit with any finding changes
nothing in that state, so every later commit that used a right it tried to grant
is reported too. Where that state lists signers, every commit must carry a good
``git`` signature by one of them (checked with ``ssh-keygen -Y verify``, never
by the header's presence). The first commit of a new plan branch is judged by
an anchor (the state of an existing plan): only its admin may open a plan.

The pure functions take bytes; :func:`verify_commits` drives them through
:mod:`tracker.git.log`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.codec import OPERATORS_FILE
from tracker.git.log import CommitInfo
from tracker.history import (
    BOOKKEEPING_FIELDS,
    TASKS_PREFIX,
    canonical,
    flatten,
    is_reminders_path,
    is_task_path,
    leaf_changes,
    parse_bytes,
    render,
)
from tracker.messages import login_from_email
from tracker.textsafe import clean_line

OPERATORS_PATH = TASKS_PREFIX + OPERATORS_FILE
SIGNERS_PATH = TASKS_PREFIX + "allowed_signers"
UNSIGNED = "未签名:此前的信任根 tasks/allowed_signers 要求每个提交都由所列密钥签名"
BAD_SIGNATURE = "签名无效:不是 tasks/allowed_signers 所列密钥对此提交的有效签名"
OPERATOR_FIELDS = frozenset({"status", "notes", "evidence", "updated", "updated_by"})
ADMIN = "admin"
OPERATOR = "operator"


@dataclass(frozen=True)
class Actor:
    """An entry of the operators file, as verify needs it."""

    login: str
    name: str
    units: tuple[str, ...]
    role: str


@dataclass(frozen=True)
class TrustState:
    """The trust root a commit is judged by: the operators file and the allowed signers, as text."""

    operators: str
    signers: str


@dataclass(frozen=True)
class Finding:
    """One thing a commit's author was not entitled to do."""

    commit: str
    author: str
    what: str
    why: str

    def line(self) -> str:
        """``commit author what: why`` on one line, user text cleaned."""
        return f"{self.commit[:12]} {clean_line(self.author)} {clean_line(self.what)}: {clean_line(self.why)}"


# ---------------------------------------------------------------- operators


def parse_actors(text: str) -> dict[str, Actor]:
    """Logins of an operators file (``tracker.operators`` format).

    A broken file gives no actors (so every author is unknown) rather than an error:
    verify must keep going and report the commit that broke it.
    """
    from tracker.operators import load_operators  # noqa: PLC0415

    try:
        found = load_operators(text, OPERATORS_PATH)
    except ValueError:  # CodecError: a broken file means nobody is known
        return {}
    return {op.login: Actor(op.login, op.name, tuple(op.units), op.role) for op in found.values()}


# ---------------------------------------------------------------- who may change a key


@dataclass(frozen=True)
class Need:
    """What a changed key requires: ``unit`` set = that unit's operator (or admin); else admin."""

    what: str
    unit: str = ""
    forged: str = ""  # a violation no role excuses except admin (a note signed by someone else)
    place: str = ""  # findings of one place and reason are reported as one line
    field: str = ""


def _where_parts(path: str, key: Sequence[str]) -> tuple[str, str]:
    """(place, field) of a changed key: ("任务5.1 市发改局", "status")."""
    if is_task_path(path):
        number = path[len(TASKS_PREFIX) :].rsplit("/", 1)[-1].split(".")[0].lstrip("0")
        if len(key) >= 2 and key[0] == "requirements":
            rest = key[2:]
            if len(rest) >= 2 and rest[0] == "units":
                return f"任务{number}.{key[1]} {rest[1]}", ".".join(rest[2:]) or "(整条分工)"
            return f"任务{number}.{key[1]}", ".".join(rest) or "(整条要求)"
        return f"任务{number}", ".".join(key) or "(整个文件)"
    return path, ".".join(key)


def _where(path: str, key: Sequence[str]) -> str:
    place, name = _where_parts(path, key)
    return f"{place} {name}".strip()


def needs_for_file(path: str, before: bytes | None, after: bytes | None, login: str) -> list[Need]:
    """Every change in one file, with what it requires of the author."""
    if before == after:
        return []
    if not path.endswith(".toml"):
        return [Need(path)]
    try:
        old, new = parse_bytes(before), parse_bytes(after)
    except ValueError as exc:
        return [Need(f"{path}", forged=f"文件无法解析: {exc}")]
    if not is_task_path(path) or old is None or new is None:
        what = "催办记录" if is_reminders_path(path) else path
        if is_task_path(path):
            what = _where(path, ()) + (" 新增" if old is None else " 删除")
        return [Need(what)] if old != new else []
    return [
        need for key, a, b in leaf_changes(old, new) for need in _task_needs(path, key, a, b, old, new, login)
    ]


def _task_needs(
    path: str,
    key: tuple[str, ...],
    a: Any,
    b: Any,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    login: str,
) -> list[Need]:
    place, name = _where_parts(path, key)
    what = f"{place} {name}"
    if key == ("conflicts",):
        return _conflict_record_needs(path, a, b)
    if not (len(key) == 5 and key[0] == "requirements" and key[2] == "units" and key[4] in OPERATOR_FIELDS):
        return [Need(what)]
    unit = key[3]
    if not (_has(old, key[:4]) and _has(new, key[:4])):
        return [Need(what)]  # adding or removing an assignment is plan text
    field = key[4]
    if field == "notes":
        old_notes = a if isinstance(a, list) else []
        new_notes = b if isinstance(b, list) else []
        if new_notes[: len(old_notes)] != old_notes:
            return [Need(what + "(改写或删除已有进展)")]
        needs = []
        for note in new_notes[len(old_notes) :]:
            by = note.get("by", "") if isinstance(note, dict) else ""
            forged = "" if by == login else f"新进展的署名 {render(by)!r} 不是作者 {login}"
            needs.append(Need(what, unit=unit, forged=forged, place=place, field=name))
        return needs
    if field == "updated_by" and b != login:
        return [
            Need(
                what, unit=unit, forged=f"updated_by {render(b)!r} 不是作者 {login}", place=place, field=name
            )
        ]
    return [Need(what, unit=unit, place=place, field=name)]


def _conflict_record_needs(path: str, a: Any, b: Any) -> list[Need]:
    """Sync conflict records (issue 6, tracker/merge.py): settling one of a unit's fields is
    that unit's business; adding or changing records outside a merge is the admin's."""
    old = [e for e in a if isinstance(e, dict)] if isinstance(a, list) else []
    new = [e for e in b if isinstance(e, dict)] if isinstance(b, list) else []
    needs = [Need(_where(path, ("conflicts",)) + "(新增冲突记录)") for e in new if e not in old]
    for entry in old:
        if entry in new:
            continue
        key = entry.get("path")
        if isinstance(key, list) and len(key) == 5 and key[0] == "requirements" and key[2] == "units":
            place, _ = _where_parts(path, tuple(str(k) for k in key))
            needs.append(Need(f"{place} conflicts", unit=str(key[3]), place=place, field="conflicts"))
        else:
            needs.append(Need(_where(path, ("conflicts",))))
    return needs


def _has(data: Mapping[str, Any], key: Sequence[str]) -> bool:
    node: Any = data
    for part in key:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict)


def judge_needs(needs: Iterable[Need], actor: Actor | None, login: str) -> list[tuple[str, str]]:
    """``(what, why)`` for every need the actor does not meet, one line per place and reason."""
    needs = list(needs)
    if not needs:
        return []
    if actor is None:
        why = f"{login or '(空)'} 不在当时的 operators.toml 中(未知作者),却改动了 {needs[0].what} 等 {len(needs)} 处"
        return [("作者", why)]
    grouped: dict[tuple[str, str], list[Need]] = {}
    for need in needs:
        why = _refusal(need, actor, login)
        if why:
            grouped.setdefault((need.place or need.what, why), []).append(need)
    out: list[tuple[str, str]] = []
    for (place, why), items in grouped.items():
        if not items[0].place:
            out.extend((n.what, why) for n in items)
            continue
        names = list(dict.fromkeys(n.field for n in items))
        shown = [n for n in names if n not in BOOKKEEPING_FIELDS] or names
        out.append((f"{place} {'、'.join(shown)}", why))
    return out


def _refusal(need: Need, actor: Actor, login: str) -> str:
    """Why ``actor`` may not meet ``need`` ("" when they may)."""
    if actor.role == ADMIN:
        return ""
    if need.forged:
        return need.forged
    if actor.role != OPERATOR:
        return f"{_role_label(actor.role)}只能查看,不能修改"
    if not need.unit:
        return "只有管理员可以修改计划文本、单位、操作员和催办记录"
    if need.unit not in actor.units:
        mine = "、".join(actor.units) or "无"
        return f"操作员 {login} 只负责 {mine},无权修改 {need.unit} 的分工"
    return ""


def _role_label(role: str) -> str:
    return {"auditor": "审计员", "guest": "访客"}.get(role, f"角色 {role} ")


# ---------------------------------------------------------------- trailers vs diff


_SPLIT = re.compile(r"[,,、\s]+")


def changed_scope(
    before: Mapping[str, bytes], after: Mapping[str, bytes]
) -> tuple[set[int], set[str], set[str]]:
    """(task numbers, units of changed assignments, reminded units) a commit touched."""
    tasks: set[int] = set()
    units: set[str] = set()
    reminded: set[str] = set()
    for path in set(before) | set(after):
        a, b = before.get(path), after.get(path)
        if a == b:
            continue
        try:
            old, new = parse_bytes(a), parse_bytes(b)
        except ValueError:
            continue
        if is_task_path(path):
            number = (new or old or {}).get("number")
            if isinstance(number, int):
                tasks.add(number)
            for key, _, _ in leaf_changes(old, new):
                if len(key) >= 4 and key[0] == "requirements" and key[2] == "units":
                    units.add(key[3])
        elif is_reminders_path(path):
            old_items = {canonical(x) for x in (old or {}).get("reminders", []) if isinstance(x, dict)}
            for item in (new or {}).get("reminders", []):
                if isinstance(item, dict) and canonical(item) not in old_items:
                    reminded.add(str(item.get("unit", "")))
    return tasks, units, reminded


def judge_trailers(
    trailers: Mapping[str, list[str]],
    login: str,
    actor: Actor | None,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
) -> list[tuple[str, str]]:
    """Trailers that disagree with the author or with what the commit changed."""
    out: list[tuple[str, str]] = []
    operators = trailers.get("operator", [])
    if any(value != login for value in operators) or len(operators) > 1:
        out.append(("尾注 Operator", f"写的是 {'、'.join(operators)},作者却是 {login}(伪造的尾注)"))
    if trailers.get("on-behalf-of") and (actor is None or actor.role != ADMIN):
        out.append(("尾注 On-behalf-of", f"{login} 不是管理员,不能代为填报"))
    tasks, units, reminded = changed_scope(before, after)
    claimed_tasks = _numbers(trailers.get("task", []))
    if trailers.get("task") and claimed_tasks != tasks:
        out.append(("尾注 Task", f"写的是 {_join(claimed_tasks)},实际改动的是 {_join(tasks) or '无任务'}"))
    claimed_units = {u for v in trailers.get("unit", []) for u in _SPLIT.split(v.strip()) if u}
    if trailers.get("unit") and claimed_units != units:
        out.append(("尾注 Unit", f"写的是 {_join(claimed_units)},实际改动的是 {_join(units) or '无单位'}"))
    claimed_reminded = {v.strip() for v in trailers.get("reminder", []) if v.strip()}
    if trailers.get("reminder") and not claimed_reminded <= reminded:
        out.append(
            (
                "尾注 Reminder",
                f"写的是 {_join(claimed_reminded)},催办记录里新增的是 {_join(reminded) or '无'}",
            )
        )
    return out


def _numbers(values: Iterable[str]) -> set[int]:
    found: set[int] = set()
    for value in values:
        for part in _SPLIT.split(value.strip()):
            head = part.split(".", 1)[0].lstrip("#")
            if head.isdigit():
                found.add(int(head))
    return found


def _join(values: Iterable[Any]) -> str:
    return "、".join(str(v) for v in sorted(values, key=str))


# ---------------------------------------------------------------- one commit


def identify(meta: CommitInfo, actors: Mapping[str, Actor]) -> tuple[str, Actor | None]:
    """The author's login (from the author e-mail) and their entry, if any."""
    login = login_from_email(meta.author_email)
    return login, actors.get(login)


def judge_commit(
    meta: CommitInfo,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
    operators_at_parent: str | None,
    *,
    signed: bool | None = None,
    signing_required: bool = False,
    signature_present: bool | None = None,
    new_branch: bool = False,
) -> list[Finding]:
    """Findings for one non-merge commit, given its changed files before and after.

    ``operators_at_parent`` is the operators file at the parent (None for a root
    commit, which is judged by the operators file it creates: its author must
    be an admin there). ``new_branch``: the first commit of a new plan branch,
    judged by ``operators_at_parent`` = the anchor's operators (only an admin
    may open a plan). ``signed``: the signature is good; ``signature_present``
    tells a bad signature from a missing one.
    """
    if new_branch:
        actors = parse_actors(operators_at_parent or "")
        login, actor = identify(meta, actors)
        opened: list[tuple[str, str]] = []
        if actor is None or actor.role != ADMIN:
            opened.append(("新计划分支", f"首个提交的作者 {login} 不是现有计划的管理员:新的计划分支只能由管理员建立"))
        opened += _signature_rows(signed, signing_required, signature_present)
        return [Finding(meta.sha, f"{login}({clean_line(meta.author_name)})", w, y) for w, y in opened]
    root = operators_at_parent is None
    actors_text = operators_at_parent
    if root:
        created = after.get(OPERATORS_PATH)
        actors_text = created.decode("utf-8", "replace") if created else ""
    actors = parse_actors(actors_text or "")
    login, actor = identify(meta, actors)
    author = f"{login}({clean_line(meta.author_name)})"
    rows: list[tuple[str, str]] = []
    if root and (actor is None or actor.role != ADMIN):
        rows.append(("首个提交", f"作者 {login} 不是它建立的 operators.toml 里的管理员"))
    else:
        needs = [
            n
            for path in sorted(set(before) | set(after))
            for n in needs_for_file(path, before.get(path), after.get(path), login)
        ]
        rows += judge_needs(needs, actor, login)
    rows += judge_trailers(meta.trailers, login, actor, before, after)
    rows += _signature_rows(signed, signing_required, signature_present)
    return [Finding(meta.sha, author, what, why) for what, why in rows]


def _signature_rows(signed: bool | None, required: bool, present: bool | None) -> list[tuple[str, str]]:
    if not required or signed is not False:
        return []
    return [("签名", BAD_SIGNATURE if present else UNSIGNED)]


# ---------------------------------------------------------------- merges


def merge_leaf(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """The field-by-field union of two sides: (expected value, is a real conflict).

    Arrays merge as sets (items added on either side kept, items removed on
    either side dropped); a scalar changed differently on both sides conflicts.
    """
    if ours == theirs:
        return ours, False
    if ours == base:
        return theirs, False
    if theirs == base:
        return ours, False
    if isinstance(ours, list) and isinstance(theirs, list):
        base_list = base if isinstance(base, list) else []
        removed = {canonical(x) for x in base_list} - (
            {canonical(x) for x in ours} & {canonical(x) for x in theirs}
        )
        merged = [x for x in ours if canonical(x) not in removed]
        seen = {canonical(x) for x in merged}
        merged += [x for x in theirs if canonical(x) not in removed and canonical(x) not in seen]
        return merged, False
    return None, True


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, list) and isinstance(actual, list):
        return sorted(map(canonical, expected)) == sorted(map(canonical, actual))
    return bool(expected == actual)


def merge_needs(
    path: str, base: bytes | None, ours: bytes | None, theirs: bytes | None, merged: bytes | None, login: str
) -> list[Need]:
    """What a merge changed beyond the union of its two sides, as needs."""
    from tracker.merge import merge_explains  # the sync merge (issue 6): conflicts recorded, not decided

    if merge_explains(base, ours, theirs, merged, path):
        return []
    try:
        docs = [parse_bytes(x) for x in (base, ours, theirs, merged)]
    except ValueError as exc:
        return [Need(path, forged=f"合并结果无法解析: {exc}")]
    b, o, t, m = (flatten(d or {}) for d in docs)
    needs: list[Need] = []
    for key in sorted({*b, *o, *t, *m}):
        value, conflict = merge_leaf(b.get(key), o.get(key), t.get(key))
        actual = m.get(key)
        if conflict:
            if key[-1] in BOOKKEEPING_FIELDS and (actual == o.get(key) or actual == t.get(key)):
                continue
            place, name = _where_parts(path, key)
            needs.append(Need(f"{place} {name}", place=f"{place}(合并冲突的裁决)", field=name))
        elif not _same(value, actual):
            place, name = _where_parts(path, key)
            needs.append(Need(f"{place} {name}", place=f"{place}(合并引入了双方都没有的改动)", field=name))
    return needs


def judge_merge(
    meta: CommitInfo,
    base: Mapping[str, bytes],
    ours: Mapping[str, bytes],
    theirs: Mapping[str, bytes],
    merged: Mapping[str, bytes],
    operators_at_parent: str,
    *,
    signed: bool | None = None,
    signing_required: bool = False,
    signature_present: bool | None = None,
) -> list[Finding]:
    """Findings for a two-parent merge: anything beyond the union of both sides needs an admin."""
    actors = parse_actors(operators_at_parent)
    login, actor = identify(meta, actors)
    author = f"{login}({clean_line(meta.author_name)})"
    paths = sorted(set(base) | set(ours) | set(theirs) | set(merged))
    needs = [
        n
        for p in paths
        for n in merge_needs(p, base.get(p), ours.get(p), theirs.get(p), merged.get(p), login)
    ]
    rows = judge_needs(needs, actor, login)
    operators = meta.trailers.get("operator", [])
    if any(v != login for v in operators):
        rows.append(("尾注 Operator", f"写的是 {'、'.join(operators)},作者却是 {login}(伪造的尾注)"))
    rows += _signature_rows(signed, signing_required, signature_present)
    return [Finding(meta.sha, author, what, why) for what, why in rows]


# ---------------------------------------------------------------- walking git


def trust_state_at(repo: Any, commit: str) -> TrustState:
    """The trust root a commit leaves (its operators file and allowed signers), read from git."""
    files: dict[str, bytes] = repo.read_files_at(commit, [OPERATORS_PATH, SIGNERS_PATH])
    return TrustState(*(files.get(p, b"").decode("utf-8", "replace") for p in (OPERATORS_PATH, SIGNERS_PATH)))


def _after(state: TrustState, before: Mapping[str, bytes], after: Mapping[str, bytes]) -> TrustState:
    """The trust root after an accepted commit that changed ``before`` -> ``after``."""
    texts = []
    for path, old in ((OPERATORS_PATH, state.operators), (SIGNERS_PATH, state.signers)):
        if path in after:
            texts.append(after[path].decode("utf-8", "replace"))
        elif path in before:
            texts.append("")
        else:
            texts.append(old)
    return TrustState(*texts)


def verify_commits(
    repo: Any, revs: Sequence[str], exclude: Sequence[str] = (), *,
    anchor: TrustState | None = None, anchor_roots: Iterable[str] = (),
) -> list[Finding]:
    """Judge every commit reachable from ``revs`` and not from ``exclude`` (merged sides too).

    ``repo`` is a ``GitRepo``; ``revs`` and ``exclude`` are commit ids. A commit
    outside the walk is trusted as it is; inside it, each commit is judged by the
    trust root its parent left as accepted (a refused commit changes nothing).
    ``anchor``: the trust root a root commit (a new plan branch) is judged by,
    except the ``anchor_roots`` (the anchor plan's own first commit, trusted
    on first use). Findings come oldest commit first.
    """
    from tracker.git.log import (  # noqa: PLC0415 - the pure part stays free of the git layer
        changed_paths,
        commit_changes,
        log_commits,
        merge_base,
    )
    from tracker.signing import parse_allowed, signature_valid, split_signature  # noqa: PLC0415

    infos = list(reversed(log_commits(repo, list(revs), exclude=list(exclude))))
    if not infos:
        return []
    raws: dict[str, bytes] = repo.cat_blobs([c.sha for c in infos])
    trusted_roots = set(anchor_roots)
    findings: list[Finding] = []
    simple = [c for c in infos if len(c.parents) <= 1]
    changes = dict(zip([c.sha for c in simple], commit_changes(repo, simple), strict=True))
    states: dict[str, TrustState] = {}  # commit -> trust root it leaves, as accepted

    def state_of(commit: str) -> TrustState:
        if commit not in states:
            states[commit] = trust_state_at(repo, commit)
        return states[commit]

    def signature(sha: str, state: TrustState) -> dict[str, Any]:
        keys = parse_allowed(state.signers)
        if not keys:
            return {}
        raw = raws.get(sha, b"")
        return {"signed": signature_valid(raw, keys), "signing_required": True,
                "signature_present": split_signature(raw)[1] is not None}

    for meta in infos:
        if len(meta.parents) > 2:
            login, actor = identify(meta, parse_actors(state_of(meta.parents[0]).operators))
            if actor is None or actor.role != ADMIN:
                findings.append(Finding(meta.sha, login, "章鱼合并", "超过两个父提交的合并只能由管理员完成"))
            states[meta.sha] = state_of(meta.parents[0])
            continue
        if len(meta.parents) == 2:
            ours_sha, theirs_sha = meta.parents
            parent_state = state_of(ours_sha)
            base_sha = merge_base(repo, ours_sha, theirs_sha)
            paths = sorted(
                set(changed_paths(repo, ours_sha, meta.sha))
                | set(changed_paths(repo, theirs_sha, meta.sha))
            )
            found = judge_merge(
                meta,
                repo.read_files_at(base_sha, paths),
                repo.read_files_at(ours_sha, paths),
                repo.read_files_at(theirs_sha, paths),
                repo.read_files_at(meta.sha, paths),
                parent_state.operators,
                **signature(meta.sha, parent_state),
            )
            findings += found
            states[meta.sha] = parent_state if found else trust_state_at(repo, meta.sha)
            continue
        before, after = changes[meta.sha]
        if meta.parents:
            parent_state = state_of(meta.parents[0])
            found = judge_commit(meta, before, after, parent_state.operators, **signature(meta.sha, parent_state))
        elif anchor is not None and meta.sha not in trusted_roots:
            parent_state = anchor
            found = judge_commit(meta, before, after, anchor.operators, new_branch=True,
                                 **signature(meta.sha, anchor))
        else:  # the first plan's first commit: judged by the trust root it creates
            parent_state = TrustState("", "")
            created = _after(parent_state, before, after)
            found = judge_commit(meta, before, after, None, **signature(meta.sha, created))
        findings += found
        states[meta.sha] = parent_state if found else _after(parent_state, before, after)
    return findings


def plan_anchor(repo: Any, plan_refs: Mapping[str, str], first: str | None = None) -> tuple[TrustState | None, list[str]]:
    """(anchor trust root, its own root commits) for judging the first commits of plan branches.

    The anchor is the plan ``first`` names (the first plan the writer published),
    else the oldest plan; its first commits are trusted on first use.
    """
    if not plan_refs:
        return None, []
    ref = first if first is not None and first in plan_refs else min(plan_refs, key=lambda r: (len(r), r))
    tip = plan_refs[ref]
    roots = repo.out("rev-list", "--max-parents=0", tip).split()
    return trust_state_at(repo, tip), roots
