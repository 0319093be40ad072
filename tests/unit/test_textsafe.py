"""User text is data: control characters, bidi overrides and noncharacters go; text stays."""

import pytest

from tracker.textsafe import clean_line, clean_text


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
