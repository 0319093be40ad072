"""``tracker verify``: commits that changed what their author was not entitled to."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.plan_source import PlanOption, RepoOption, echo, fail
from tracker.cli.store_common import open_store, user_errors
from tracker.i18n import t
from tracker.published import first_published, rewound_branches
from tracker.verify import plan_anchor, verify_commits


def verify(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            show_default=False,
            help=t("只检查这个版本之后的提交", "only commits after this revision"),
        ),
    ] = None,
    all_plans: Annotated[
        bool, typer.Option("--all", help=t("检查所有年度的计划分支", "check every plan branch"))
    ] = False,
    plan: PlanOption = None,
    repo: RepoOption = None,
) -> None:
    """检查历史:列出每个越权、伪造尾注、未知作者或(要求签名时)未签名的提交;有则退出码 1。"""
    if all_plans and plan is not None:
        fail(t("--all 与 --plan 只能选一个", "give either --all or --plan"), 2)
    store = open_store(repo)
    with user_errors():
        years = store.years() if all_plans else [plan if plan is not None else store.default_year()]
        tips = [store.tip(year) for year in years]
        exclude: list[str] = []
        if since is not None:
            base = store.repo.rev_parse(since)
            if base is None:
                fail(t(f"找不到版本 {since!r}", f"no such revision: {since!r}"))
            exclude.append(base)
        plans = store.repo.refs("refs/heads/plan")
        anchor, roots = plan_anchor(store.repo, plans, first_published(store.repo))
        findings = verify_commits(store.repo, tips, exclude, anchor=anchor, anchor_roots=roots)
        rewound = [r for r in rewound_branches(store.repo, plans)
                   if all_plans or r.ref in {f"refs/heads/plan/{y}" for y in years}]
    for problem in rewound:
        typer.echo(problem.line())
    for finding in findings:
        echo(finding.line())
    names = "、".join(f"plan/{y}" for y in years)
    if rewound and not findings:
        typer.echo(t(f"{names}: {len(rewound)} 个分支被回退或删除", f"{names}: {len(rewound)} branches rewound or deleted"),
                   err=True)
        raise typer.Exit(1)
    if findings:
        commits = len({f.commit for f in findings})
        typer.echo(
            t(
                f"{names}: {commits} 个提交有问题,共 {len(findings)} 处",
                f"{names}: {commits} commits with {len(findings)} findings",
            ),
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(t(f"{names}: 未发现越权或伪造的提交", f"{names}: no unauthorised or forged commits"), err=True)


__all__ = ["verify"]
