"""Any text given to the importer ends in a plan or a NoticeImportError, never a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.codec import load_task
from tracker.importer import NoticeImportError, import_text, plan_files
from tracker.units import load_registry

# Lines shaped like a notice's, so the parser's branches are reached, mixed with noise.
NOTICE_LINES = [
    "一、扎实做好重点领域信息公开", "(一)做好信息公开", "(三) 切切实增强回应实效", "(三)推动政府公报创新发",
    "1.推进信息公开", "36.政府公报创新发展", "2.任务", "99999.任务", "要求一。", "具 体 要 求", "工作任务",
    "市发改局牵头落实", "市发改局牵头落实;市工信局、各镇(街区)按职责分工分别落实", "市火星局落实",
    "市直相关部门分别落实", "相关镇(街区)落实", "全年", "6月底前/全年", "本任务分工印发1个月内", "13月底前",
    "20197 9", "2019年2月30日", "关于印发某市任务分工的通知", "某市人民政府办公室", "x.pdf", "- 3 -",
    "| 工作任务 | 具体要求 | 责任单位 | 时限要求 |", "| 1.任务 | 要求。 | 市发改局落实 | 全年 |", "| | | | |",
    "\u00a0", "\u3000", "", "\r", "\x1b[31m", "[/]",
]

line = st.one_of(st.sampled_from(NOTICE_LINES), st.text(max_size=20))


def _check(text: str) -> str:
    """"plan" (whose files read back to it) or "refused" (with a message); anything else fails here."""
    try:
        result = import_text(text, 2019, allow_unknown_units=True)
    except NoticeImportError as exc:
        assert str(exc)
        return "refused"
    files = plan_files(result)
    load_registry(files["units.toml"])
    for path, content in files.items():
        if path[0].isdigit():
            task = load_task(content, path)
            assert task == result.plan.tasks[task.number]
    return "plan"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, max_size=25).map("\n".join))
def test_notice_like_text_gives_a_plan_or_a_clear_error(text: str) -> None:
    assert _check(text) in ("plan", "refused")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_plan_or_a_clear_error(text: str) -> None:
    assert _check(text) in ("plan", "refused")


@settings(max_examples=100, deadline=None)
@given(st.lists(line, max_size=15).map("\n".join))
def test_unknown_units_refused_with_a_clear_error(text: str) -> None:
    try:
        import_text(text, 2019)
    except NoticeImportError as exc:
        assert exc.message
