"""The floor of SQLite loading on this machine: the rows of an archive are built first (no
parsing or Python row building timed), then only SQLite's inserts and commits are timed, in
batches of 1,000 documents, into a fresh database with the tariffscope schema. Once with every
index in place, once with the query indexes built after the inserts.

  python benchmarks/sqlite_floor.py ARCHIVE.jsonl [--output benchmarks/results/sqlite_floor.json]

(ARCHIVE: e.g. the resampled archive of benchmarks/load_db.py; `make bench-load` runs both.)
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from provenance import provenance

from pipeline.db import Batcher, connect, iter_jsonl
from pipeline.db.bulk import sqlite_insert_sql
from pipeline.db.schema import KEY_COLUMNS, TABLE_ORDER, create_query_indexes, drop_query_indexes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    batcher = Batcher(1000)
    batches = [b for record in iter_jsonl([args.archive], batcher.add_unreadable) if (b := batcher.add(record))]
    batches.append(batcher.finish())
    documents = sum(len(b.prepared) for b in batches)
    rows = sum(len(p.rows[t.name]) for b in batches for p in b.prepared for t in TABLE_ORDER)
    results: dict = {"documents": documents, "rows": rows}
    for name, indexes_after in (("all_indexes_during_inserts", False), ("query_indexes_after_inserts", True)):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "floor.db"
            engine = connect(f"sqlite:///{path}")
            if indexes_after:
                with engine.begin() as connection:
                    drop_query_indexes(connection)
            engine.dispose()
            connection = sqlite3.connect(path, isolation_level=None)
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL", "cache_size=-131072"):
                connection.execute(f"PRAGMA {pragma}")
            bases = dict.fromkeys(KEY_COLUMNS, 0)
            started = time.perf_counter()
            for batch in batches:
                connection.execute("BEGIN IMMEDIATE")
                for table in TABLE_ORDER:
                    offsets = [(index, bases[of]) for index, of in KEY_COLUMNS[table.name]]
                    table_rows = [row for p in batch.prepared for row in p.rows[table.name]]
                    connection.executemany(sqlite_insert_sql(table, offsets), table_rows)  # the loader's statement
                connection.execute("COMMIT")
                for table in TABLE_ORDER:
                    bases[table.name] += max((p.rows[table.name][-1][0] for p in batch.prepared if p.rows[table.name]), default=0)
            if indexes_after:
                engine = connect(f"sqlite:///{path}")
                with engine.begin() as sa_connection:
                    create_query_indexes(sa_connection)
                engine.dispose()
            seconds = time.perf_counter() - started
            connection.close()
        results[name] = {"seconds": round(seconds, 2), "docs_per_second": round(documents / seconds, 1),
                         "rows_per_second": round(rows / seconds)}
        print(f"{name:30} {seconds:6.2f} s {documents / seconds:>9,.0f} documents/s {rows / seconds:>10,.0f} rows/s")
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
