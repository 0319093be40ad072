"""Terminal tables for wide characters, cutting, wrapping, and CSV with a BOM."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.tabular import Column, cut, render_table, text_width, to_csv, wrap


def test_widths_count_chinese_twice() -> None:
    assert text_width("营里镇") == 6
    assert text_width("a营b") == 4
    assert text_width("\uff08一\uff09") == 6  # full-width brackets are wide
    assert text_width("e\u0301") == 1  # combining accent takes no cell


def test_cut_ends_with_an_ellipsis_and_never_exceeds() -> None:
    assert cut("推进新旧动能转换", 7) == "推进新…"
    assert cut("abc", 3) == "abc"
    assert cut("abcdef", 4) == "abc…"
    assert cut("营", 1) == "…"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(alphabet="营里镇ab c化龙", max_size=30)), max_size=6),
       st.integers(min_value=10, max_value=120))
def test_every_table_line_fits(rows: list[tuple[str, str]], width: int) -> None:
    columns = [Column("a", "单位", 4), Column("b", "具体要求", 6)]
    table = render_table(columns, [{"a": a, "b": b} for a, b in rows], width)
    assert all(text_width(line) <= width for line in table.splitlines())


def test_columns_align_and_shrink_the_widest_first() -> None:
    rows = [{"n": 1, "unit": "营里镇", "text": "长" * 40}, {"n": 12, "unit": "市发改局", "text": "短"}]
    cols = [Column("n", "序号", 2, "right"), Column("unit", "单位", 4), Column("text", "要求", 4)]
    lines = render_table(cols, rows, 40).splitlines()
    assert lines[2].startswith("   1  营里镇    长")
    assert lines[3].startswith("  12  市发改局  短")
    assert lines[2].endswith("…") and text_width(lines[2]) in (39, 40)  # a wide character is never halved


def test_booleans_lists_and_control_characters_in_cells() -> None:
    table = render_table([Column("a", "A"), Column("b", "B")], [{"a": True, "b": ["x", "y\x1b[31m"]}], None, yes="yes")
    assert table.splitlines()[2] == "yes  x、y[31m"


def test_wrap_breaks_chinese_anywhere_and_latin_at_spaces() -> None:
    assert wrap("一二三四五六", 4) == ["一二", "三四", "五六"]
    assert wrap("see http://a.b/c here", 12) == ["see", "http://a.b/c", "here"]
    assert wrap("两段\n文字", 10) == ["两段", "文字"]


def test_csv_has_bom_crlf_and_joins_lists() -> None:
    text = to_csv(["a", "b", "c"], [{"a": ["x", "y"], "b": True, "c": "=cmd"}])
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [["a", "b", "c"], ["x;y", "true", "'=cmd"]]
