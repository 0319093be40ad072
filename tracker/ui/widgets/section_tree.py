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
from textual.widgets.tree import TreeNode

from tracker.textsafe import clean_line
from tracker.ui.paging import TaskOutline


def label(text: str, style: str = "") -> Text:
    return Text(clean_line(text), style=style, no_wrap=True, overflow="ellipsis")


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

    def load(self, title: str, tasks: Sequence[TaskOutline]) -> None:
        """Rebuild from a plan's outline, only when sections or titles changed."""
        signature = tuple((t.number, t.section, t.subsection, t.title) for t in tasks)
        if signature == self._signature:
            return
        self._signature = signature
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
                parent = subsections[key]
            parent.add_leaf(label(f"{task.number} {task.title}", "dim"), data=task.number)

    def on_tree_node_selected(self, event: Tree.NodeSelected[int]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.TaskChosen(event.node.data))
