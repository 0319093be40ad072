"""Undo, field by field: the changes that revert a commit's field changes (the service applies them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.history.events import FieldChange

# ---------------------------------------------------------------- undo


UNDOABLE_FIELDS = frozenset({"status", "note", "evidence"})


@dataclass(frozen=True)
class Inverse:
    """One field change that reverts part of a commit (service field names)."""

    task: int
    requirement: str
    unit: str
    field: str  # "status" | "note" | "note_remove" | "evidence" | "evidence_remove"
    value: str
    expected: str | None  # what the undone commit left there: anything else now is a conflict


def inverse_changes(changes: Sequence[FieldChange]) -> tuple[list[Inverse], list[FieldChange]]:
    """The changes that revert ``changes``, and those that cannot be reverted field by field.

    Status goes back to the old value, expecting the value the commit set; an
    added note is removed (expecting it is still the last note), a removed note
    re-added; evidence likewise. Notes are undone last-first so each removal
    sees its note on top.
    """
    inverses: list[Inverse] = []
    refused: list[FieldChange] = []
    for change in reversed(changes):
        if change.field not in UNDOABLE_FIELDS or change.task is None or not change.unit:
            refused.append(change)
            continue
        head = (change.task, change.requirement, change.unit)
        if change.field == "status":
            inverses.append(Inverse(*head, "status", change.old, change.new))
        elif change.old and change.new:  # a note rewritten in place: only an admin's hand can put it back
            refused.append(change)
        elif change.new:
            inverses.append(
                Inverse(
                    *head,
                    f"{change.field}_remove",
                    change.new,
                    change.new if change.field == "note" else None,
                )
            )
        else:
            inverses.append(Inverse(*head, change.field, change.old, None))
    refused.reverse()
    return inverses, refused
