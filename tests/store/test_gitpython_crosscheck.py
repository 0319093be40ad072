"""An independent reader agrees with what the write path wrote.

The tracker writes blobs, trees and commits itself (the tracker.git package) and
moves the branch with ``git update-ref``. GitPython, a separate implementation
of git's object format, must read back exactly the commit the service reports:
author, parent, subject, trailers and the edited file.
"""

import hashlib
import tomllib

import git

from tracker.service import Change, Service
from tracker.store import Store


def test_gitpython_reads_the_commit_the_service_wrote(store: Store, operator_for) -> None:
    op = operator_for("市发改局")
    before = store.tip(2019)
    result = Service(store, op).apply(
        [Change(1, "1", "市发改局", "status", "done"), Change(1, "1", "市发改局", "note", "已公开\nUnit: 市政府办公室")]
    )
    # GitDB: GitPython's pure-Python object reader, so no git process is asked
    with git.Repo(store.path, odbt=git.GitDB) as repo:
        commit = repo.commit("plan/2019")
        assert commit.hexsha == result.commit
        assert [p.hexsha for p in commit.parents] == [before]
        assert (commit.author.name, commit.author.email) == (op.name, op.email)
        assert commit.message.splitlines()[0] == result.subject
        trailers = commit.trailers_dict
        assert trailers["Unit"] == ["市发改局"] and trailers["Operator"] == [op.login]
        data = tomllib.loads(commit.tree["tasks/01.toml"].data_stream.read().decode("utf-8"))
        unit = data["requirements"]["1"]["units"]["市发改局"]
        assert unit["status"] == "done" and unit["notes"][-1]["text"] == "已公开\nUnit: 市政府办公室"
        # the new commit, tree and blob as GitPython's own object database reads them, hashed again
        for sha, kind in ((commit.binsha, b"commit"), (commit.tree.binsha, b"tree"),
                          (commit.tree["tasks/01.toml"].binsha, b"blob")):
            stream = repo.odb.stream(sha)
            body = stream.read()
            assert stream.type == kind and len(body) == stream.size
            assert hashlib.sha1(b"%s %d\0" % (kind, len(body)) + body).digest() == sha
