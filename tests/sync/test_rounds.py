"""Three sites edit in rounds (hypothesis draws the edits), syncing through one bare remote.

After every round each site syncs twice: then every site has the same tree,
every change nobody contested is there, every contested field is listed as a
conflict with both values, and ``verify`` finds nothing (the merges were made
by unit operators, not admins).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.sync.conftest import OWNERS, SLOTS, Network
from tracker import operators
from tracker.model import Status
from tracker.service import Change, Service
from tracker.store import Store
from tracker.sync import list_conflicts
from tracker.verify import verify_commits

SITES = ("a", "b", "c")
STATUSES = [s.value for s in Status]

edit = st.tuples(
    st.integers(0, len(SLOTS) - 1),
    st.sampled_from(["status", "note", "evidence"]),
    st.sampled_from(STATUSES),
    st.text(alphabet="甲乙丙丁xy", min_size=1, max_size=6),
)
round_st = st.tuples(*[st.lists(edit, max_size=3) for _ in SITES])


def assignment(store: Store, slot: int):  # noqa: ANN201
    task, req, unit = SLOTS[slot]
    return store.load(2019).plan.tasks[task].requirement(req).assignments[unit]  # type: ignore[union-attr]


# Each example is a few dozen real commits and syncs: few examples, and no shrinking (a failure
# is reported as drawn; shrinking one would take minutes).
@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rounds=st.lists(round_st, min_size=1, max_size=2))
def test_three_sites_converge_and_list_every_conflict(
    rounds: list[tuple[list[tuple[int, str, str, str]], ...]],
    network_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("rounds") / "net"
    shutil.copytree(network_template, root, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(operators, "_os_login", lambda: "office")
        office = Store.open(root / "office")
        office.repo.set_config("remote.origin.url", str(root / "remote.git"))
        net = Network(root, root / "remote.git", office)
        sites = [net.clone(name) for name in SITES]
        added: set[tuple[int, str, str]] = set()  # (slot, kind, text) of every note and evidence item
        for r, edits_by_site in enumerate(rounds):
            before = {slot: assignment(sites[0], slot).status.value for slot in range(len(SLOTS))}
            records_before = {c.path: c for c in list_conflicts(sites[0], 2019)}
            written: dict[int, dict[int, str]] = {}
            for s, (site, edits) in enumerate(zip(sites, edits_by_site, strict=True)):
                for i, (slot, kind, status, text) in enumerate(edits):
                    task, req, unit = SLOTS[slot]
                    if kind == "status":
                        if status == assignment(site, slot).status.value:
                            continue
                        net.edit(site, task, req, unit, "status", status)
                        written.setdefault(slot, {})[s] = status
                    else:
                        value = f"{SITES[s]}{r}{i}{text}"
                        if kind == "evidence":  # evidence is a URL or a 文号 (tracker.rules)
                            value = f"https://{SITES[s]}.example/{r}/{i}/{text}"
                        net.edit(site, task, req, unit, "note" if kind == "note" else "evidence", value)
                        added.add((slot, kind, value))
            for _ in range(2):
                for s, site in enumerate(sites):
                    assert net.sync(site, f"u{s}").ok
            tips = {site.tip(2019) for site in sites}
            assert len(tips) == 1, "every site has the same tree"
            conflicts = {c.path: c for c in list_conflicts(sites[0], 2019)}
            assert not [p for p in conflicts if p[-1] in ("updated", "updated_by")], "stamps follow the merge"
            for slot in range(len(SLOTS)):
                task, req, unit = SLOTS[slot]
                path = ("requirements", req, "units", unit, "status")
                final = assignment(sites[0], slot).status.value
                changed = {v for v in written.get(slot, {}).values() if v != before[slot]}
                if len(changed) <= 1:
                    assert final == (changed.pop() if changed else before[slot])
                    assert (path not in conflicts) == (path not in records_before)
                else:
                    assert final in changed
                    record = conflicts[path]
                    assert record.ours != record.theirs and {record.ours, record.theirs} <= changed
        for slot, kind, value in added:
            a = assignment(sites[0], slot)
            assert value in ([n.text for n in a.notes] if kind == "note" else a.evidence)
        assert [f.line() for f in verify_commits(sites[0].repo, [sites[0].tip(2019)])] == []
        assert set(OWNERS.values()) <= set(sites[0].operators(2019))


def test_two_accounts_setting_one_status_is_listed_once(network: Network) -> None:
    """Issue 6: one real disagreement is one conflict, whoever made each side and whenever."""
    a, b = network.clone("a"), network.clone("b")
    task, req, unit = SLOTS[0]
    network.edit(a, task, req, unit, "status", "blocked")  # the unit's own operator (u0)
    admin = Service(b, b.operator("office", 2019), 2019)  # the office, on another site, later
    admin.apply([Change(task, req, unit, "status", "done")], on_behalf_of=unit)
    sides = [(x.updated, x.updated_by) for x in (assignment(a, 0), assignment(b, 0))]
    assert sides[0][1] != sides[1][1]
    assert network.sync(a, "u0").ok
    result = network.sync(b, "u0")
    assert result.ok
    path = ("requirements", req, "units", unit, "status")
    assert [c.path for c in result.conflicts] == [path]
    listed = list_conflicts(b, 2019)
    assert [(c.path, {c.ours, c.theirs}) for c in listed] == [(path, {"blocked", "done"})]
    stamp = assignment(b, 0)
    assert (stamp.updated, stamp.updated_by) == max(sides)  # the later side's stamp, not a conflict
    assert [f.line() for f in verify_commits(b.repo, [b.tip(2019)])] == []
