"""Exporting the database tables to Parquet for analytics."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, select

from ..defaults import DB_URL, PARQUET_CHUNK_ROWS
from .engine import connect
from .schema import TABLE_ORDER


def export_parquet(url: str = DB_URL, folder: str | Path = "parquet", chunk_rows: int = PARQUET_CHUNK_ROWS) -> dict[str, int]:
    """One Parquet file per table, written in chunks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    engine = connect(url, must_exist=True)  # exporting a database that is not there is a mistake
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    try:
        with engine.connect() as connection:
            for table in TABLE_ORDER:
                schema = pa.schema([(c.name, _arrow_type(c)) for c in table.columns])
                total = 0
                with pq.ParquetWriter(folder / f"{table.name}.parquet", schema) as writer:
                    result = connection.execution_options(stream_results=True).execute(select(table).order_by(table.c.key))
                    while chunk := result.fetchmany(chunk_rows):
                        columns = list(zip(*chunk))
                        writer.write_table(pa.table([pa.array(list(col), type=schema.field(i).type) for i, col in enumerate(columns)],
                                                    schema=schema))
                        total += len(chunk)
                counts[table.name] = total
    finally:
        engine.dispose()
    return counts


def _arrow_type(column: Column) -> Any:
    import pyarrow as pa

    if isinstance(column.type, Integer):
        return pa.int64()
    if isinstance(column.type, Float):
        return pa.float64()
    return pa.string()
