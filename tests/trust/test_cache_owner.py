"""Derived data (parsed-blob cache, query index) is written by the store's writer alone, with real accounts.

Runs as root (CI does): a writer account makes and owns the store (``--shared`` with a
group, the trusted set-up where another account may open it), a reader account of that
group reads it, both through the tracker in a venv of the system Python.
The reader leaves no file behind and changes none of the writer's; a forged cache entry
or index row that someone other than the writer could have written never shows in
``list``, ``show`` or a report, ``tracker doctor`` names it with what it means and the
command that fixes it, and the writer's next run replaces it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.deploy.test_one_writer_sshd import launcher, system_venv
from tracker.cli import app
from tracker.plan_index import index_path
from tracker.store import Store

pytestmark = pytest.mark.slow
FORGED = "伪造的标题"


@dataclass
class Site:
    tracker: Path
    store: Path
    writer: str
    reader: str

    def run(self, user: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``tracker ARGS --repo STORE`` as ``user``."""
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "TRACKER_REPO": str(self.store)}
        result = subprocess.run(["/usr/sbin/runuser", "-u", user, "--", str(self.tracker), *args], capture_output=True,
                                text=True, env=env, cwd="/tmp", check=False, timeout=120)
        if check:
            assert result.returncode == 0, f"{user} {args}: {result.stdout}\n{result.stderr}"
        return result

    @property
    def git_dir(self) -> Path:
        return self.store / ".git"


@pytest.fixture
def site() -> Iterator[Site]:
    if os.geteuid() != 0:
        pytest.skip("需要 root 才能创建测试账号(CI 以 root 运行此测试)")
    venv = system_venv()
    tag = secrets.token_hex(3)
    group, writer, reader = f"tcg{tag}", f"tcw{tag}", f"tcr{tag}"
    base = Path(tempfile.mkdtemp(prefix="tracker-cache-", dir="/tmp"))
    base.chmod(0o755)
    subprocess.run(["groupadd", group], check=True)
    try:
        for user in (writer, reader):
            subprocess.run(["useradd", "-M", "-N", "-g", group, "-s", "/bin/sh", "-d", "/tmp", user], check=True)
        tracker = launcher(base, venv)
        home = base / "srv"
        home.mkdir()
        shutil.chown(home, writer, group)
        found = Site(tracker, home / "store", writer, reader)
        found.run(writer, "init", str(found.store), "--shared", group)  # the reader may open it
        found.run(writer, "set", "5.1", "--unit", "市发改局", "--status", "推进中")
        found.run(writer, "list")  # the writer's index and cache, as after a day's work
        found.run(writer, "show", "5")
        yield found
    finally:
        shutil.rmtree(base, ignore_errors=True)
        for user in (writer, reader):
            subprocess.run(["userdel", user], check=False)
        subprocess.run(["groupdel", group], check=False)


def files_of(folder: Path) -> dict[str, tuple[int, int, int, str]]:
    """Every file and folder below ``folder``: (owner, mode, mtime, sha256 of a file)."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else ""
        found[str(path.relative_to(folder))] = (st.st_uid, st.st_mode, st.st_mtime_ns, digest)
    return found


def _doctor(store: Path, *lang: str) -> str:
    result = CliRunner().invoke(app, [*lang, "doctor", "--repo", str(store)], catch_exceptions=False)
    return result.stdout


def writable_finding(path: Path) -> str:
    """doctor's line for a cache file or folder the group may write."""
    return (f"{path}: 组内账号可写:能伪造缓存(列表、详情、报表、历史显示提交里没有的内容);读者不采信,"
            f"写入账号下次运行时重建;修复: rm -rf {path}")


def foreign_finding(site: Site, path: Path) -> str:
    """doctor's line for a cache file owned by the reader account."""
    owner = f"{site.reader}(uid {path.stat().st_uid})"
    writer = f"{site.writer}(uid {site.git_dir.stat().st_uid})"
    return f"{path}: 属于账号 {owner},不是写入账号 {writer}:缓存可能被伪造,读者不采信,写入账号也无法重建;修复: rm -rf {path}"


