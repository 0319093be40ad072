"""Remote names and URLs: only ssh, https, file and absolute paths; nothing git reads as an option or command."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.git.remote import RemoteError, check_remote_name, check_remote_url

GOOD = [
    "ssh://git@example.org/srv/plan.git",
    "ssh://git@example.org:2222/srv/plan.git",
    "https://git.example.org/office/plan.git",
    "file:///srv/git/plan.git",
    "/srv/git/plan.git",
    "git@example.org:office/plan.git",
    "zhang.san@server-1:plans/2019.git",
]
BAD = [
    "",
    "-oProxyCommand=touch /tmp/x",
    "--upload-pack=touch%20/tmp/x",
    "ext::sh%20-c%20touch%20/tmp/x",
    "fd::17",
    "transport::anything",
    "ssh://-oProxyCommand=x/srv",
    "ssh://-user@host/srv",
    "ssh://host",
    "http://example.org/plan.git",
    "git://example.org/plan.git",
    "file://relative/path",
    "relative/path.git",
    "host:path",
    "-host:path",
    "git@-host:path",
    "git@host:-path",
    "ssh://git@example.org/srv/plan.git\n",
    "/srv/plan with space.git",
    "/srv/plan\x1b[31m.git",
    "/srv/plan\u202e.git",
]


@pytest.mark.parametrize("url", GOOD)
def test_accepted_urls(url: str) -> None:
    assert check_remote_url(url) == url


@pytest.mark.parametrize("url", BAD)
def test_refused_urls(url: str) -> None:
    with pytest.raises(RemoteError):
        check_remote_url(url)


@given(st.text(max_size=40))
def test_nothing_starting_with_a_dash_or_holding_blanks_or_controls_passes(text: str) -> None:
    for candidate in ("-" + text, "/srv/" + text + " x", "/srv/" + text + "\x07", "ext::" + text):
        with pytest.raises(RemoteError):
            check_remote_url(candidate)


@pytest.mark.parametrize("name", ["origin", "town_2", "dev-zone", "A1"])
def test_remote_names_accepted(name: str) -> None:
    assert check_remote_name(name) == name


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "a.b", "名", "x" * 65, "--upload-pack"])
def test_remote_names_refused(name: str) -> None:
    with pytest.raises(RemoteError):
        check_remote_name(name)
