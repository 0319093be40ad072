"""The audit trail: who changed which field, when, read from the history of the store's files.

One job a module: :mod:`~tracker.history.events` (field-level events from two versions of the
files, pure), :mod:`~tracker.history.diffing` (flat diffs of parsed TOML),
:mod:`~tracker.history.git_walk` (``git log`` turned into events) and :mod:`~tracker.history.undo`
(the changes that revert a commit). This module only gathers their public names.
"""

from __future__ import annotations

from tracker.history.diffing import (
    canonical,
    flatten,
    leaf_changes,
    parse_bytes,
    render,
)
from tracker.history.events import (
    BOOKKEEPING_FIELDS,
    EVENT_JSON_KEYS,
    TASKS_PREFIX,
    Event,
    FieldChange,
    HistoryFilter,
    apply_filter,
    commit_events,
    file_events,
    files_events,
    is_reminders_path,
    is_task_path,
    merge_resolution_changes,
    meta_events,
    reminder_events,
    task_events,
)
from tracker.history.git_walk import (
    HistoryResult,
    VersionMemo,
    unit_fingerprint,
    walk,
)
from tracker.history.undo import (
    UNDOABLE_FIELDS,
    Inverse,
    inverse_changes,
)

__all__ = [
    "BOOKKEEPING_FIELDS",
    "EVENT_JSON_KEYS",
    "Event",
    "FieldChange",
    "HistoryFilter",
    "HistoryResult",
    "Inverse",
    "TASKS_PREFIX",
    "UNDOABLE_FIELDS",
    "VersionMemo",
    "apply_filter",
    "canonical",
    "commit_events",
    "file_events",
    "files_events",
    "flatten",
    "inverse_changes",
    "is_reminders_path",
    "is_task_path",
    "leaf_changes",
    "merge_resolution_changes",
    "meta_events",
    "parse_bytes",
    "reminder_events",
    "render",
    "task_events",
    "unit_fingerprint",
    "walk",
]
