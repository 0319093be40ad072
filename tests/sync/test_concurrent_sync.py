"""Two ``tracker sync`` at once in one store: they take turns on the writer lock, both succeed.

Without the lock both fetch into and push from the same refs at once: git's
"cannot lock ref", and a race taken for the remote's hook refusing the push.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.sync.conftest import OWNERS, SLOTS, Network

RUN_SYNC = textwrap.dedent(
    """
    import sys
    from tracker import operators
    login = sys.argv[1]
    operators._os_login = lambda: login
    from tracker.cli import main
    sys.argv = ["tracker", "sync", "--repo", sys.argv[2], "--format", "json"]
    main()
    """
)


def start_sync(login: str, path: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", RUN_SYNC, login, path], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_syncs_at_once_in_one_store_both_succeed(network: Network) -> None:
    site = network.clone("a")
    other = network.clone("b")
    # a remote that takes its time and talks, as a checking hook does: the two syncs overlap
    hook = network.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\ncat >/dev/null\necho checking\nsleep 1\n", encoding="utf-8")
    hook.chmod(0o755)
    for round_ in range(3):
        # work on both sides, so each sync has to fetch, merge and push
        for n, (task, req, unit) in enumerate(SLOTS[:3]):
            network.edit(site, task, req, unit, "note", f"本站{round_}-{n}")
        for n, (task, req, unit) in enumerate(SLOTS[3:]):
            network.edit(other, task, req, unit, "note", f"他站{round_}-{n}")
        assert network.sync(other, OWNERS[SLOTS[3][2]]).ok
        procs = [start_sync(OWNERS[SLOTS[0][2]], str(site.path)) for _ in range(2)]
        outcomes = [(p.wait(timeout=180), *p.communicate()) for p in procs]
        for code, out, err in outcomes:
            assert code == 0, (out, err)
            assert "cannot lock ref" not in out + err and "钩子" not in out + err
            assert "Traceback" not in err
            assert json.loads(out)["ok"] is True
        remote_tip = subprocess.run(["git", "--git-dir", str(network.remote), "rev-parse", "plan/2019"],
                                    capture_output=True, text=True, check=True).stdout.strip()
        assert site.tip(2019) == remote_tip
        assert site.repo.out("status", "--porcelain") == ""
    notes = {(t, r, u): [n.text for n in site.load(2019).plan.tasks[t].requirement(r).assignments[u].notes]  # type: ignore[union-attr]
             for t, r, u in SLOTS}
    for round_ in range(3):
        for n, slot in enumerate(SLOTS[:3]):
            assert f"本站{round_}-{n}" in notes[slot]
        for n, slot in enumerate(SLOTS[3:]):
            assert f"他站{round_}-{n}" in notes[slot]
    assert site.fsck()[0]


def test_a_sync_that_cannot_get_the_lock_says_so_in_one_line(network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracker.sync as sync_module

    site = network.clone("a")
    monkeypatch.setattr(sync_module, "SYNC_LOCK_WAIT", 0.3)
    before = site.tip(2019)
    with site.repo.writer_lock(), pytest.raises(sync_module.SyncError, match="另一个同步或写入已持续"):
        network.sync(site, OWNERS[SLOTS[0][2]])
    assert site.tip(2019) == before
