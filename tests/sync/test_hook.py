"""Sync against a remote guarded by the pre-receive hook (``tracker hook install``)."""

from __future__ import annotations

import subprocess

import pytest

from tests.sync.conftest import GIT, Network, git

hooks = pytest.importorskip("tracker.hooks", reason="tracker.hooks (the pre-receive hook) has not landed yet")

U0, U1 = "市政府办公室", "市行政审批服务局"


def test_unit_operators_sync_conflicts_through_the_guarded_remote(network: Network) -> None:
    hooks.install_pre_receive(network.remote)
    a, b = network.clone("a"), network.clone("b")
    network.edit(a, 5, "1", U0, "status", "done")
    network.edit(b, 5, "1", U0, "status", "blocked")
    network.edit(b, 5, "1", U1, "note", "乙站")
    assert network.sync(a, "u0").ok
    result = network.sync(b, "u1")  # a unit operator's merge, with a recorded conflict
    assert result.ok, [p.refused for p in result.plans]
    assert len(result.conflicts) == 1
    assert network.sync(a, "u0").ok and a.tip(2019) == b.tip(2019)


def test_a_change_beyond_the_authors_rights_is_refused_and_explained(network: Network) -> None:
    hooks.install_pre_receive(network.remote)
    a = network.clone("a")
    path = a.path / "tasks" / "05.toml"
    text = path.read_text("utf-8")
    start = text.index(f'[requirements.1.units."{U1}"]')
    at = text.index('status = "not_started"', start)
    path.write_text(text[:at] + 'status = "done"' + text[at + len('status = "not_started"') :], encoding="utf-8")
    ident = ["-c", "user.name=u0", "-c", "user.email=u0@zwgk.local"]
    subprocess.run([*GIT, *ident, "commit", "-q", "-am", "手工提交"], cwd=a.path, check=True)
    mine = a.tip(2019)
    result = network.sync(a, "u0")
    assert not result.ok
    refused = result.plans[0].refused
    assert "远端拒绝接收 plan/2019" in refused and "没有丢失" in refused
    assert a.tip(2019) == mine
    assert git("rev-parse", "plan/2019", cwd=network.remote).strip() != mine
