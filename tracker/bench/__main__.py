"""``python -m tracker.bench generate DIR ...`` and ``python -m tracker.bench run ...``.

Plain argparse: the benchmark must not pay for (or depend on) the CLI it measures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m tracker.bench", description="合成数据与性能基准")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="生成合成的计划仓库")
    gen.add_argument("dest", type=Path)
    gen.add_argument("--tasks", type=int, required=True)
    gen.add_argument("--commits", type=int, default=1)
    gen.add_argument("--assignments", type=int, default=None, help="分工条数(约数),默认每项任务约 37 条")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--year", type=int, default=2019)
    gen.add_argument("--bare", action="store_true")
    run = sub.add_parser("run", help="运行基准并打印表格")
    run.add_argument("--store", type=Path, default=None, help="测已有的仓库(写操作在副本上做)")
    run.add_argument("--quick", action="store_true", help="极小规模,1-3 次重复,CI 冒烟测试用")
    run.add_argument("--sizes", default="S", help="S,M,L 中的若干个,逗号分隔")
    run.add_argument("--repeats", type=int, default=None)
    run.add_argument("--seed", type=int, default=1)
    run.add_argument(
        "--peers",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="同时测 Taskwarrior 和 Fossil(已安装时)",
    )
    run.add_argument("--only", default=None, help="只测这些操作(逗号分隔,如 list,set)")
    run.add_argument("--json", type=Path, default=None, help="结果另存为 JSON")
    tab = sub.add_parser("table", help="把 run --json 的结果重新排成一张表")
    tab.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "table":
        import json

        from tracker.bench.run import Result, table

        results = []
        for path in args.files:
            data = json.loads(path.read_text(encoding="utf-8"))
            print(
                f"<!-- {path.name}: {data['when']}, commit {data['commit']}, {data['machine']}, "
                f"load {data.get('load_average_at_start')} -->"
            )
            fields = set(Result.__dataclass_fields__)
            results += [Result(**{k: v for k, v in r.items() if k in fields}) for r in data["results"]]
        print(table(results))
        return 0
    if args.command == "generate":
        from tracker.bench.generate import generate

        if args.tasks < 1 or args.commits < 1:
            parser.error("--tasks 和 --commits 至少为 1")
        try:
            stats = generate(
                args.dest,
                tasks=args.tasks,
                commits=args.commits,
                seed=args.seed,
                assignments=args.assignments,
                year=args.year,
                bare=args.bare,
                progress=lambda m: print(m, file=sys.stderr, flush=True),
            )
        except FileExistsError as exc:
            print(f"错误: {exc}", file=sys.stderr)
            return 1
        print(
            f"{args.dest}: {stats.tasks} 项任务, {stats.requirements} 条要求, {stats.assignments} 条分工, "
            f"{stats.commits} 次提交, {stats.bytes_of_files / 1e6:.1f} MB 文件, 用时 {stats.seconds:.1f} s, "
            f"plan/{args.year} = {stats.head}"
        )
        return 0
    from tracker.bench.run import SIZES
    from tracker.bench.run import run as run_bench

    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    bad = [s for s in sizes if s not in SIZES]
    if bad:
        parser.error(f"未知规模 {','.join(bad)}(可用: {','.join(SIZES)})")
    only = {s.strip() for s in args.only.split(",")} if args.only else None
    run_bench(
        store=args.store,
        quick=args.quick,
        sizes=sizes,
        repeats=args.repeats,
        seed=args.seed,
        peers=args.peers,
        only=only,
        json_out=args.json,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
