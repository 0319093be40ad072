"""Commands load only what they use: ``tracker list`` over SSH starts without the rest."""

import subprocess
import sys
from pathlib import Path

from tracker.cli import COMMANDS, load_command

TASKS = str(Path(__file__).resolve().parents[2] / "tasks")
HEAVY = ("textual", "tracker.reports", "tracker.sync", "tracker.service", "openpyxl", "docx", "git")


def test_every_listed_command_loads_by_its_name() -> None:
    for name in COMMANDS:
        command = load_command(name)
        assert command.name == name


def test_list_loads_none_of_the_other_commands(tmp_path) -> None:
    code = (
        "import sys\n"
        "from tracker.cli import app\n"
        "try:\n"
        f"    app(['list', '--repo', {TASKS!r}, '--format', 'json'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert '"task": 41' in result.stdout
    assert result.stderr.strip().splitlines()[-1:] in ([], [""])
