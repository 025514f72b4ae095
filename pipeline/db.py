"""Loading extracted JSONL into a relational database (SQLite by default, PostgreSQL).

Schema (version 2): documents, entities (with attributes), events, event_arguments (role,
value, link to the entity). Rows have integer surrogate keys, given out in increasing order by
the loader, so inserts append to the tables and their indexes (text keys built from document
ids made every insert a random B-tree insert of a long key: 6x slower on SQLite). Each entity
and event also keeps its ``ordinal``, its position in the output record.

Loading is idempotent: a document whose content hash is unchanged is skipped; a changed one
is replaced (old rows deleted, new rows inserted) in the same transaction as its batch; a
failing batch rolls back and its records are retried one by one, bad ones going to the error
output with the reason.
"""
from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (BigInteger, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        create_engine, delete, event, func, insert, select)
from sqlalchemy.engine import Connection, Engine

SCHEMA_VERSION = 2
WRITE_LOCK = "tariffscope_write_lock"
DEFAULT_DB = "sqlite:///tariffscope.db"

metadata = MetaData()
schema_info = Table("schema_info", metadata, Column("version", Integer, primary_key=True), Column("applied_at", Float))
documents = Table(
    "documents", metadata,
    Column("key", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("id", String, nullable=False, unique=True),
    Column("date", String(10), index=True),
    Column("title", Text), Column("source", Text),
    Column("schema_version", String(8)),
    Column("content_hash", String(64), nullable=False),
)
entities = Table(
    "entities", metadata,
    Column("key", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("document_key", BigInteger, ForeignKey("documents.key", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("label", String(16), nullable=False), Column("text", Text, nullable=False),
    Column("canonical", Text), Column("title", Text), Column("country", String(8)),
    Column("value", Float), Column("value_max", Float), Column("unit", String(32)), Column("hs_chapter", String(2)),
    Index("ix_entities_label_canonical", "label", "canonical"),
    Index("ix_entities_country", "country"),
)
events = Table(
    "events", metadata,
    Column("key", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("document_key", BigInteger, ForeignKey("documents.key", ondelete="CASCADE"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("type", String(24), nullable=False), Column("confidence", Float),
    Column("sentence_start", Integer), Column("sentence_end", Integer),
    Column("date", String(10)),
    Index("ix_events_type_date", "type", "date"),
)
event_arguments = Table(
    "event_arguments", metadata,
    Column("key", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("event_key", BigInteger, ForeignKey("events.key", ondelete="CASCADE"), nullable=False, index=True),
    Column("document_key", BigInteger, ForeignKey("documents.key", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(16), nullable=False),  # official, agency, country, rate, commodity, date
    Column("position", Integer, nullable=False),
    Column("value", Text, nullable=False), Column("value_num", Float),
    Column("entity_key", BigInteger, ForeignKey("entities.key", ondelete="SET NULL")),
    Index("ix_event_arguments_role_value", "role", "value"),
)
TABLE_ORDER = (documents, entities, events, event_arguments)
# Which columns of each table hold keys, as (column index, table whose key it is): the row's
# own key and its foreign keys, so batch-relative keys become real ones on insert.
KEY_COLUMNS: dict[str, tuple[tuple[int, str], ...]] = {
    table.name: tuple((index, table.name if column.name == "key" else next(iter(column.foreign_keys)).column.table.name)
                      for index, column in enumerate(table.columns) if column.name == "key" or column.foreign_keys)
    for table in TABLE_ORDER
}
ROLE_OF_ARGUMENT = {"officials": "official", "agencies": "agency", "countries": "country", "rates": "rate",
                    "commodities": "commodity", "dates": "date"}
ENTITY_LABEL_OF_ROLE = {"official": "OFFICIAL", "agency": "AGENCY", "rate": "TARIFF_RATE", "commodity": "COMMODITY"}


def upgrade_to_1(connection: Connection) -> None:
    raise RuntimeError("schema version 1 is only reached by upgrading from it; new databases start at the current version")


# Schema version 1: text ids built from the document id ("doc/e3", "doc/v0/rate1").
_V1_TABLES = ("event_arguments", "events", "entities", "documents")  # children first
_V1_INDEXES = ("ix_documents_date", "ix_entities_document_id", "ix_entities_label_canonical", "ix_entities_country",
               "ix_events_document_id", "ix_events_type_date", "ix_event_arguments_event_id",
               "ix_event_arguments_document_id", "ix_event_arguments_role_value")


def upgrade_to_2(connection: Connection) -> None:
    """Version 1 -> 2: text ids become integer keys; the data is copied over in key order."""
    for name in _V1_INDEXES:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    for name in _V1_TABLES:
        connection.exec_driver_sql(f'ALTER TABLE "{name}" RENAME TO "{name}_v1"')
    metadata.create_all(connection, tables=list(TABLE_ORDER))
    document_keys: dict[str, int] = {}
    rows = []
    for doc_id, date, title, source, version, digest in connection.exec_driver_sql(
            'SELECT id, date, title, source, schema_version, content_hash FROM "documents_v1" ORDER BY id'):
        document_keys[doc_id] = len(document_keys) + 1
        rows.append((document_keys[doc_id], doc_id, date, title, source, version, digest))
    _insert_rows(connection, documents, rows)
    entity_keys: dict[str, int] = {}
    rows = []
    for row in connection.exec_driver_sql(
            'SELECT id, document_id, start, "end", label, text, canonical, title, country, value, value_max, unit, hs_chapter '
            'FROM "entities_v1" ORDER BY document_id, start, id'):
        entity_keys[row[0]] = len(entity_keys) + 1
        rows.append((entity_keys[row[0]], document_keys[row[1]], int(row[0].rsplit("/e", 1)[1]), *row[2:]))
    _insert_rows(connection, entities, rows)
    event_keys: dict[str, int] = {}
    rows = []
    for row in connection.exec_driver_sql(
            'SELECT id, document_id, type, confidence, sentence_start, sentence_end, date FROM "events_v1" ORDER BY document_id, id'):
        event_keys[row[0]] = len(event_keys) + 1
        rows.append((event_keys[row[0]], document_keys[row[1]], int(row[0].rsplit("/v", 1)[1]), *row[2:]))
    _insert_rows(connection, events, rows)
    rows = []
    for key, (arg_id, event_id, doc_id, role, value, value_num, entity_id) in enumerate(connection.exec_driver_sql(
            'SELECT id, event_id, document_id, role, value, value_num, entity_id FROM "event_arguments_v1" ORDER BY id'), 1):
        position = int(arg_id.rsplit("/", 1)[1][len(role):])
        rows.append((key, event_keys[event_id], document_keys[doc_id], role, position, value, value_num, entity_keys.get(entity_id)))
    _insert_rows(connection, event_arguments, rows)
    for name in _V1_TABLES:
        connection.exec_driver_sql(f'DROP TABLE "{name}_v1"')


# Upgrade steps by the version they lead to; a new schema version adds a step here.
UPGRADES: dict[int, Callable[[Connection], None]] = {1: upgrade_to_1, 2: upgrade_to_2}


def connect(url: str = DEFAULT_DB) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
            # The driver's own transaction handling off: SQLAlchemy's "begin" below decides.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB: index pages stay cached over a long load
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Connection) -> None:
            # A loader's transaction takes the write lock at once (IMMEDIATE): keys are given
            # out from max(key) read inside it, which must not race another writer.
            immediate = connection.get_execution_options().get(WRITE_LOCK, False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    ensure_schema(engine)
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its start."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            yield connection


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the PostgreSQL server of ``server_url``; returns its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def current_version(connection: Connection) -> int:
    if not connection.dialect.has_table(connection, "schema_info"):
        return 0
    return connection.execute(select(schema_info.c.version).order_by(schema_info.c.version.desc())).scalar() or 0


def ensure_schema(engine: Engine) -> int:
    """Create a new database at the current version, or apply the missing upgrade steps, each
    in its own transaction; returns the version."""
    with engine.begin() as connection:
        version = current_version(connection)
        if version == 0:
            metadata.create_all(connection)
            connection.execute(insert(schema_info).values(version=SCHEMA_VERSION, applied_at=time.time()))
            return SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema version {version} is newer than this tariffscope ({SCHEMA_VERSION})")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with engine.begin() as connection:
            UPGRADES[target](connection)
            connection.execute(insert(schema_info).values(version=target, applied_at=time.time()))
    with engine.begin() as connection:
        create_query_indexes(connection)  # a bulk load that died before rebuilding them
    return SCHEMA_VERSION


# Indexes that only serve queries. A load into empty tables drops them and builds them once at
# the end (one sort instead of a random B-tree insert per row). The unique index on
# documents.id and the document_key / event_key indexes stay: the loader itself uses them.
QUERY_INDEXES = ("ix_documents_date", "ix_entities_label_canonical", "ix_entities_country", "ix_events_type_date",
                 "ix_event_arguments_role_value")


def _query_indexes() -> list[Index]:
    return [index for table in TABLE_ORDER for index in table.indexes if index.name in QUERY_INDEXES]


def create_query_indexes(connection: Connection) -> None:
    for index in _query_indexes():
        index.create(connection, checkfirst=True)


def drop_query_indexes(connection: Connection) -> None:
    for index in _query_indexes():
        index.drop(connection, checkfirst=True)


def tables_are_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.execute(select(documents.c.key).limit(1)).first() is None


class RecordError(ValueError):
    pass


def content_hash(record: Any) -> str:
    try:
        canonical = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError) as error:
        raise RecordError(f"record cannot be serialized: {error}") from error
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


@dataclass
class PreparedRecord:
    """One output record as table rows whose keys count from 1 within the loader's batch;
    the database's current maximum key is added on insert."""

    record: Any
    doc_id: str
    content_hash: str
    rows: dict[str, list[tuple[Any, ...]]]


def rows_of(record: Any, next_key: dict[str, int] | None = None) -> PreparedRecord:
    """The table rows of one output record; raises RecordError for records that break the
    output contract. ``next_key`` holds the last batch-relative key of each table and is
    advanced."""
    if next_key is None:
        next_key = dict.fromkeys(KEY_COLUMNS, 0)
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object")
    doc_id = record.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise RecordError("record has no string 'id'")
    for key in ("entities", "events"):
        if not isinstance(record.get(key), list):
            raise RecordError(f"record has no list {key!r}")
    digest = content_hash(record)
    start_keys = dict(next_key)
    try:
        document_key = start_keys["documents"] + 1
        entity_key = start_keys["entities"]
        entity_rows = []
        # (label, value) -> [(start, key)]: where an event argument can point to
        linkable: dict[tuple[str, Any], list[tuple[int, int]]] = {}
        for ordinal, entity in enumerate(record["entities"]):
            entity_key += 1
            start = int(entity["start"])
            label = str(entity["label"])
            text = str(entity["text"])
            get = entity.get
            canonical, value = get("canonical"), get("value")
            entity_rows.append((entity_key, document_key, ordinal, start, int(entity["end"]), label, text, canonical,
                                get("title"), get("country"), value, get("value_max"), get("unit"), get("hs_chapter")))
            if label == "TARIFF_RATE":
                linkable.setdefault((label, value), []).append((start, entity_key))
            else:
                linkable.setdefault((label, text), []).append((start, entity_key))
                if canonical is not None and canonical != text:
                    linkable.setdefault((label, canonical), []).append((start, entity_key))
        event_key = start_keys["events"]
        argument_key = start_keys["event_arguments"]
        event_rows, argument_rows = [], []
        for ordinal, item in enumerate(record["events"]):
            event_key += 1
            sentence = item.get("sentence") or {}
            sentence_start, sentence_end = sentence.get("start"), sentence.get("end")
            event_rows.append((event_key, document_key, ordinal, str(item["type"]), item.get("confidence"),
                               sentence_start, sentence_end, item.get("date")))
            for name, values in (item.get("arguments") or {}).items():
                role = ROLE_OF_ARGUMENT.get(name)
                if role is None:
                    continue
                label = ENTITY_LABEL_OF_ROLE.get(role)
                for position, value in enumerate(values):
                    argument_key += 1
                    linked = None
                    if label is not None:
                        if role == "rate":
                            value = float(value)
                        for start, key in linkable.get((label, value), ()):
                            if sentence_start is None or sentence_end is None or sentence_start <= start < sentence_end:
                                linked = key
                                break
                    argument_rows.append((argument_key, event_key, document_key, role, position, str(value),
                                          value if role == "rate" else None, linked))
    except (KeyError, TypeError, ValueError) as error:
        raise RecordError(f"malformed entity or event: {type(error).__name__}: {error}") from error
    document_row = (document_key, doc_id, record.get("date"), record.get("title"), record.get("source"),
                    str(record.get("schema_version")), digest)
    next_key.update(documents=document_key, entities=entity_key, events=event_key, event_arguments=argument_key)
    return PreparedRecord(record, doc_id, digest, {"documents": [document_row], "entities": entity_rows,
                                                   "events": event_rows, "event_arguments": argument_rows})


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

    def __init__(self, batch_size: int = 1000) -> None:
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
    batch_size: int = 1000
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
                    _insert_rows(connection, table, rows, offsets)
        return len(fresh) - len(replaced_keys), len(replaced_keys), unchanged

    def __enter__(self) -> "Loader":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.flush()


def _insert_rows(connection: Connection, table: Table, rows: list[tuple[Any, ...]],
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
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
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


def iter_jsonl(paths: Iterable[str], on_error: Callable[[dict[str, Any]], None]) -> Iterator[Any]:
    """Parsed records of JSONL files (.gz too); lines that are not JSON or not UTF-8 go to
    ``on_error`` with their file and line number, and reading goes on."""
    import gzip

    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rb") as handle:  # type: ignore[operator]
            for line_no, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    try:
                        text = line.decode("utf-8").rstrip("\n")
                    except UnicodeDecodeError as decode_error:
                        on_error({"id": f"{path}:{line_no}", "reason": f"not valid UTF-8: {decode_error.reason}", "record": None})
                        continue
                    on_error({"id": f"{path}:{line_no}", "reason": f"malformed JSON: {error.msg}", "record": text})


def load_jsonl(paths: list[str], url: str = DEFAULT_DB, errors: str | None = None, batch_size: int = 1000) -> LoadSummary:
    """Load JSONL files. A reader thread parses and builds the rows of the next batch while
    the database writes the current one (the sqlite3 and psycopg drivers release the GIL
    while the database works). Into empty tables (a first load), the query-only indexes are
    built once at the end instead of row by row."""
    engine = connect(url)
    error_handle = open(errors, "w", encoding="utf-8") if errors else None

    def on_error(error: dict[str, Any]) -> None:
        if error_handle:
            error_handle.write(json.dumps(error, ensure_ascii=False) + "\n")

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
        with engine.begin() as connection:
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
            with engine.begin() as connection:
                create_query_indexes(connection)
        if error_handle:
            error_handle.close()
        engine.dispose()
    loader.summary.seconds = time.perf_counter() - started
    return loader.summary


def export_parquet(url: str, folder: str | Path, chunk_rows: int = 50_000) -> dict[str, int]:
    """One Parquet file per table, written in chunks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    engine = connect(url)
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
                        writer.write_table(pa.table([pa.array(list(col), type=schema.field(i).type) for i, col in enumerate(columns)], schema=schema))
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