def _task5_entry(site: Site) -> Path:
    store = Store.open(site.store)
    oid = next(o for rel, o in store.snapshot(tasks=[5]).blobs.items() if rel.endswith("05.toml"))
    return store._entry_path("tasks", oid)


def _forge_entry(entry: Path) -> None:
    data = json.loads(entry.read_bytes())
    data["task"]["title"] = FORGED
    entry.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _forge_index(path: Path) -> None:
    db = sqlite3.connect(path)
    with db:
        (row, plain), = db.execute("SELECT row, plain FROM tasks WHERE number = 5")
        row, plain = json.loads(row), json.loads(plain)
        row["title"] = plain["title"] = FORGED
        db.execute("UPDATE tasks SET row = ?, plain = ? WHERE number = 5",
                   (json.dumps(row, ensure_ascii=False), json.dumps(plain, ensure_ascii=False)))
    db.close()


def _shown(site: Site, user: str) -> str:
    """What list, show and a report print for ``user``."""
    return "\n".join(site.run(user, *args).stdout for args in (
        ("list", "--format", "json"), ("list", "unit:市发改局", "--format", "json"),
        ("show", "5", "--format", "json"), ("report", "--format", "json", "--as-of", "2019-09-01")))


def test_a_reader_leaves_no_file_and_changes_none_of_the_writers(site: Site) -> None:
    before = files_of(site.git_dir)
    assert any("index-v1" in p for p in before) and any("/tasks/" in p for p in before)
    seen = _shown(site, site.reader)
    site.run(site.reader, "history", "5")
    assert files_of(site.git_dir) == before
    assert seen == _shown(site, site.writer)  # the reader sees exactly what the writer sees
    for path, (uid, mode, _, _) in files_of(site.git_dir / "tracker-cache").items():
        assert mode & 0o022 == 0, path  # never group- or other-writable, even in the store's group
        assert uid == site.git_dir.stat().st_uid, path


def test_a_forged_entry_owned_by_another_account_is_never_shown(site: Site) -> None:
    entry = _task5_entry(site)
    # an old shared store: the writer's fan-out folder group-writable, so a member could swap the entry
    folder = entry.parent
    folder.chmod(0o2775)
    shutil.chown(folder, group=os.stat(site.git_dir).st_gid)
    _forge_entry(entry)
    shutil.chown(entry, site.reader)
    assert FORGED not in _shown(site, site.reader)
    owner = f"{site.reader}(uid {entry.stat().st_uid})"
    writer = f"{site.writer}(uid {site.git_dir.stat().st_uid})"
    report = _doctor(site.store)
    assert writable_finding(folder) in report
    assert foreign_finding(site, entry) in report
    english = _doctor(site.store, "--lang", "en")
    assert (f"{entry}: owned by {owner}, not the writer {writer}: the cache may be forged; readers ignore it and "
            f"the writer cannot rebuild it; fix: rm -rf {entry}") in english
    # the writer's next run does not believe it either, and puts its own entry and folder back
    assert FORGED not in _shown(site, site.writer)
    assert entry.stat().st_uid == site.git_dir.stat().st_uid and entry.stat().st_mode & 0o777 == 0o644
    assert folder.stat().st_mode & 0o7777 == 0o755
    assert str(entry) not in _doctor(site.store)


def test_a_writable_forged_entry_is_ignored_but_the_writers_own_is_believed(site: Site) -> None:
    entry = _task5_entry(site)
    _forge_entry(entry)
    entry.chmod(0o664)
    assert FORGED not in site.run(site.reader, "show", "5").stdout
    assert writable_finding(entry) in _doctor(site.store)
    # the same bytes left as only the writer could leave them are believed: the check above is what refused it
    _forge_entry(entry)
    entry.chmod(0o644)
    shutil.chown(entry, site.writer)
    assert FORGED in site.run(site.reader, "show", "5").stdout


