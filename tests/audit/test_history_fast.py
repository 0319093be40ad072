"""History's fast paths (unit fingerprints, a lazily read log) give the events of a full parse."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.audit.conftest import git
from tests.audit.helpers import NDRC, OFFICE, edited, sample_task, text
from tracker import history
from tracker.git import log as git_log
from tracker.git.log import CommitInfo, log_commits
from tracker.history import HistoryFilter, task_events, unit_fingerprint, walk
from tracker.history import events as history_events
from tracker.history import git_walk as history_walk
from tracker.model import Status
from tracker.service import Change, Service
from tracker.store import Store

AS_ZHANGSAN = {
    "GIT_AUTHOR_NAME": "张三",
    "GIT_AUTHOR_EMAIL": "zhangsan@zwgk.local",
    "GIT_COMMITTER_NAME": "张三",
    "GIT_COMMITTER_EMAIL": "zhangsan@zwgk.local",
}
NDRC_HEADER = f'[requirements.1.units."{NDRC}"]'


def reference(store: Store, flt: HistoryFilter, task_path: str | None) -> list[dict[str, object]]:
    """The full parse: every changed file of every commit, no shortcut (history before the fast paths)."""
    paths = [task_path] if (flt.task is not None and task_path) else []
    infos = log_commits(store.repo, [store.tip(2019)], paths=paths)
    events = []
    for info, (before, after) in zip(infos, git_log.commit_changes(store.repo, infos, paths), strict=True):
        meta = info
        assert len(meta.parents) <= 1  # this store has no merges
        if not meta.parents:
            continue
        rows = history.files_events(before, after)
        if flt.task is not None:
            rows = [r for r in rows if r.task == flt.task]
        events += [e for e in history.commit_events(meta, rows) if flt.keeps(e)]
    return [e.to_json() for e in history.apply_filter(events, flt)]


def hand_commit(store: Store, content: str, message: str = "手工修改") -> None:
    (store.path / "tasks" / "05.toml").write_text(content, encoding="utf-8")
    git(store.path, "add", "tasks/05.toml")
    git(store.path, "commit", "-q", "-m", message, env=AS_ZHANGSAN)


def odd_forms(canonical: str) -> list[str]:
    """Valid TOML that spells NDRC's assignment in ways a line scan could misread."""
    lines = canonical.split("\n")
    at = lines.index(NDRC_HEADER)
    status_line = next(i for i in range(at, len(lines)) if lines[i].startswith("status = "))

    def with_lines(**changes: str) -> str:
        copy_ = list(lines)
        for index, value in changes.items():
            copy_[int(index[1:])] = value
        return "\n".join(copy_)

    dotted_lines = list(lines)
    dotted_lines[at] = "[requirements.1.units]"
    for i in range(at + 1, len(lines)):
        if lines[i].startswith("["):
            break
        if re.match(r"^[a-z_]+ = ", lines[i]):
            dotted_lines[i] = f'"{NDRC}".' + lines[i]
    dotted_lines[status_line] = f'"{NDRC}".status = "blocked"\n"{NDRC}".extra = "写在别处"'
    dotted = "\n".join(dotted_lines)
    escaped = canonical.replace(NDRC_HEADER, '[requirements.1.units."\\u5e02发改局"]')
    multiline_note = with_lines(
        **{f"l{status_line}": 'status = "blocked"\nremark = """\n[requirements.2]\n多行"""'}
    )
    nested = with_lines(**{f"l{status_line}": 'status = "done"\nodd = [\n["a"],\n[ "b" ]\n]'})
    return [
        dotted,
        escaped,
        multiline_note,
        nested,
        canonical.replace("[requirements.2]", "[requirements.2", 1),
    ]


@pytest.fixture
def busy_store(store: Store) -> Store:
    """Service edits on two tasks and units, plus hand-made commits in odd but valid (and one broken) forms."""
    zhang = Service(store, store.operator("zhangsan"), 2019)
    li = Service(store, store.operator("lisi"), 2019)
    statuses = [s.value for s in Status]
    for i in range(14):
        zhang.apply([Change(5, "1", NDRC, "status", statuses[i % len(statuses)])])
        li.apply([Change(5 + i % 2, "1", OFFICE, "note", f"第{i}次进展")])
        if i % 3 == 0:
            zhang.apply([Change(5, "2", NDRC, "evidence", f"http://www.shouguang.gov.cn/{i}")])
            zhang.apply([Change(6, "1", NDRC, "status", statuses[(i + 1) % len(statuses)])])
    canonical = (store.path / "tasks" / "05.toml").read_text(encoding="utf-8")
    for form in odd_forms(canonical):
        hand_commit(store, form)
        hand_commit(store, canonical, "改回")
    zhang.apply([Change(5, "1", NDRC, "note", "收尾")])
    return store


