"""The 任务分工 notice as text (copied out of a PDF or a web page) -> events for the builder.

What real copies look like, and what the parser does about it:

- encodings: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK;
  LF, CRLF or CR line ends; blank and whitespace-only lines (NBSP, U+3000);
- full-width or ASCII punctuation: every line is width-folded
  (:func:`tracker.units.fold_width`) before anything else, so ``(一)`` and
  ``(一)`` are the same heading and both spellings of one notice give the same
  plan. *Verbatim* therefore means: the characters of the notice, with
  full-width ASCII forms stored as ASCII (the 2019 original uses ASCII ``, ( ) : ;``)
  and surrounding whitespace trimmed; Chinese punctuation (、。“”《》) is untouched;
- the table header (``工作任务 / 具体要求 / 责任单位 / 时限要求``, also letter-spaced as
  ``具 体 要 求``) and the section lines repeated after every page break are skipped;
- heading typos from the PDF: a space then a doubled first character
  (``(三) 切切实增强回应实效``) is fixed, and a sub-section cut short
  (``(三)推动政府公报创新发``) is completed from its first task's title
  (``36.政府公报创新发展``); both are reported;
- file names and page numbers (``…通知 _1_.pdf``, ``- 3 -``) are reported and dropped;
  any other line that fits nowhere is reported and kept on its task as ``unclassified``.

The preamble (before the first heading) gives the plan's notice title, issuer,
issue date (``20197 9`` -> 2019-07-09, see :func:`tracker.deadlines.parse_issue_date`)
and title; its other lines are reported as notice text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import date

from tracker.deadlines import looks_like_deadline, parse_issue_date
from tracker.importer.builder import (
    ImportReport,
    NoticeImportError,
    PlanBuilder,
    looks_cut,
    parse_unit_line,
    split_glued_clauses,
)
from tracker.model import PlanInfo
from tracker.textsafe import clean_text
from tracker.units import Registry, fold_width

HEADER_WORDS = frozenset(
    {
        "工作任务",
        "具体要求",
        "责任单位",
        "时限要求",
        "序号",
        "牵头单位",
        "完成时限",
        "配合单位",
        "任务",
        "工作要求",
    }
)
_NUMERALS = "一二三四五六七八九十"
SECTION = re.compile(rf"^([{_NUMERALS}]+)、(\s*.+)$")
SUBSECTION = re.compile(rf"^\(([{_NUMERALS}]+)\)(\s*.+)$")
TASK = re.compile(r"^([1-9][0-9]{0,3})\s*[.、]\s*(.+)$")
_ARTEFACT = re.compile(
    r"(\.(pdf|docx?|wps|xlsx?|txt|html?)$)|(^[-—–]*\s*[0-9]{1,3}\s*[-—–]*$)|(^第\s*[0-9]+\s*页)", re.I
)
_ISSUER = re.compile(r"(办公室|政府|委员会|管委会|局|厅|办)$")
_SENTENCE = re.compile(r"[。;:,!?]")
MAX_HEADING = 40


def decode_bytes(data: bytes, source: str = "<input>") -> str:
    """Bytes of a notice or a CSV -> text: BOM first, then UTF-8, then GB18030 (covers GBK).

    Raises:
        NoticeImportError: when none of these encodings fits.
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise NoticeImportError(f"{source}: 文件声明为 {encoding} 但无法解码: {exc}") from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeImportError(f"{source}: 无法识别文件编码(支持 UTF-8、GB18030/GBK)")


def normalise_lines(text: str) -> list[str]:
    """Text -> lines: control characters out, line ends unified, width folded, trimmed."""
    return [fold_width(line).strip() for line in clean_text(text).replace("\t", " ").split("\n")]


def is_header(line: str) -> bool:
    """A table header cell such as ``具 体 要 求`` (letter-spaced or not), under any of its synonyms."""
    from tracker.importer.columns import SYNONYMS

    word = "".join(line.split())
    return word in HEADER_WORDS or any(word in words for words in SYNONYMS.values())


