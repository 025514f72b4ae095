"""Write transactions: they hold the database's write lock from their start."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

# Execution option that makes SQLite begin with BEGIN IMMEDIATE (see engine.connect): a deferred
# transaction that reads, then writes, cannot wait for another writer (SQLite answers "database
# is locked" at once, whatever the busy timeout), while an immediate one waits its turn.
WRITE_LOCK = "tariffscope_write_lock"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its start (SQLite: BEGIN
    IMMEDIATE, waiting for another writer up to the busy timeout; PostgreSQL: as usual)."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            yield connection


