"""tracker.rules: one validate_change for every interface (issue 12, item 3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.errors import ServiceError
from tracker.model import Status
from tracker.rules import NOTE_MAX_CHARS, InvalidChange, is_document_number, validate_change
from tracker.textsafe import clean_line


@pytest.mark.parametrize(
    ("text", "key"),
    [("done", "done"), ("已完成", "done"), ("In progress", "in_progress"), (" 推进中 ", "in_progress"),
     ("not-applicable", "not_applicable"), ("受阻\x1b", "blocked")],
)
def test_status_becomes_its_key(text: str, key: str) -> None:
    assert validate_change("status", text) == key


@pytest.mark.parametrize(
    "value",
    ["https://www.shouguang.gov.cn/zwgk/2019/0830.html", "http://x.gov.cn/1", "HTTPS://X.GOV.CN/a?b=c#d",
     "寿政办发〔2019〕12号", "国办发[2019]14号", "鲁政办字【2019】46号", "寿政发(2019)第3号",
     "《关于印发2019年政务公开工作要点的通知》(寿政办发〔2019〕12号)"],
)
def test_evidence_accepts_http_urls_and_document_numbers(value: str) -> None:
    assert validate_change("evidence", value) == value


@pytest.mark.parametrize(
    ("value", "why"),
    [("javascript:alert(1)", "javascript"), ("JavaScript://x.gov.cn/%0aalert(1)", "javascript"),
     ("file:///etc/passwd", "file"), ("data:text/html,<b>x</b>", "data"), ("ftp://x.gov.cn/a", "ftp"),
     ("http://", "主机名"), ("https://x.gov.cn/a b", "空格"), ("e1", "文号"), ("已公开", "文号"),
     ("寿政办发〔19〕12号", "文号"), ("〔2019〕12号", "文号"), ("  \x1b\x07 ", "不能为空"), ("h" * 2001, "过长")],
)
def test_evidence_refusals_name_the_field(value: str, why: str) -> None:
    with pytest.raises(InvalidChange, match=why) as caught:
        validate_change("evidence", value)
    assert caught.value.field == "evidence" and caught.value.value == value
    assert str(caught.value).startswith("佐证")
    assert isinstance(caught.value, ServiceError)


def test_note_limits() -> None:
    assert validate_change("note", "长" * NOTE_MAX_CHARS) == "长" * NOTE_MAX_CHARS
    with pytest.raises(InvalidChange, match=f"最多 {NOTE_MAX_CHARS} 字") as caught:
        validate_change("note", "长" * (NOTE_MAX_CHARS + 1))
    assert caught.value.field == "note" and str(caught.value).startswith("进展")
    with pytest.raises(InvalidChange, match="不能为空"):
        validate_change("note", " \x1b[31m\x07\n ".replace("[31m", ""))
    assert validate_change("note", "第一行\r\n第二行\x1b]0;t\x07") == "第一行\n第二行]0;t"


def test_unknown_field_and_status() -> None:
    with pytest.raises(InvalidChange, match="未知字段") as caught:
        validate_change("title", "x")
    assert caught.value.field == "title"
    with pytest.raises(InvalidChange, match="^状态不合规: 未知状态") as bad:
        validate_change("status", "finished")
    assert bad.value.field == "status" and bad.value.value == "finished"


def test_removal_takes_what_is_there() -> None:
    # an item committed before the rules (or by hand) can still be removed
    assert validate_change("evidence_remove", "e1") == "e1"
    assert validate_change("note_remove", "x" * (NOTE_MAX_CHARS + 5)) == "x" * (NOTE_MAX_CHARS + 5)


@given(st.text(max_size=60))
def test_any_text_is_cleaned_or_refused_never_passed_raw(text: str) -> None:
    for field in ("status", "note", "evidence"):
        try:
            out = validate_change(field, text)
        except InvalidChange as exc:
            assert exc.field == field and exc.value == text
            continue
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in out)
        assert "\x7f" not in out and not any(0x80 <= ord(ch) <= 0x9F for ch in out)
        if field == "status":
            assert out in {s.value for s in Status}
        elif field == "evidence":
            assert out == clean_line(out)
            assert out.lower().startswith(("http://", "https://")) or is_document_number(out)
        else:
            assert 0 < len(out) <= NOTE_MAX_CHARS


@given(st.sampled_from(["javascript", "file", "data", "vbscript", "ftp", "mailto"]), st.text(max_size=30))
def test_no_other_scheme_passes(scheme: str, rest: str) -> None:
    with pytest.raises(InvalidChange):
        validate_change("evidence", f"{scheme}:{rest}")
