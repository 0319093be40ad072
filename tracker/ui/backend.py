"""Backend: the interface's calls into the store, the service, history and sync, run from workers.

Screens never call git or the store themselves; the app calls these methods from
thread workers. Plain Python (no Textual): tested directly, and the screens stay
about presentation. Errors the operator can act on come back as the core's own
types (:class:`~tracker.errors.ServiceError` and its subclasses, ``SyncError``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from tracker import history
from tracker import sync as sync_core
from tracker.codec import CodecError
from tracker.errors import ServiceError
from tracker.model import Requirement
from tracker.operators import Operator
from tracker.planio import LoadedPlan
from tracker.store import TASKS_DIR, Store, StoreError
from tracker.textsafe import clean_line
from tracker.ui.paging import PlanPages

if TYPE_CHECKING:
    # Loaded by the first load (permissions) in a worker, never at start-up on the UI thread.
    from tracker.changes import Conflict
    from tracker.service import Service

ServiceFactory = Callable[[Store, Operator, "int | None"], "Service"]


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


class EditConflict(Exception):
    """Someone changed the same field since the form opened (the service's conflicts inside)."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("conflict")
        self.conflicts = conflicts


class EditRefused(Exception):
    """The service refused the change; ``message`` says why, in the operator's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

    store: Store
    operator: Operator
    service_factory: ServiceFactory | None = None
    _services: dict[int, Service] = field(default_factory=dict)

    # -- reading (called from workers)

    def years(self) -> list[int]:
        return self.store.years()

    def default_year(self) -> int:
        return self.store.default_year()

    def load(self, year: int, ref: str | None = None) -> LoadedPlan:
        return self.store.load(year, ref=ref)

    def tip(self, year: int) -> str:
        return self.store.tip(year)

    def open_pages(self, year: int, tip: str, ref: str | None, today: date) -> tuple[LoadedPlan, PlanPages]:
        """The plan's metadata and where its tasks are read from, page by page.

        At the branch tip the tasks come from the query index (none is read now); a past
        commit, or a store whose index cannot be built here, is read whole.
        """
        if ref is None:
            snap = self.store.snapshot_at(tip, year, tasks=())
            pages = PlanPages.from_index(self.store, year, tip, snap.loaded.plan.info, today)
            if pages is not None:
                return snap.loaded, pages
        loaded = self.store.load(year, ref=ref)
        return loaded, PlanPages.from_plan(loaded)

    # -- permissions

    @property
    def role(self) -> str:
        return self.operator.role

    @property
    def units(self) -> tuple[str, ...]:
        return self.operator.units

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def service(self, year: int) -> Service:
        if year not in self._services:
            factory = self.service_factory
            if factory is None:
                from tracker.service import Service

                factory = Service
            self._services[year] = factory(self.store, self.operator, year)
        return self._services[year]

    def may_edit(self, year: int, unit: str) -> tuple[bool, str]:
        allowed, reason = self.service(year).may_edit(unit)
        return allowed, clean_line(reason)

    # -- writing (called from a worker)

    def apply(self, year: int, req: Requirement, unit: str, edits: Sequence[FieldEdit]) -> Committed:
        """Send the form's edits to the service: one commit for the lot.

        Raises:
            EditConflict: the same field changed meanwhile (the service's conflicts inside).
            EditRefused: the service refused (permission, an invalid value, hand edits in the way).
        """
        from tracker.changes import Change
        from tracker.service import ConflictError

        changes = [
            Change(task=req.task, requirement=req.key, unit=unit, field=e.field, value=e.value, expected=e.expected)
            for e in edits
        ]
        try:
            result = self.service(year).apply(changes)
        except ConflictError as exc:
            raise EditConflict(exc.conflicts) from exc
        except ServiceError as exc:  # its subclasses say why in the operator's words
            raise EditRefused(clean_line(str(exc)) or type(exc).__name__) from exc
        return Committed(result.commit or "", clean_line(result.subject))

    # -- history (called from workers)

    def history(self, commit: str, task: int | None = None, unit: str | None = None,
                task_path: str | None = None) -> HistoryView:
        """Field-level events up to ``commit``, newest first, with each commit's raw patch."""
        if task is not None and task_path is None:  # the plan shown was read from the index: find that one file
            try:
                found = self.store.snapshot_at(commit, tasks=(task,)).loaded.paths.get(task)
            except (CodecError, StoreError):  # a broken file: the walk finds the task by its number instead
                found = None
            task_path = TASKS_DIR + found if found else None
        flt = history.HistoryFilter(task=task, unit=unit, limit=HISTORY_LIMIT)
        try:  # operators.toml only: no task file is read (the whole plan at L took 400 MB here)
            names = {login: op.name for login, op in self.store.snapshot_at(commit, tasks=()).operators().items()}
        except (CodecError, StoreError):  # names are a nicety; logins are shown instead
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


def _event_view(event: history.Event) -> HistoryEvent:
    req = event.requirement
    req_id = req if "." in req or event.task is None else f"{event.task}.{req}" if req else str(event.task)
    who = event.name or event.login
    if event.on_behalf_of:
        who = f"{who}({event.on_behalf_of})"
    return HistoryEvent(
        when=event.at.strftime("%Y-%m-%d %H:%M"),
        who=clean_line(who),
        requirement=req_id,
        unit=clean_line(event.unit),
        field=event.field,
        old=clean_line(event.old),
        new=clean_line(event.new),
        commit=event.commit,
        subject=clean_line(event.subject),
    )
