"""The headless core never loads Textual or typer (start-up time over SSH, and layering)."""

import subprocess
import sys
from pathlib import Path

import pytest

import tracker

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
        if (folder == "tracker" and line.strip().startswith(("import git", "from git ", "from git.")))
        or "tracker.gitstore" in line
        or line.strip().startswith("from tracker import gitstore")
    ]
    assert offenders == []
    assert not (root / "tracker" / "gitstore.py").exists()
