"""Database connections: SQLite settings, the write lock, creating a PostgreSQL database."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from ..defaults import DB_URL
from ..errors import UserError
from .migrations import ensure_schema
from .transactions import WRITE_LOCK


class DatabaseUnavailable(UserError):
    """The database URL cannot be used: malformed, an unknown driver, a server that does not
    answer, a SQLite file in a missing folder, or (must_exist) no database there yet."""


# Seconds a SQLite connection waits for another writer's lock (two loads into one new file).
SQLITE_BUSY_TIMEOUT = 120
# Pause between tries of a lock that SQLite does not wait for itself (set_wal_mode).
SQLITE_RETRY_PAUSE = 0.05


def set_wal_mode(cursor: Any, timeout: float = SQLITE_BUSY_TIMEOUT) -> None:
    """Switch the database to write-ahead logging. The switch takes an exclusive lock for which
    SQLite does not call its busy handler: a second process opening the same new file at that
    moment gets "database is locked" at once, so the switch is tried again, within the same
    timeout as any other lock. A file already in WAL mode switches without a lock."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(SQLITE_RETRY_PAUSE)


def connect(url: str = DB_URL, *, must_exist: bool = False) -> Engine:
    """An engine for ``url`` whose schema is current (created or upgraded). Raises
    DatabaseUnavailable, with the reason in one line, when the database cannot be used."""
    try:
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        # create_engine does not connect: the checks below still come before any file is made
        engine = create_engine(parsed, future=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT} if sqlite else {})
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise DatabaseUnavailable(f"--db {url}: not a usable database URL ({error})") from error
    if sqlite:
        database = parsed.database
        if database and database != ":memory:":
            if must_exist and not Path(database).is_file():
                raise DatabaseUnavailable(f"--db {url}: no database file {database}")
            if not Path(database).resolve().parent.is_dir():
                raise DatabaseUnavailable(f"--db {url}: the folder of {database} does not exist")

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
            # The driver's own transaction handling off: SQLAlchemy's "begin" below decides.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            set_wal_mode(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB: index pages stay cached over a long load
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            # A loader's transaction takes the write lock at once (IMMEDIATE): keys are given
            # out from max(key) read inside it, which must not race another writer.
            immediate = connection.get_execution_options().get(WRITE_LOCK, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        ensure_schema(engine)
    except OperationalError as error:
        engine.dispose()
        raise DatabaseUnavailable(f"--db {url}: cannot connect ({str(error.orig).strip().splitlines()[0]})") from error
    return engine


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the PostgreSQL server of ``server_url``; returns its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


