"""SectionTree: the plan's sections (一、), sub-sections ((一)) and tasks.

| key | action |
|---|---|
| up/down | move |
| enter / space | open or close a section; on a task, show it in the table |

Choosing a node posts :class:`SectionTree.TaskChosen` with the first task under it,
so the table jumps there without changing the filter.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import NodeID, TreeNode

from tracker.textsafe import clean_line
from tracker.ui.paging import TaskOutline


def label(text: str, style: str = "") -> Text:
    return Text(clean_line(text), style=style, no_wrap=True, overflow="ellipsis")


def _task_label(task: TaskOutline) -> Text:
    return label(f"{task.number} {task.title}", "dim")


class SectionTree(Tree[int]):
    """Sections -> sub-sections -> tasks; node data is the first task number under the node."""

    class TaskChosen(Message):
        def __init__(self, task: int) -> None:
            super().__init__()
            self.task = task

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id)
        self.show_root = False
        self.guide_depth = 2
        self._signature: tuple[tuple[int, str, str, str], ...] = ()
        self._pending: dict[NodeID, list[TaskOutline]] = {}  # the tasks of sub-sections not opened yet

    def load(self, title: str, tasks: Sequence[TaskOutline]) -> None:
        """Rebuild from a plan's outline, only when sections or titles changed.

        A closed sub-section gets its tasks when it is first opened: a plan of 10,000
        tasks made 10,000 nodes at start (1.2 s), where the screen shows a few dozen.
        """
        signature = tuple((t.number, t.section, t.subsection, t.title) for t in tasks)
        if signature == self._signature:
            return
        self._signature = signature
        self._pending.clear()
        self.clear()
        self.root.set_label(label(title))
        sections: dict[str, TreeNode[int]] = {}
        subsections: dict[tuple[str, str], TreeNode[int]] = {}
        for task in tasks:
            parent = self.root
            if task.section:
                if task.section not in sections:
                    sections[task.section] = self.root.add(label(task.section, "bold"), data=task.number, expand=True)
                parent = sections[task.section]
            if task.subsection:
                key = (task.section, task.subsection)
                if key not in subsections:
                    subsections[key] = parent.add(label(task.subsection), data=task.number, expand=False)
                    self._pending[subsections[key].id] = []
                self._pending[subsections[key].id].append(task)
                continue
            parent.add_leaf(_task_label(task), data=task.number)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[int]) -> None:
        for task in self._pending.pop(event.node.id, []):
            event.node.add_leaf(_task_label(task), data=task.number)

    def on_tree_node_selected(self, event: Tree.NodeSelected[int]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.TaskChosen(event.node.data))
