"""The interface's one door to the core: store, service, filter language and history.

Screens never call git or the store themselves; they call these functions from
thread workers. Everything here is plain Python (no Textual), so it is tested
directly, and the screens stay about presentation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from tracker import history, query
from tracker import sync as sync_core
from tracker.model import Assignment, Requirement, Role, Status, Task, combine_statuses
from tracker.planio import LoadedPlan
from tracker.textsafe import clean_line

# ---------------------------------------------------------------- rows of the table


@dataclass(frozen=True)
class Row:
    """One requirement as the task table shows it (only what the cells need)."""

    key: str  # "5.1"
    task: int
    title: str
    section: str
    subsection: str
    status: Status
    due: date | None
    ongoing: bool
    lead: str
    done: int
    total: int
    overdue: bool
    units: tuple[str, ...]  # the units the filter matched, in plan order


def _due_of(req: Requirement, today: date) -> date | None:
    return req.next_due(today)


def build_rows(loaded: LoadedPlan, match: AssignmentMatcher, today: date) -> list[Row]:
    """Rows for every requirement having at least one assignment the filter matches.

    The status shown is that of the matched assignments (an operator filtered to
    her unit sees her own status); done/total count every assignment.
    """
    rows: list[Row] = []
    for task in loaded.plan.sorted_tasks():
        verdict = match.task_verdict(task)
        if verdict is False:
            continue
        for req in task.requirements:
            if verdict:
                matched = list(req.assignments.values())
            else:
                matched = [a for a in req.assignments.values() if match(task, req, a)]
                if not matched and not (not req.assignments and match.matches_empty(task, req)):
                    continue
            closed = sum(1 for a in req.assignments.values() if a.status.is_closed)
            leads = req.leads or [a.unit for a in req.assignments.values() if a.role is Role.LEAD]
            rows.append(
                Row(
                    key=req.id,
                    task=task.number,
                    title=clean_line(task.title),
                    section=clean_line(task.section),
                    subsection=clean_line(task.subsection),
                    status=combine_statuses(a.status for a in matched),
                    due=_due_of(req, today),
                    ongoing=not req.due and bool(req.deadline),
                    lead=clean_line(leads[0]) if leads else "",
                    done=closed,
                    total=len(req.assignments),
                    overdue=any(req.is_overdue(a, today) for a in matched),
                    units=tuple(a.unit for a in matched),
                )
            )
    return rows


# ---------------------------------------------------------------- filters


class FilterError(ValueError):
    """A query the filter language refused, with where it went wrong."""

    def __init__(self, message: str, position: int = 0, token: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.token = token


@dataclass
class FilterContext:
    """What a query needs besides the task: today, the registry, who is asking."""

    today: date
    loaded: LoadedPlan
    my_units: tuple[str, ...] = ()


class AssignmentMatcher:
    """A compiled query (the shared filter language): call it with (task, requirement, assignment)."""

    def __init__(self, text: str, ctx: FilterContext) -> None:
        self.text = text
        self.ctx = ctx
        registry = ctx.loaded.registry
        try:
            self._query = query.parse(text, registry)
        except query.QueryError as exc:
            raise FilterError(exc.message, exc.position, exc.token) from None
        self._match_ctx = query.MatchContext(today=ctx.today, registry=registry)

    def __call__(self, task: Task, req: Requirement, assignment: Assignment) -> bool:
        return self._query.match_assignment(task, req, assignment, self._match_ctx)

    def task_verdict(self, task: Task) -> bool | None:
        """The query's word on all of ``task`` at once: False skip it, True show all of it, None check each."""
        return self._query.task_verdict(task, self._match_ctx)

    def matches_empty(self, task: Task, req: Requirement) -> bool:
        """Whether a requirement with no assignment at all is shown."""
        return self._query.match_assignment(task, req, None, self._match_ctx)


# ---------------------------------------------------------------- one-key filters


def my_unit_query(units: Sequence[str]) -> str:
    """The filter an operator lands on: her unit(s)."""
    return " or ".join(f"unit:{u}" for u in units)


QUICK_FILTERS: dict[str, str] = {
    "overdue": "overdue",
    "due30": "due-within:30",
    "not_started": "status:not_started",
    "all": "",
}


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class FieldEdit:
    """One field the edit form changes (turned into a service Change)."""

    field: str  # "status" | "note" | "evidence"
    value: str
    expected: str | None = None


@dataclass(frozen=True)
class Committed:
    """What the interface tells the operator about a commit."""

    commit: str
    subject: str

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass(frozen=True)
class ConflictView:
    """One conflicting field: what the operator saw, what is there now, what she wants."""

    field: str
    seen: str
    theirs: str
    mine: str
    by: str
    at: str
    change: Any = None


