"""Loading output records into the database.

Loading is idempotent: a document whose content hash is unchanged is skipped; a changed one is
replaced (old rows deleted, new rows inserted) in the same transaction as its batch; a failing
batch rolls back and its records are retried one by one, bad ones going to the error output
with the reason.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection, Engine

from ..defaults import DB_BATCH_SIZE, DB_URL
from ..errors import UserError
from ..jsonl import BadLine, dumps_line, open_binary, parse_lines
from .bulk import insert_rows
from .engine import connect
from .rows import PreparedRecord, RecordError, rows_of
from .schema import KEY_COLUMNS, TABLE_ORDER, create_query_indexes, documents, drop_query_indexes, entities, event_arguments, events
from .transactions import write_transaction


@dataclass
class LoadSummary:
    read: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0

    @property
    def docs_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"read {self.read}: inserted {self.inserted}, replaced {self.replaced}, unchanged {self.unchanged}, "
                f"failed {self.failed} in {self.seconds:.1f} s ({self.docs_per_second:,.0f} documents/s)")

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 1)}


@dataclass
class Batch:
    """Records ready for one transaction, and the records that failed before reaching it."""

    prepared: list[PreparedRecord] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)


class Batcher:
    """Turns records into batches of table rows (no database work, so it can run in a reader
    thread while the database writes the previous batch)."""

    def __init__(self, batch_size: int = DB_BATCH_SIZE) -> None:
        self.batch_size = batch_size
        self._start()

    def _start(self) -> None:
        self.batch = Batch()
        self.ids: set[str] = set()
        self.next_key = dict.fromkeys(KEY_COLUMNS, 0)

    def add(self, record: Any) -> Batch | None:
        """Add a record; returns a batch when one is full."""
        ready = None
        if isinstance(record, dict) and record.get("id") in self.ids:
            ready = self.finish()  # the later record of an id replaces the earlier one
        try:
            prepared = rows_of(record, self.next_key)
        except RecordError as error:
            doc_id = record.get("id") if isinstance(record, dict) else None
            self.batch.failures.append({"id": doc_id, "reason": str(error), "record": record})
            return ready
        self.batch.prepared.append(prepared)
        self.ids.add(prepared.doc_id)
        if len(self.batch.prepared) >= self.batch_size:
            assert ready is None
            ready = self.finish()
        return ready

    def add_unreadable(self, error: dict[str, Any]) -> None:
        self.batch.failures.append(error)

    def finish(self) -> Batch:
        batch = self.batch
        self._start()
        return batch


@dataclass
class Loader:
    """Writes batches of records in transactions. Use ``add`` (as a context manager, or call
    ``flush``) or hand it whole batches with ``write``."""

    engine: Engine
    batch_size: int = DB_BATCH_SIZE
    on_error: Callable[[dict[str, Any]], None] | None = None
    summary: LoadSummary = field(default_factory=LoadSummary)

    def __post_init__(self) -> None:
        self.report_error: Callable[[dict[str, Any]], None] = self.on_error or (lambda error: None)
        self.batcher = Batcher(self.batch_size)

    def add(self, record: Any) -> None:
        batch = self.batcher.add(record)
        if batch is not None:
            self.write(batch)

    def add_unreadable(self, error: dict[str, Any]) -> None:
        """A line that could not be parsed counts as read and failed."""
        self.batcher.add_unreadable(error)

    def flush(self) -> None:
        self.write(self.batcher.finish())

    def write(self, batch: Batch) -> None:
        self.summary.read += len(batch.prepared) + len(batch.failures)
        for failure in batch.failures:
            self.summary.failed += 1
            self.report_error(failure)
        if not batch.prepared:
            return
        try:
            with write_transaction(self.engine) as connection:
                counts = self._write(connection, batch.prepared)
            self._count(counts)
        except Exception:  # the batch rolled back: find the bad records one by one
            for prepared in batch.prepared:
                try:
                    with write_transaction(self.engine) as connection:
                        counts = self._write(connection, [prepared])
                    self._count(counts)
                except Exception as error:  # noqa: BLE001  (reported with the record)
                    self.summary.failed += 1
                    reason = f"database rejected the record: {type(error).__name__}: {str(error).splitlines()[0]}"
                    self.report_error({"id": prepared.doc_id, "reason": reason, "record": prepared.record})

    def _count(self, counts: tuple[int, int, int]) -> None:
        self.summary.inserted += counts[0]
        self.summary.replaced += counts[1]
        self.summary.unchanged += counts[2]

    def _write(self, connection: Connection, batch: list[PreparedRecord]) -> tuple[int, int, int]:
        if connection.dialect.name == "postgresql":
            # One loader writes at a time (keys come from max(key)); readers are not blocked.
            connection.exec_driver_sql('LOCK TABLE "documents" IN SHARE ROW EXCLUSIVE MODE')
        existing: dict[str, tuple[int, str]] = {}
        ids = [prepared.doc_id for prepared in batch]
        for chunk in range(0, len(ids), 500):
            query = select(documents.c.id, documents.c.key, documents.c.content_hash).where(documents.c.id.in_(ids[chunk:chunk + 500]))
            existing.update((doc_id, (key, digest)) for doc_id, key, digest in connection.execute(query))
        fresh, replaced_keys, unchanged = [], [], 0
        for prepared in batch:
            old = existing.get(prepared.doc_id)
            if old is not None and old[1] == prepared.content_hash:
                unchanged += 1
                continue
            fresh.append(prepared)
            if old is not None:
                replaced_keys.append(old[0])
        for chunk in range(0, len(replaced_keys), 500):
            keys = replaced_keys[chunk:chunk + 500]
            for table in (event_arguments, entities, events):  # children first: portable without ON DELETE support
                connection.execute(delete(table).where(table.c.document_key.in_(keys)))
            connection.execute(delete(documents).where(documents.c.key.in_(keys)))
        if fresh:
            bases = dict(zip(KEY_COLUMNS, connection.execute(select(
                *[select(func.coalesce(func.max(table.c.key), 0)).scalar_subquery() for table in TABLE_ORDER])).one()))
            for table in TABLE_ORDER:
                rows = [row for prepared in fresh for row in prepared.rows[table.name]]
                if rows:
                    offsets = [(index, bases[of]) for index, of in KEY_COLUMNS[table.name]]
                    insert_rows(connection, table, rows, offsets)
        return len(fresh) - len(replaced_keys), len(replaced_keys), unchanged

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.flush()


def tables_are_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(documents.c.key).limit(1)).first() is None


def iter_jsonl(paths: Iterable[str], on_error: Callable[[dict[str, Any]], None]) -> Iterator[Any]:
    """Parsed records of JSONL files (.gz too); lines that are not JSON or not UTF-8 go to
    ``on_error`` with their file and line number, and reading goes on."""
    for path in paths:
        with open_binary(path) as handle:
            for where, item in parse_lines(handle, str(path), orjson.loads):
                if isinstance(item, BadLine):
                    on_error({"id": where, "reason": item.reason, "record": item.text.rstrip("\n")})
                else:
                    yield item


def load_jsonl(paths: list[str], url: str = DB_URL, errors: str | None = None, batch_size: int = DB_BATCH_SIZE) -> LoadSummary:
    """Load JSONL files. A reader thread parses and builds the rows of the next batch while
    the database writes the current one (the sqlite3 and psycopg drivers release the GIL
    while the database works). Into empty tables (a first load), the query-only indexes are
    built once at the end instead of row by row."""
    for path in paths:
        if not Path(path).is_file():
            raise UserError(f"{path}: {'a folder' if Path(path).is_dir() else 'no such file'}; give extracted JSONL files")
    engine = connect(url)
    error_handle = open(errors, "w", encoding="utf-8") if errors else None  # noqa: SIM115  (closed in the finally below)

    def on_error(error: dict[str, Any]) -> None:
        if error_handle:
            error_handle.write(dumps_line(error))

    ready: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=2)  # bounded: memory stays flat
    stop = threading.Event()

    def hand_over(item: Batch | BaseException | None) -> bool:
        """Queue an item unless the writer has stopped; False when it has."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            batcher = Batcher(batch_size)
            for record in iter_jsonl(paths, batcher.add_unreadable):
                batch = batcher.add(record)
                if batch is not None and not hand_over(batch):
                    return
            hand_over(batcher.finish()) and hand_over(None)
        except BaseException as error:  # noqa: BLE001  (re-raised in the writing thread)
            hand_over(error)

    started = time.perf_counter()
    bulk = tables_are_empty(engine)
    if bulk:
        with write_transaction(engine) as connection:
            drop_query_indexes(connection)
    reader = threading.Thread(target=read, name="tariffscope-load-reader", daemon=True)
    reader.start()
    loader = Loader(engine, batch_size=batch_size, on_error=on_error)
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            loader.write(item)
    finally:
        stop.set()
        reader.join()
        if bulk:  # also after a failure: the indexes are back before the database is used
            with write_transaction(engine) as connection:
                create_query_indexes(connection)
        if error_handle:
            error_handle.close()
        engine.dispose()
    loader.summary.seconds = time.perf_counter() - started
    return loader.summary


