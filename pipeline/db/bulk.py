"""Fast inserts of positional rows: COPY on PostgreSQL, executemany with key offsets added in
SQL on SQLite, SQLAlchemy elsewhere."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection


def insert_rows(connection: Connection, table: Table, rows: list[tuple[Any, ...]],
                 offsets: list[tuple[int, int]] | None = None) -> None:
    """Insert positional rows, adding ``offsets`` ((column index, base) pairs) to key columns.
    COPY on PostgreSQL; on SQLite the driver's executemany with the offsets added in SQL (no
    per-row work in Python); SQLAlchemy elsewhere."""
    columns = [c.name for c in table.columns]
    offsets = [(index, base) for index, base in offsets or [] if base]
    quoted = ", ".join(f'"{c}"' for c in columns)
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql(sqlite_insert_sql(table, offsets), rows)
        return
    if offsets:
        rows = [_shifted(row, offsets) for row in rows]
    if dialect == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
        return
    connection.execute(insert(table), [dict(zip(columns, row)) for row in rows])


def sqlite_insert_sql(table: Table, offsets: list[tuple[int, int]]) -> str:
    """INSERT of positional rows for the sqlite3 driver, with ``offsets`` added to key columns in SQL."""
    shift = dict(offsets)
    quoted = ", ".join(f'"{c.name}"' for c in table.columns)
    placeholders = ", ".join(f"? + {int(shift[i])}" if shift.get(i) else "?" for i in range(len(table.columns)))
    return f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})'


def _shifted(row: tuple[Any, ...], offsets: list[tuple[int, int]]) -> list[Any]:
    values = list(row)
    for index, base in offsets:
        if values[index] is not None:
            values[index] += base
    return values