def is_artefact(line: str) -> bool:
    """A file name or a page number that got into the copy."""
    return bool(_ARTEFACT.search(line))


@dataclass
class _Heading:
    raw: str
    text: str


def fix_heading(marker: str, body: str, raw: str, line: int, report: ImportReport) -> str:
    """``(三)`` + `` 切切实增强回应实效`` -> ``(三)切实增强回应实效`` (reported)."""
    fixed = body.strip()
    spaced = body != body.lstrip()
    if spaced and len(fixed) > 2 and fixed[0] == fixed[1]:
        fixed = fixed[1:]
        report.add("fixed", line, f"标题“{raw}”多出一个字(PDF 复制造成),改为“{marker}{fixed}”")
    return marker + fixed


def complete_heading(heading: str, title: str) -> str | None:
    """The heading completed from the task title when the heading was cut short.

    ``(三)推动政府公报创新发`` + ``政府公报创新发展`` -> ``(三)推动政府公报创新发展``: the
    heading ends with most of the title (at least 4 characters) and only the last
    1-3 characters are missing. None when nothing is missing.
    """
    for size in range(len(title) - 1, 3, -1):
        if len(title) - size > 3:
            break
        if heading.endswith(title[:size]):
            return heading + title[size:]
    return None


def parse_notice(
    text: str,
    year: int,
    registry: Registry,
    *,
    issued: date | None = None,
    source: str = "<notice>",
    allow_unknown_units: bool = False,
) -> tuple[PlanBuilder, ImportReport]:
    """Read a notice's text into a builder (call ``builder.build()`` for the plan).

    ``issued`` overrides the date read from the notice.
    """
    report = ImportReport(source=source)
    lines = normalise_lines(text)
    start = _first_structural(lines)
    info = _read_preamble(lines[:start], year, issued, report)
    builder = PlanBuilder(registry, info, report, allow_unknown_units=allow_unknown_units)
    section: _Heading | None = None
    subsection: _Heading | None = None
    pending_completion: tuple[_Heading, int] | None = None
    open_heading: _Heading | None = None
    open_heading_line = 0
    for index in range(start, len(lines)):
        line, number = lines[index], index + 1
        if not line:
            continue
        if is_header(line) or (info.title and line == info.title):
            continue
        if is_artefact(line):
            report.add("artefact", number, "文件名或页码,已忽略", line)
            continue
        if (m := SECTION.match(line)) and _is_heading(m.group(2)):
            heading = fix_heading(m.group(1) + "、", m.group(2), line, number, report)
            if section and heading in (section.text, section.raw):
                report.add("repeated", number, "分页后重复的大标题", line)
                continue
            section = _Heading(line, heading)
            subsection = None
            builder.set_section(heading)
            open_heading, open_heading_line = section, number
            builder.current = None
            continue
        if (m := SUBSECTION.match(line)) and _is_heading(m.group(2)):
            heading = fix_heading(f"({m.group(1)})", m.group(2), line, number, report)
            if subsection and heading in (subsection.text, subsection.raw):
                report.add("repeated", number, "分页后重复的小标题", line)
                continue
            subsection = _Heading(line, heading)
            pending_completion = (subsection, number)
            builder.set_subsection(heading)
            open_heading, open_heading_line = subsection, number
            builder.current = None
            continue
        if (m := TASK.match(line)) and _is_heading(m.group(2)):
            task_number, title = int(m.group(1)), m.group(2).strip()
            if pending_completion is not None:
                open_heading, heading_line = pending_completion
                completed = complete_heading(open_heading.text, title)
                if completed:
                    report.add(
                        "fixed",
                        heading_line,
                        f"小标题“{open_heading.text}”不完整,按任务{task_number}的名称补全为“{completed}”",
                    )
                    open_heading.text = completed
                    builder.set_subsection(completed)
                pending_completion = None
            builder.start_task(task_number, title, number)
            open_heading = None
            continue
        if builder.current is None and (subsection or section) is not None and open_heading is not None:
            # Text under a heading with no numbered task: the heading is the task ((一)加强预期引导).
            builder.start_task(builder.last_number + 1, _bare(open_heading.text), open_heading_line)
            open_heading = None
        clauses = parse_unit_line(line, number, registry)
        if clauses is None and len(pieces := split_glued_clauses(line, registry)) > 1:
            for piece in pieces:
                builder.units(piece, parse_unit_line(piece, number, registry) or [], number)
            continue
        if clauses is None and looks_cut(line, registry):
            builder.cut_row(line, number, "单位行不完整(文档可能在此截断)")
            continue
        if clauses is not None:
            builder.units(line, clauses, number)
        elif looks_like_deadline(line):
            builder.deadline(line, number)
        else:
            builder.paragraph(line, number)
    return builder, report