def test_fast_paths_give_the_full_parses_events(busy_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    real_parse = history.parse_bytes
    for module in (history_events, history_walk):  # the parsers the walk uses, counted
        monkeypatch.setattr(module, "parse_bytes", lambda data: parsed.append(1) or real_parse(data))
    versions = len(log_commits(busy_store.repo, [busy_store.tip(2019)], paths=["tasks/05.toml"]))
    assert versions > 30
    checked = 0
    for task in (5, 6, None):
        task_path = f"tasks/0{task}.toml" if task else None
        for unit in (None, NDRC, OFFICE):
            for limit in (None, 1, 3, 7):
                for operator in (None, "zhangsan"):
                    flt = HistoryFilter(task=task, unit=unit, operator=operator, limit=limit)
                    parsed.clear()
                    got = [
                        e.to_json()
                        for e in walk(busy_store.repo, busy_store.tip(2019), flt, task_path=task_path).events
                    ]
                    fast_parses = len(parsed)
                    want = reference(busy_store, flt, task_path)
                    assert got == want, (task, unit, limit, operator)
                    if limit is None and unit is not None and task == 5:
                        # one unit's history parses only the versions where its text changed
                        assert fast_parses < versions
                    checked += 1
    assert checked == 72
    ndrc = reference(busy_store, HistoryFilter(task=5, unit=NDRC), "tasks/05.toml")
    assert {e["field"] for e in ndrc} >= {"status", "note", "extra", "remark", "odd"}


def test_a_limit_reads_only_the_newest_part_of_the_log(
    busy_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = git_log.commit_changes

    def counting(repo: object, commits: list[CommitInfo], paths: list[str]) -> object:
        seen.extend(c.sha for c in commits)
        return real(repo, commits, paths)  # type: ignore[arg-type]

    # two later edits, an hour apart (the store's own commits share a few seconds, and commits of
    # one second could still hold a newer event, so the walk would go on through them)
    content = (busy_store.path / "tasks" / "05.toml").read_text(encoding="utf-8")
    written = []
    for hour in (1, 2):
        head, _, rest = content.partition(NDRC_HEADER)
        current = re.search(r'status = "(\w+)"', rest)
        assert current is not None
        status = "done" if current.group(1) != "done" else "blocked"
        written.append((current.group(1), status))
        content = head + NDRC_HEADER + rest.replace(current.group(0), f'status = "{status}"', 1)
        (busy_store.path / "tasks" / "05.toml").write_text(content, encoding="utf-8")
        when = f"2030-01-01T0{hour}:00:00+08:00"
        git(
            busy_store.path,
            "commit",
            "-q",
            "-am",
            "later",
            env={**AS_ZHANGSAN, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
        )
    monkeypatch.setattr(git_log, "commit_changes", counting)
    flt = HistoryFilter(task=5, unit=NDRC, limit=2)
    events = walk(busy_store.repo, busy_store.tip(2019), flt, task_path="tasks/05.toml").events
    walked = len(seen)
    assert [(e.field, e.old, e.new) for e in events] == [("status", *w) for w in reversed(written)]
    assert [e.to_json() for e in events] == reference(busy_store, flt, "tasks/05.toml")
    total = len(log_commits(busy_store.repo, [busy_store.tip(2019)], paths=["tasks/05.toml"]))
    assert walked < total / 2


# ---------------------------------------------------------------- unit_fingerprint, pure


def test_fingerprint_is_the_units_tables() -> None:
    data = text(sample_task(5))
    mark = unit_fingerprint(data, NDRC)
    assert mark is not None and NDRC.encode() in mark and OFFICE.encode() not in mark
    assert mark.count(b"[requirements.") == 2  # requirement 1 and 2 both have NDRC
    other = text(edited(sample_task(5), "1", OFFICE, status=Status.DONE, by="lisi"))
    assert unit_fingerprint(other, NDRC) == mark
    changed = text(edited(sample_task(5), "1", NDRC, note="新进展"))
    assert unit_fingerprint(changed, NDRC) != mark


@pytest.mark.parametrize("case", range(5))
def test_fingerprint_gives_up_on_forms_a_line_scan_could_misread(case: int) -> None:
    form = odd_forms(text(sample_task(5)).decode())[case]
    if case < 4:
        tomllib.loads(form)  # valid TOML, so only a parse may judge it
    assert unit_fingerprint(form.encode(), NDRC) is None or case == 4


def test_fingerprint_refuses_names_it_cannot_find_literally() -> None:
    data = text(sample_task(5))
    assert unit_fingerprint(data, 'a"b') is None
    assert unit_fingerprint(data, "") is None
    assert unit_fingerprint(data + b"\n[reminder]\nx = 1\n", NDRC) is None


EDIT = st.tuples(
    st.sampled_from([("1", OFFICE), ("1", NDRC), ("2", NDRC)]),
    st.sampled_from(["status", "note", "evidence"]),
    st.sampled_from(list(Status)),
    st.text(alphabet='甲乙"[]{}#=.\\\n丙', min_size=1, max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(EDIT, max_size=4), st.lists(EDIT, max_size=4))
def test_same_fingerprint_means_no_event_for_the_unit(first: list, second: list) -> None:
    def apply(edits: list) -> bytes:
        task = sample_task(5)
        for (req, unit), kind, status, value in edits:
            if kind == "status":
                task = edited(task, req, unit, status=status)
            elif kind == "note":
                task = edited(task, req, unit, note=value)
            else:
                task = edited(task, req, unit, evidence=value)
        return text(copy.deepcopy(task))

    old, new = apply(first), apply(second)
    for unit in (NDRC, OFFICE):
        a, b = unit_fingerprint(old, unit), unit_fingerprint(new, unit)
        events = [
            e
            for e in task_events("tasks/05.toml", tomllib.loads(old.decode()), tomllib.loads(new.decode()))
            if e.unit == unit
        ]
        if a is not None and a == b:
            assert events == []
        if events:
            assert a is None or a != b


def test_fingerprint_of_a_real_store_version(tmp_path: Path) -> None:
    # the codec's long lists (one name per line) stay inside their table
    task = sample_task(5)
    task.requirements[0].implementers = [f"单位{i}" for i in range(8)]
    data = text(task)
    assert unit_fingerprint(data, NDRC) is not None
