"""Session: what every screen reads about the open plan and the operator at the keyboard.

The app alone changes a session, on the UI thread, after each load, remote check or
sync; screens are handed the session when they are built and read it (attributes
down), and post messages to ask for anything else (messages up). Plain Python: no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.model import Requirement, Task
from tracker.operators import ROLE_LABELS
from tracker.planio import LoadedPlan
from tracker.ui import labels
from tracker.ui.backend import Backend, RemoteState
from tracker.ui.paging import PlanPages
from tracker.ui.rows import my_unit_query


@dataclass(frozen=True)
class OpenPlan:
    """One load of a plan: what the load worker read, handed to the UI thread in one piece."""

    year: int
    newest: int
    years: tuple[int, ...]
    tip: str
    ref: str | None  # a past commit shown read-only, or None for the branch tip
    loaded: LoadedPlan  # plan, units and operators; its tasks only when ``pages`` is not indexed
    pages: PlanPages  # the tasks, page by page
    permissions: dict[str, tuple[bool, str]]  # unit -> (may edit, why)


@dataclass
class Session:
    """The open plan, the operator's rights, where the plan stands against the remote."""

    backend: Backend
    lang: str = "zh"
    fixed_today: date | None = None
    plan: OpenPlan | None = None
    remote_state: RemoteState | None = None  # None until the first check
    syncing: bool = False
    requested_year: int | None = field(default=None)

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    @property
    def loaded(self) -> LoadedPlan | None:
        return self.plan.loaded if self.plan else None

    @property
    def pages(self) -> PlanPages | None:
        return self.plan.pages if self.plan else None

    def find_requirement(self, key: str) -> tuple[Task | None, Requirement | None]:
        """The task and requirement of a row key ("5.1") in the open plan (building that task only)."""
        pages = self.pages
        return (None, None) if pages is None else pages.find_requirement(key)

    @property
    def year(self) -> int:
        if self.plan is not None:
            return self.plan.year
        return self.requested_year or 0

    @property
    def ref(self) -> str | None:
        return self.plan.ref if self.plan else None

    def my_unit_query(self) -> str:
        return my_unit_query(self.backend.units)

    def initial_query(self) -> str:
        """Operators land on their unit; the office and readers on the whole plan."""
        if self.backend.is_admin or not self.backend.units:
            return ""
        return self.my_unit_query()

    def edit_block_reason(self, unit: str) -> str | None:
        """Why this operator may not edit this unit's assignment now; None when she may."""
        t = labels.get(self.lang)
        plan = self.plan
        if plan is None:
            return t("loading")
        if plan.ref:
            return t("readonly_ref", ref=plan.ref[:7])
        if plan.year != plan.newest and not self.backend.is_admin:
            return t("readonly_past_year")
        allowed, reason = plan.permissions.get(unit, (False, t("not_yours")))
        return None if allowed else (reason or t("not_yours"))

    def sync_block_reason(self) -> str | None:
        """Why the sync key is off now, or None when it is on (no I/O)."""
        t = labels.get(self.lang)
        state = self.remote_state
        if state is None or state.remote is None:
            return t("sync_no_remote")
        if not self.backend.may_sync:
            role = self.backend.role
            return t("sync_role", role=ROLE_LABELS.get(role, role) if self.lang != "en" else role)
        if self.syncing:
            return t("sync_running")
        return None
