"""The README's first lines are the two commands, and CI runs the second one exactly."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    lines = ROOT.joinpath("README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines[:5] if line.startswith("    ")]


def test_readme_opens_with_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    install_and_run, install_and_test = commands
    assert install_and_run.endswith("tracker")
    assert "pytest" in install_and_test


def test_ci_runs_the_readme_test_command() -> None:
    ci = ROOT.joinpath(".ci", "run").read_text(encoding="utf-8")
    # .ci/run executes README line 4 itself; make sure that line is the test command.
    assert "sed -n '4p' README.md" in ci
    line4 = ROOT.joinpath("README.md").read_text(encoding="utf-8").splitlines()[3].strip()
    assert line4 == readme_commands()[1]
