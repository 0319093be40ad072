"""User text is data: control characters, bidi overrides and noncharacters go; text stays."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tracker.textsafe import clean_line, clean_output, clean_text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("已公开\x1b[31m红\x1b]8;;http://x\x07链接", "已公开[31m红]8;;http://x链接"),
        ("a\u202eb\u2066c", "abc"),
        ("x\ufffey\uffffz\ufdd0w\U0001fffe", "xyzw"),  # git rewrites a commit holding these
        ("第一行\r\n第二行\r第三行", "第一行\n第二行\n第三行"),
        ("制表\t保留 🙂 “引号”", "制表\t保留 🙂 “引号”"),
    ],
)
def test_clean_text(raw: str, kept: str) -> None:
    assert clean_text(raw) == kept


def test_clean_line_folds_breaks_to_spaces() -> None:
    assert clean_line(" 任务5\n营里镇\u2028已完成 \x00") == "任务5 营里镇 已完成"


# The expressions alone, without the printable-text shortcut, as the reference.
_NONCHARACTERS = "\ufdd0-\ufdef\ud800-\udfff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069{_NONCHARACTERS}]")
_OUTPUT = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069{_NONCHARACTERS}]")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")
_TRICKY = st.sampled_from(list("a 营\u3000\xa0\t\n\r\x0b\x1b\x7f\x85\x9f\u2028\u2029\u202e\u2066\ufdd0\ufffe\U0001ffff\ud800🙂"))


@given(st.text(_TRICKY) | st.text())
@example("第一行\r\n第二行")
@example(" 全角\u3000空格 ")
def test_cleaners_agree_with_the_expressions(text: str) -> None:
    assert clean_text(text) == _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    assert clean_line(text) == _CONTROL.sub("", _BREAKS.sub(" ", text)).strip()
    assert clean_output(text) == _OUTPUT.sub("", text)
