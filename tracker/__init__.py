"""寿光市政务公开任务分工跟踪 — a git-backed tracker for an annual disclosure work plan."""

__version__ = "0.1.0"
