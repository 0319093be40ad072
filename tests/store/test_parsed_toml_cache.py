"""History's versions go through the parsed-blob cache: the same data as tomllib, parsed once."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from tracker.plain_task import toml_from_plain, toml_to_plain
from tracker.store import Store

SCALARS = st.one_of(
    st.text(max_size=8), st.integers(), st.booleans(), st.floats(allow_nan=False),
    st.dates(), st.times(), st.datetimes(),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=8)))),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)


@given(st.dictionaries(st.text(max_size=6), VALUES, max_size=4))
def test_toml_data_round_trips_or_is_not_kept(data: dict[str, object]) -> None:
    plain = toml_to_plain(data)
    if plain is not None:
        assert toml_from_plain(plain) == data


def test_a_reserved_key_is_not_kept() -> None:
    assert toml_to_plain({"a": {"\u0000d": "2019-01-01"}}) is None


def test_history_reads_a_version_from_the_cache_the_second_time(store: Store) -> None:
    data = (store.path / "tasks" / store.load().paths[5]).read_bytes()
    first = store.parsed_toml(data)
    assert first == tomllib.loads(data.decode())
    entry = store._entry_path("toml", store.repo.blob_id(data))
    assert entry.is_file()
    again = Store.open(store.path).parsed_toml(data)
    assert again == first


def test_a_damaged_entry_is_parsed_again(store: Store) -> None:
    data = b'number = 5\ntitle = "x"\nwhen = 2019-05-01\n'
    store.parsed_toml(data)
    store._entry_path("toml", store.repo.blob_id(data)).write_bytes(b"{broken")
    assert Store.open(store.path).parsed_toml(data) == {"number": 5, "title": "x", "when": date(2019, 5, 1)}


def test_types_survive(store: Store) -> None:
    data = b't = 07:30:00\nd = 2019-05-01T08:00:00+08:00\n'
    store.parsed_toml(data)
    got = Store.open(store.path).parsed_toml(data)
    assert got == {"t": time(7, 30), "d": datetime(2019, 5, 1, 8, tzinfo=timezone(timedelta(hours=8)))}
