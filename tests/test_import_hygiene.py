"""The headless core never loads Textual or typer (start-up time over SSH, and layering)."""

import subprocess
import sys
from pathlib import Path

import pytest

import tracker
from tests.import_graph import cycles, import_graph

CORE_MODULES = sorted(
    "tracker." + ".".join(p.relative_to(Path(tracker.__file__).parent).with_suffix("").parts)
    for p in Path(tracker.__file__).parent.rglob("*.py")
    if not {"ui", "cli", "bench"} & set(p.relative_to(Path(tracker.__file__).parent).parts)
    and p.name != "__main__.py"
)


@pytest.mark.parametrize("module", [m.removesuffix(".__init__") for m in CORE_MODULES])
def test_core_module_imports_neither_textual_nor_typer(module: str) -> None:
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "print(','.join(sorted(m for m in ('textual', 'typer') if m in sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"{module} loaded {result.stdout.strip()}"


def test_the_package_never_imports_gitpython_nor_the_old_gitstore() -> None:
    root = Path(tracker.__file__).parent.parent
    offenders = [
        str(p.relative_to(root))
        for folder in ("tracker", "tests")
        for p in (root / folder).rglob("*.py")
        if p.name != Path(__file__).name  # this file names what it looks for
        for line in p.read_text(encoding="utf-8").splitlines()
        # tracker/bench/gitlayer.py measures GitPython beside our package (docs/decisions/0001-git-layer.md)
        if (folder == "tracker" and p.name != "gitlayer.py"
            and line.strip().startswith(("import git", "from git ", "from git.")))
        or "tracker.gitstore" in line
        or line.strip().startswith("from tracker import gitstore")
    ]
    assert offenders == []
    assert not (root / "tracker" / "gitstore.py").exists()


# Cycles still to break, each owned by a branch at work on it; that branch empties its entry.
KNOWN_CYCLES = [
    # the tui branch (screens post messages up instead of importing the app)
    ["tracker.ui.app", "tracker.ui.screens.dashboard_screen", "tracker.ui.screens.history_screen",
     "tracker.ui.screens.main_screen"],
]


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert [c for c in found if c not in KNOWN_CYCLES] == []
    assert [c for c in KNOWN_CYCLES if c not in found] == [], "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_layers_point_one_way() -> None:
    """ui/cli -> service -> store -> git -> model: no module imports a layer above its own."""
    graph = import_graph()
    interfaces = ("tracker.ui", "tracker.cli")
    upward = [
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if (not module.startswith((*interfaces, "tracker.bench")) and target.startswith(interfaces))
        or (module.startswith("tracker.git") and not target.startswith(("tracker.git", "tracker.textsafe",
                                                                          "tracker.messages")))
        or (module == "tracker.store" and target in ("tracker.service", "tracker.sync", "tracker.history"))
        or (module == "tracker.rules" and target not in ("tracker.errors", "tracker.model", "tracker.textsafe"))
    ]
    assert upward == []
