"""``tracker import NOTICE --plan YEAR`` without ``--into``: the plan onto a new branch of the store."""

from pathlib import Path

from tracker.store import Store

NOTICE = Path(__file__).resolve().parents[1] / "data" / "shouguang-2019.txt"


def test_import_opens_a_new_plan_branch_in_one_root_commit(cli, store: Store) -> None:
    operators_2019 = store.operators(2019)
    result = cli("import", str(NOTICE), "--plan", "2020")
    assert result.exit_code == 0, result.stderr
    assert "plan/2020" in result.stdout
    assert store.years() == [2019, 2020]
    loaded = store.load(2020)
    assert len(loaded.plan.tasks) == 41 and loaded.plan.info.year == 2020
    assert sorted(store.operators(2020)) == sorted(operators_2019)  # the office keeps its accounts
    assert store.repo.out("rev-list", "--count", "plan/2020").strip() == "1"
    assert cli("verify", "--all").exit_code == 0
    # reading 2020 left 2019 and the working tree alone
    assert store.repo.out("status", "--porcelain").strip() == ""


def test_import_refuses_an_existing_year_and_writes_nothing(cli, store: Store) -> None:
    tip = store.tip(2019)
    result = cli("import", str(NOTICE), "--plan", "2019")
    assert result.exit_code == 1 and "已有 2019 年的计划" in result.stderr
    assert store.tip(2019) == tip


def test_only_the_office_may_import_a_plan(cli, store: Store, operator_for) -> None:
    login = operator_for("营里镇").login
    result = cli("import", str(NOTICE), "--plan", "2021", login=login)
    assert result.exit_code == 1 and "只有管理员" in result.stderr
    assert store.years() == [2019]