class EditConflict(Exception):
    """Someone changed the same field since the form opened."""

    def __init__(self, conflicts: list[ConflictView]) -> None:
        super().__init__("conflict")
        self.conflicts = conflicts


class EditRefused(Exception):
    """The service refused the change; ``message`` says why, in the operator's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Status):
        return value.value
    if isinstance(value, (list, tuple)):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


class ServiceLike(Protocol):
    def may_edit(self, unit: str) -> tuple[bool, str]: ...

    def apply(self, changes: list[Any]) -> Any: ...


@dataclass(frozen=True)
class HistoryEvent:
    """One field-level event as the history screen shows it."""

    when: str
    who: str
    requirement: str
    unit: str
    field: str
    old: str
    new: str
    commit: str
    subject: str = ""


@dataclass
class HistoryView:
    """Events newest first, and the raw patch of each commit they come from."""

    events: list[HistoryEvent]
    patches: dict[str, str]


HISTORY_LIMIT = 500
SYNC_ROLES = ("operator", "admin")


@dataclass(frozen=True)
class RemoteState:
    """The shared remote as the status line shows it, for one plan (as of the last fetch)."""

    remote: str | None  # its name; None when the store has no remote
    ahead: int = 0  # commits here that the remote lacks
    behind: int = 0  # commits at the remote (last fetch) that are not here
    known: bool = False  # the remote had this plan at the last fetch
    problem: str = ""  # a remote is set up but none can be chosen (several, none named origin)


def sync_summary(result: sync_core.SyncResult, t: Callable[..., str], events: int = 3) -> str:
    """A few lines for a notification: what came in, what went out, conflicts (plain text)."""
    came = sum(p.came_in for p in result.plans)
    went = sum(p.went_out for p in result.plans)
    lines = [t("sync_came", n=came) + t("comma") + t("sync_went", n=went)]
    for title, items in ((t("sync_in"), [e for p in result.plans for e in p.events_in]),
                         (t("sync_out"), [e for p in result.plans for e in p.events_out])):
        for item in items[:events]:
            lines.append(f"{title} {clean_line(item)}")
        if len(items) > events:
            lines.append(t("sync_more", n=len(items) - events))
    refused = [clean_line(p.refused) for p in result.plans if p.refused]
    lines += refused
    lines.append(t("sync_conflicts", n=len(result.conflicts)) if result.conflicts else t("sync_no_conflicts"))
    return "\n".join(lines)


@dataclass
class Backend:
    """Store, service and operator for one session of the interface."""

    store: Any
    operator: Any
    service_factory: Callable[[Any, Any, int | None], ServiceLike] | None = None
    _services: dict[int, ServiceLike] = field(default_factory=dict)

    # -- reading (called from workers)

    def years(self) -> list[int]:
        return list(self.store.years())

    def default_year(self) -> int:
        return int(self.store.default_year())

    def load(self, year: int, ref: str | None = None) -> LoadedPlan:
        return self.store.load(year, ref=ref)  # type: ignore[no-any-return]

    def tip(self, year: int) -> str:
        return str(self.store.tip(year))

    # -- permissions

    @property
    def role(self) -> str:
        return str(getattr(self.operator, "role", "guest"))

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(getattr(self.operator, "units", ()) or ())

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def service(self, year: int) -> ServiceLike:
        if year not in self._services:
            factory = self.service_factory
            if factory is None:
                from tracker.service import Service

                factory = Service
            self._services[year] = factory(self.store, self.operator, year)
        return self._services[year]

    def may_edit(self, year: int, unit: str) -> tuple[bool, str]:
        allowed, reason = self.service(year).may_edit(unit)
        return bool(allowed), clean_line(str(reason or ""))

    # -- writing (called from a worker)

    def apply(self, year: int, req: Requirement, unit: str, edits: Sequence[FieldEdit]) -> Committed:
        """Send the form's edits to the service: one commit for the lot.

        Raises:
            EditConflict: the same field changed meanwhile (both values inside).
            EditRefused: permission denied or any other service error.
        """
        from tracker.service import Change

        changes = [
            Change(task=req.task, requirement=req.key, unit=unit, field=e.field, value=e.value, expected=e.expected)
            for e in edits
        ]
        try:
            result = self.service(year).apply(changes)
        except Exception as exc:  # the service's errors say what went wrong in the operator's words
            conflicts = getattr(exc, "conflicts", None)
            if conflicts:
                raise EditConflict([_conflict_view(c) for c in conflicts]) from exc
            raise EditRefused(clean_line(str(exc)) or type(exc).__name__) from exc
        return Committed(str(result.commit or ""), clean_line(result.subject))

    # -- history (called from workers)

    def history(self, commit: str, task: int | None = None, unit: str | None = None,
                task_path: str | None = None) -> HistoryView:
        """Field-level events up to ``commit``, newest first, with each commit's raw patch."""
        flt = history.HistoryFilter(task=task, unit=unit, limit=HISTORY_LIMIT)
        try:
            names = {login: op.name for login, op in self.store.snapshot_at(commit).operators().items()}
        except Exception:  # names are a nicety; logins are shown instead
            names = {}
        result = history.walk(self.store.repo, commit, flt, names=names, patch=True, task_path=task_path)
        return HistoryView([_event_view(e) for e in result.events], dict(result.patches))

    # -- sync with a shared remote (called from workers, except may_sync)

    @property
    def may_sync(self) -> bool:
        """Whether this operator may sync (no I/O: safe on the UI thread).

        Sync writes merge commits and pushes, so the core lets operators and
        admins sync and refuses auditors and guests; the key follows the core.
        """
        return self.role in SYNC_ROLES

    def remote_state(self, year: int) -> RemoteState:
        """Where plan ``year`` stands against the remote as of the last fetch (no network)."""
        if not sync_core.list_remotes(self.store):
            return RemoteState(None)  # the common single-server store: one config read every poll
        try:
            name, _url = sync_core.choose_remote(self.store, None)
        except sync_core.SyncError as exc:
            return RemoteState("", problem=clean_line(str(exc)))
        status = sync_core.sync_status(self.store, name).get(year)
        if status is None:
            return RemoteState(name)
        return RemoteState(name, status.ahead, status.behind, status.remote_known)

    def sync(self) -> sync_core.SyncResult:
        """Fetch, merge and push every plan (as ``tracker sync`` with no option).

        Raises:
            tracker.sync.SyncError: no usable remote, a failed fetch, hand edits in the way.
        """
        return sync_core.sync(self.store, self.operator)


