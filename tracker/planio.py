"""Turn the files of a plan (``tasks/`` as a folder, or blobs at a git ref) into a Plan.

The git store reads blobs and calls :func:`plan_from_files`; a plain folder of
task files (``tracker validate DIR``, ``--repo DIR`` before a store exists)
goes through :func:`load_plan_folder`. Both give the same objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tracker.codec import (
    OPERATORS_FILE,
    PLAN_FILE,
    UNITS_FILE,
    CodecError,
    load_plan_info,
    load_task,
    task_number_from_path,
)
from tracker.model import Plan, PlanInfo, Task
from tracker.units import Registry, load_registry

TaskParser = Callable[[str, bytes], Task]


@dataclass
class LoadedPlan:
    """A plan with its unit registry and the raw operators file text."""

    plan: Plan
    registry: Registry
    operators_text: str = ""
    # tasks/-relative path of each task file, by task number
    paths: dict[int, str] = field(default_factory=dict)


def decode(data: bytes, path: str) -> str:
    """Task files are UTF-8; say which file when one is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodecError(path, None, f"不是 UTF-8 编码: {exc}") from None


def parse_task_blob(path: str, data: bytes) -> Task:
    """Default parser: decode and parse one task file."""
    return load_task(decode(data, path), path)


def plan_from_files(
    files: Mapping[str, bytes],
    prefix: str = "tasks/",
    parse_task: TaskParser = parse_task_blob,
) -> LoadedPlan:
    """Build a plan from ``{tasks/-relative path: bytes}``.

    ``parse_task`` lets the store put a cache keyed by blob id in front.

    Raises:
        CodecError: the first broken file, or a task number used twice.
    """
    info_data = files.get(PLAN_FILE)
    info = load_plan_info(decode(info_data, prefix + PLAN_FILE), prefix + PLAN_FILE) if info_data else PlanInfo(year=0)
    units_data = files.get(UNITS_FILE)
    registry = load_registry(decode(units_data, prefix + UNITS_FILE), prefix + UNITS_FILE) if units_data else Registry()
    operators_data = files.get(OPERATORS_FILE)
    loaded = LoadedPlan(Plan(info), registry, decode(operators_data, prefix + OPERATORS_FILE) if operators_data else "")
    for relpath in sorted(files):
        number = task_number_from_path(relpath)
        if number is None:
            continue
        task = parse_task(prefix + relpath, files[relpath])
        if task.number != number:
            raise CodecError(prefix + relpath, 1, f"文件名表示任务{number},文件内 number = {task.number}")
        if task.number in loaded.plan.tasks:
            raise CodecError(prefix + relpath, 1, f"任务编号 {task.number} 重复")
        loaded.plan.tasks[task.number] = task
        loaded.paths[task.number] = relpath
    return loaded


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every ``*.toml`` under ``folder``, by ``/``-separated relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*.toml"))
        if p.is_file()
    }


def load_plan_folder(folder: Path) -> LoadedPlan:
    """Load a plan from a folder laid out as ``tasks/`` is."""
    return plan_from_files(read_folder(folder), prefix=f"{folder.as_posix().rstrip('/')}/")


def bundled_tasks_dir() -> Path:
    """The 2019 plan shipped with the tracker (source checkout or wheel)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "tasks", here / "_bundled" / "tasks"):
        if (candidate / PLAN_FILE).is_file():
            return candidate
    raise FileNotFoundError("找不到随程序附带的 2019 年计划(tasks/)")