def _bare(heading: str) -> str:
    """``(一)加强预期引导`` -> ``加强预期引导``."""
    for pattern in (SECTION, SUBSECTION):
        if m := pattern.match(heading):
            return m.group(2).strip()
    return heading


def _is_heading(body: str) -> bool:
    body = body.strip()
    return 0 < len(body) <= MAX_HEADING and not _SENTENCE.search(body)


def _first_structural(lines: list[str]) -> int:
    """Index of the first table header, heading or task line (the end of the preamble)."""
    for index, line in enumerate(lines):
        if not line:
            continue
        if is_header(line):
            return index
        for pattern in (SECTION, SUBSECTION, TASK):
            m = pattern.match(line)
            if m and _is_heading(m.group(2)):
                return index
    return len(lines)


_PLAN_TITLE = re.compile("任务|分工|清单|要点|方案|计划|安排|台账|分解")


def _read_preamble(lines: list[str], year: int, issued: date | None, report: ImportReport) -> PlanInfo:
    """Notice title, issuer, date and plan title from the lines before the first heading."""
    info = PlanInfo(year=year, issued=issued)
    date_index: int | None = None
    read_date: date | None = None
    for index, line in enumerate(lines):
        found = parse_issue_date(line) if line else None
        if found is not None:
            date_index, read_date = index, found
            break
    used: set[int] = set()
    if date_index is not None:
        used.add(date_index)
        for index in range(date_index - 1, -1, -1):
            if lines[index]:
                if _ISSUER.search(lines[index]) and not _SENTENCE.search(lines[index]):
                    info.issuer = lines[index]
                    used.add(index)
                break
    for index, line in enumerate(lines):
        if line.startswith("关于") and line.endswith("通知") and len(line) <= 80:
            info.notice_title = line
            used.add(index)
            break
    after_date = list(range(len(lines) - 1, (date_index if date_index is not None else -1), -1))
    before_date = list(range(0, date_index or 0))
    candidates = [
        index
        for index in after_date + before_date
        if lines[index]
        and index not in used
        and not lines[index].startswith("(")
        and not _SENTENCE.search(lines[index])
        and len(lines[index]) <= MAX_HEADING
    ]
    # The nearest line that names a plan wins over a nearer one that does not (a contact
    # table or a remark printed between the plan's title and its table).
    named = [index for index in candidates if _PLAN_TITLE.search(lines[index])]
    if candidates:
        index = (named or candidates)[0]
        info.title = lines[index]
        used.add(index)
    if issued is None:
        if read_date is not None:
            info.issued = read_date
            if read_date.year != year:
                report.add("warning", (date_index or 0) + 1, f"印发日期 {read_date} 不在计划年度 {year}")
        else:
            where = (date_index + 1) if date_index is not None else None
            report.add(
                "warning", where, "印发日期不详(可用 --issued YYYY-MM-DD 指定);以印发日期计算的时限无法换算"
            )
    if not info.title:
        info.title = info.notice_title.removeprefix("关于印发").removesuffix("的通知")
    for index, line in enumerate(lines):
        if line and index not in used:
            kind = "artefact" if (">" in line or is_artefact(line)) else "preamble"
            report.add(
                kind,
                index + 1,
                "网页导航或文件名,已忽略" if kind == "artefact" else "通知正文,不属于任何任务",
                line,
            )
    return info
