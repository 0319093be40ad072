"""How long ``tracker import`` takes to read a 200-row task table as .docx and as a text-layer .pdf.

Prints one Markdown table row per form (the row of docs/benchmarks.md). The target (issue 11):
under 3 s each on the CI machine. Run::

    python scripts/bench_import.py                 # 200 rows, 3 repeats
    python scripts/bench_import.py --rows 20 --repeats 1

Each figure is a fresh process running ``import_file`` (the libraries' import cost included, as
a user pays it), median of the repeats. The PDF is printed from the same table by headless
Chromium; without Chromium the PDF row says so.
"""

from __future__ import annotations

import argparse
import html
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

UNITS = ["市发改局牵头落实;市财政局、市人社局按职责分工分别落实", "各镇(街区)分别落实", "市直各有关部门落实", "市司法局牵头落实"]
DEADLINES = ["全年", "6月底前", "年底前", "持续推进", "每季度"]
HEADER = ["序号", "工作任务", "具体要求", "责任单位", "时限要求"]


def rows(count: int) -> list[list[str]]:
    out = []
    for index in range(count):
        task = index // 3 + 1
        title = f"{task}.推进第{task}项重点领域信息公开" if index % 3 == 0 else ""
        text = f"第{index + 1}条要求:围绕重点工作加大信息公开力度,及时发布政策文件及解读材料,回应社会关切。" * 2
        out.append([str(task) if title else "", title, text, UNITS[index % len(UNITS)], DEADLINES[index % len(DEADLINES)]])
    return out


def write_docx(path: Path, table_rows: list[list[str]]) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某市2023年政务公开重点工作任务分工")
    table = document.add_table(rows=len(table_rows) + 1, cols=len(HEADER))
    for col, header in enumerate(HEADER):
        table.cell(0, col).text = header
    for r, values in enumerate(table_rows, start=1):
        for col, value in enumerate(values):
            table.cell(r, col).text = value
    document.save(str(path))


def write_pdf(path: Path, table_rows: list[list[str]], work: Path) -> bool:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return False
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in values) + "</tr>" for values in table_rows
    )
    page = work / "table.html"
    page.write_text(
        '<html><head><meta charset="utf-8"><style>table{border-collapse:collapse}td,th{border:1px solid #000;'
        'padding:3px}tr{break-inside:avoid}</style></head><body><p>某市2023年政务公开重点工作任务分工</p><table>'
        "<tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + f"</tr>{body}</table></body></html>",
        encoding="utf-8",
    )
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={work / 'profile'}", "--no-pdf-header-footer",
         f"--print-to-pdf={path}", page.as_uri()],
        check=True, capture_output=True, timeout=180,
    )
    return True


def time_import(path: Path, repeats: int) -> tuple[float, int, int]:
    """Median seconds of a fresh process importing ``path``, and the tasks and requirements read."""
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "start = time.perf_counter()\n"
        "from tracker.importer import import_file\n"
        f"plan = import_file(Path({str(path)!r}), 2023).plan\n"
        "print(time.perf_counter() - start, len(plan.tasks), sum(len(t.requirements) for t in plan.tasks.values()))\n"
    )
    seconds = []
    tasks = reqs = 0
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        seconds.append(float(out[0]))
        tasks, reqs = int(out[1]), int(out[2])
    return statistics.median(seconds), tasks, reqs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    table_rows = rows(args.rows)
    print("| import | rows | tasks | requirements | seconds (median) | target |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        work = Path(tmp)
        docx_path = work / "plan.docx"
        write_docx(docx_path, table_rows)
        seconds, tasks, reqs = time_import(docx_path, args.repeats)
        print(f"| .docx table | {args.rows} | {tasks} | {reqs} | {seconds:.2f} | < 3 s |")
        pdf_path = work / "plan.pdf"
        if write_pdf(pdf_path, table_rows, work):
            seconds, tasks, reqs = time_import(pdf_path, args.repeats)
            print(f"| .pdf table (text layer, Chromium print) | {args.rows} | {tasks} | {reqs} | {seconds:.2f} | < 3 s |")
        else:
            print(f"| .pdf table | {args.rows} | - | - | no chromium | < 3 s |")


if __name__ == "__main__":
    main()