def test_a_forged_index_row_is_never_shown_and_the_writer_rebuilds_it(site: Site) -> None:
    store = Store.open(site.store)
    path = index_path(store, 2019)
    _forge_index(path)
    for make_it_foreign in (lambda: path.chmod(0o666), lambda: shutil.chown(path, site.reader)):
        make_it_foreign()
        assert FORGED not in _shown(site, site.reader)
    assert foreign_finding(site, path) in _doctor(site.store)
    # control: the forged row owned by the writer alone would be believed by a reader
    shutil.chown(path, site.writer)
    path.chmod(0o644)
    assert FORGED in site.run(site.reader, "list", "--format", "json").stdout
    path.chmod(0o664)
    assert FORGED not in _shown(site, site.writer)  # the writer rebuilt it: a new file in its place
    assert path.stat().st_mode & 0o777 == 0o644
    assert FORGED not in _shown(site, site.reader)
    assert str(path) not in _doctor(site.store)


def test_a_stale_index_is_not_used_by_a_reader_and_doctor_says_so(site: Site) -> None:
    store = Store.open(site.store)
    path = index_path(store, 2019)
    old_commit = store.tip(2019)
    old_tree = store.repo.out("rev-parse", "plan/2019:tasks").strip()
    site.run(site.writer, "set", "5.1", "--unit", "市发改局", "--status", "已完成")
    new_tree = store.repo.out("rev-parse", "plan/2019:tasks").strip()
    # left behind by one commit (as after a commit made with git by hand), and its row 5 made up:
    # a reader would show the row if it used an index that does not describe the tip
    _forge_index(path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'tree'", (old_tree,))
        db.execute("UPDATE meta SET value = ? WHERE key = 'commit'", (old_commit,))
    db.close()
    listed = site.run(site.reader, "list", "--format", "json").stdout
    assert FORGED not in listed and "5" in listed
    message = (f"{path}: 查询索引描述的是 tasks 树 {old_tree[:12]},分支 plan/2019 现在是 {new_tree[:12]}:"
               f"读者不使用它(从计划本身读),写入账号下次运行时更新;修复: rm -f {path}")
    assert message in _doctor(site.store)
    english = (f"{path}: the query index describes tasks tree {old_tree[:12]}, branch plan/2019 is now at "
               f"{new_tree[:12]}: readers do not use it (they read the plan itself), the writer updates it on "
               f"its next run; fix: rm -f {path}")
    assert english in _doctor(site.store, "--lang", "en")
    site.run(site.writer, "list")  # the writer catches it up
    assert str(path) not in _doctor(site.store)


def test_a_forged_history_record_is_never_shown(site: Site) -> None:
    site.run(site.writer, "history", "5")  # the writer records what each commit did to tasks/05.toml
    path = site.git_dir / "tracker-cache" / "index-v1" / "history.sqlite"
    forged = json.dumps([["tasks/05.toml", 5, "1", "市发改局", "status", "", FORGED, []]], ensure_ascii=False)
    db = sqlite3.connect(path)
    with db:
        assert db.execute("UPDATE changes SET rows = ? WHERE path = 'tasks/05.toml'", (forged,)).rowcount
    db.close()
    path.chmod(0o664)
    assert FORGED not in site.run(site.reader, "history", "5", "--format", "json").stdout
    assert writable_finding(path) in _doctor(site.store)
    path.chmod(0o644)  # control: as only the writer could leave it, it is believed
    assert FORGED in site.run(site.reader, "history", "5", "--format", "json").stdout
    path.chmod(0o664)
    assert FORGED not in site.run(site.writer, "history", "5", "--format", "json").stdout  # a new record
    assert path.stat().st_mode & 0o777 == 0o644
    assert FORGED not in site.run(site.reader, "history", "5", "--format", "json").stdout
