"""The audit suite's small store (plan 2019, tasks 5 and 6, admin, zhangsan for 市发改局, lisi)."""

from tests.audit.conftest import cli, login, store

__all__ = ["cli", "login", "store"]
