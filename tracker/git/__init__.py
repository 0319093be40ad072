"""The git layer: the only package that runs git or writes its objects.

One concern a module: :mod:`~tracker.git.runner` (the clean environment and safe
options of every git process), :mod:`~tracker.git.files` (files under the git dir,
shared like the store), :mod:`~tracker.git.objects` (reading and writing objects),
:mod:`~tracker.git.refs` (compare-and-swap and the writer lock),
:mod:`~tracker.git.worktree` (index and work tree), :mod:`~tracker.git.log`
(history reads), :mod:`~tracker.git.remote` (fetch and push) and
:mod:`~tracker.git.repo` (:class:`GitRepo`, all of them on one repository).

Why this package and not GitPython: docs/decisions/0001-git-layer.md (figures
measured by ``python -m tracker.bench.gitlayer``). This module imports nothing: import
what you use from its modules.
"""
