"""Reports: one data structure (:mod:`tracker.reports.model`) rendered as table, markdown, json, html, docx, xlsx."""

from __future__ import annotations

from tracker.reports.model import Report, build_report

FORMATS = ("table", "markdown", "json", "html", "docx", "xlsx")
BINARY_FORMATS = frozenset({"docx", "xlsx"})
SUFFIXES = {
    "table": ".txt",
    "markdown": ".md",
    "json": ".json",
    "html": ".html",
    "docx": ".docx",
    "xlsx": ".xlsx",
}

__all__ = ["BINARY_FORMATS", "FORMATS", "SUFFIXES", "Report", "build_report", "render"]


def render(report: Report, fmt: str) -> bytes:
    """The report in ``fmt`` as bytes (text formats UTF-8).

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "table":
        from tracker.reports.render_table import render_table

        return render_table(report).encode()
    if fmt == "markdown":
        from tracker.reports.render_markdown import render_markdown

        return render_markdown(report).encode()
    if fmt == "json":
        from tracker.reports.render_json import render_json

        return render_json(report).encode()
    if fmt == "html":
        from tracker.reports.render_html import render_html

        return render_html(report).encode()
    if fmt == "docx":
        from tracker.reports.render_docx import render_docx

        return render_docx(report)
    if fmt == "xlsx":
        from tracker.reports.render_xlsx import render_xlsx

        return render_xlsx(report)
    raise ValueError(f"未知格式 {fmt!r}(可用: {'、'.join(FORMATS)})")