def _conflict_view(conflict: Any) -> ConflictView:
    change = conflict.change
    return ConflictView(
        field=str(change.field),
        seen=_text(conflict.base),
        theirs=_text(conflict.current),
        mine=_text(change.value),
        by=clean_line(_text(conflict.by)),
        at=_text(conflict.at),
        change=change,
    )


def _event_view(event: Any) -> HistoryEvent:
    req = str(event.requirement or "")
    req_id = req if "." in req or event.task is None else f"{event.task}.{req}" if req else str(event.task)
    who = event.name or event.login
    if event.on_behalf_of:
        who = f"{who}({event.on_behalf_of})"
    at = event.at
    return HistoryEvent(
        when=at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else str(at),
        who=clean_line(who),
        requirement=req_id,
        unit=clean_line(event.unit),
        field=str(event.field),
        old=clean_line(event.old),
        new=clean_line(event.new),
        commit=str(event.commit),
        subject=clean_line(event.subject),
    )


# ---------------------------------------------------------------- dashboard figures


@dataclass
class Progress:
    """Done/total/overdue for one unit or one section."""

    name: str
    done: int = 0
    total: int = 0
    overdue: int = 0


@dataclass
class Upcoming:
    due: date
    requirement: str
    unit: str
    title: str


@dataclass
class Figures:
    units: list[Progress]
    sections: list[Progress]
    upcoming: list[Upcoming]
    overdue: int


def dashboard_figures(loaded: LoadedPlan, today: date, days: int = 30) -> Figures:
    """Progress per unit and section, overdue counts, what falls due within ``days``."""
    units: dict[str, Progress] = {}
    sections: dict[str, Progress] = {}
    upcoming: list[Upcoming] = []
    overdue_total = 0
    end = today + timedelta(days=days)
    for task, req, a in loaded.plan.assignments():
        late = req.is_overdue(a, today)
        closed = a.status.is_closed
        for bucket, name in ((units, a.unit), (sections, task.section or "—")):
            p = bucket.setdefault(name, Progress(clean_line(name)))
            p.total += 1
            p.done += closed
            p.overdue += late
        overdue_total += late
        if not closed:
            for d in req.due:
                if today <= d <= end:
                    upcoming.append(Upcoming(d, req.id, clean_line(a.unit), clean_line(task.title)))
                    break
    unit_list = sorted(units.values(), key=lambda p: (-p.overdue, p.done / p.total if p.total else 1, p.name))
    upcoming.sort(key=lambda u: (u.due, u.requirement, u.unit))
    return Figures(unit_list, list(sections.values()), upcoming, overdue_total)
