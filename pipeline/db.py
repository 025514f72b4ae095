"""Loading extracted JSONL into a relational database (SQLite by default, PostgreSQL).

Schema (version 1): documents, entities (with attributes), events, event_arguments (role,
value, link to the entity). Row ids are derived from the document id, so a reload of a
document replaces exactly its rows. Loading is idempotent: a document whose content hash is
unchanged is skipped; a changed one is replaced in the same transaction as its batch; a
failing batch rolls back and its records are retried one by one, bad ones going to the error
output with the reason.
"""
from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, create_engine,
                        delete, event, insert, select)
from sqlalchemy.engine import Connection, Engine

SCHEMA_VERSION = 1
DEFAULT_DB = "sqlite:///tariffscope.db"

metadata = MetaData()
schema_info = Table("schema_info", metadata, Column("version", Integer, primary_key=True), Column("applied_at", Float))
documents = Table(
    "documents", metadata,
    Column("id", String, primary_key=True),
    Column("date", String(10), index=True),
    Column("title", Text), Column("source", Text),
    Column("schema_version", String(8)),
    Column("content_hash", String(64), nullable=False),
)
entities = Table(
    "entities", metadata,
    Column("id", String, primary_key=True),
    Column("document_id", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start", Integer, nullable=False), Column("end", Integer, nullable=False),
    Column("label", String(16), nullable=False), Column("text", Text, nullable=False),
    Column("canonical", Text), Column("title", Text), Column("country", String(8)),
    Column("value", Float), Column("value_max", Float), Column("unit", String(32)), Column("hs_chapter", String(2)),
    Index("ix_entities_label_canonical", "label", "canonical"),
    Index("ix_entities_country", "country"),
)
events = Table(
    "events", metadata,
    Column("id", String, primary_key=True),
    Column("document_id", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("type", String(24), nullable=False), Column("confidence", Float),
    Column("sentence_start", Integer), Column("sentence_end", Integer),
    Column("date", String(10)),
    Index("ix_events_type_date", "type", "date"),
)
event_arguments = Table(
    "event_arguments", metadata,
    Column("id", String, primary_key=True),
    Column("event_id", String, ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("document_id", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("role", String(16), nullable=False),  # official, agency, country, rate, commodity, date
    Column("value", Text, nullable=False), Column("value_num", Float),
    Column("entity_id", String, ForeignKey("entities.id", ondelete="SET NULL")),
    Index("ix_event_arguments_role_value", "role", "value"),
)
ROLE_OF_ARGUMENT = {"officials": "official", "agencies": "agency", "countries": "country", "rates": "rate",
                    "commodities": "commodity", "dates": "date"}
ENTITY_LABEL_OF_ROLE = {"official": "OFFICIAL", "agency": "AGENCY", "rate": "TARIFF_RATE", "commodity": "COMMODITY"}
ENTITY_COLUMNS = ("canonical", "title", "country", "value", "value_max", "unit", "hs_chapter")


def upgrade_to_1(connection: Connection) -> None:
    metadata.create_all(connection)


# Upgrade steps by the version they lead to; a new schema version adds a step here.
UPGRADES: dict[int, Callable[[Connection], None]] = {1: upgrade_to_1}


def connect(url: str = DEFAULT_DB) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    ensure_schema(engine)
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


def current_version(connection: Connection) -> int:
    if not connection.dialect.has_table(connection, "schema_info"):
        return 0
    return connection.execute(select(schema_info.c.version).order_by(schema_info.c.version.desc())).scalar() or 0


def ensure_schema(engine: Engine) -> int:
    """Apply the missing upgrade steps, each in its own transaction; returns the version."""
    with engine.begin() as connection:
        version = current_version(connection)
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema version {version} is newer than this tariffscope ({SCHEMA_VERSION})")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with engine.begin() as connection:
            UPGRADES[target](connection)
            connection.execute(insert(schema_info).values(version=target, applied_at=time.time()))
    return SCHEMA_VERSION


class RecordError(ValueError):
    pass


def content_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def rows_of(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The table rows of one output record; raises RecordError for records that break the
    output contract."""
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object")
    doc_id = record.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        raise RecordError("record has no string 'id'")
    for key in ("entities", "events"):
        if not isinstance(record.get(key), list):
            raise RecordError(f"record has no list {key!r}")
    try:
        entity_rows = []
        by_label: dict[str, list[dict[str, Any]]] = {}
        for index, entity in enumerate(record["entities"]):
            row = {"id": f"{doc_id}/e{index}", "document_id": doc_id, "start": int(entity["start"]), "end": int(entity["end"]),
                   "label": str(entity["label"]), "text": str(entity["text"])}
            row.update({column: entity.get(column) for column in ENTITY_COLUMNS})
            entity_rows.append(row)
            by_label.setdefault(row["label"], []).append(row)
        event_rows, argument_rows = [], []
        for index, item in enumerate(record["events"]):
            event_id = f"{doc_id}/v{index}"
            sentence = item.get("sentence") or {}
            start, end = sentence.get("start"), sentence.get("end")
            event_rows.append({"id": event_id, "document_id": doc_id, "type": str(item["type"]),
                               "confidence": item.get("confidence"), "sentence_start": start, "sentence_end": end,
                               "date": item.get("date")})
            for key, values in (item.get("arguments") or {}).items():
                role = ROLE_OF_ARGUMENT.get(key)
                if role is None:
                    continue
                for position, value in enumerate(values):
                    argument_rows.append({
                        "id": f"{event_id}/{role}{position}", "event_id": event_id, "document_id": doc_id, "role": role,
                        "value": str(value), "value_num": float(value) if role == "rate" else None,
                        "entity_id": _linked_entity(by_label.get(ENTITY_LABEL_OF_ROLE.get(role, ""), []), role, value, start, end),
                    })
    except (KeyError, TypeError, ValueError) as error:
        raise RecordError(f"malformed entity or event: {type(error).__name__}: {error}") from error
    document_row = {"id": doc_id, "date": record.get("date"), "title": record.get("title"), "source": record.get("source"),
                    "schema_version": str(record.get("schema_version")), "content_hash": content_hash(record)}
    return {"documents": [document_row], "entities": entity_rows, "events": event_rows, "event_arguments": argument_rows}


def _linked_entity(candidates: list[dict[str, Any]], role: str, value: Any, start: int | None, end: int | None) -> str | None:
    """The entity inside the event's sentence that the argument value came from."""
    for row in candidates:
        if start is not None and end is not None and not (start <= row["start"] < end):
            continue
        if role == "rate" and row["value"] == value:
            return row["id"]
        if role != "rate" and value in (row["canonical"], row["text"]):
            return row["id"]
    return None


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


TABLE_ORDER = (documents, entities, events, event_arguments)


class Loader:
    """Batches records into transactions. Use as a context manager or call ``flush``."""

    def __init__(self, engine: Engine, batch_size: int = 1000, on_error: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.engine = engine
        self.batch_size = batch_size
        self.on_error = on_error or (lambda error: None)
        self.pending: list[tuple[Any, dict[str, Any] | None, str | None]] = []  # (record, rows, error)
        self.pending_ids: set[str] = set()
        self.summary = LoadSummary()

    def add(self, record: Any) -> None:
        self.summary.read += 1
        try:
            rows = rows_of(record)
        except RecordError as error:
            self._fail(record, str(error))
            return
        doc_id = rows["documents"][0]["id"]
        if doc_id in self.pending_ids:
            self.flush()  # the later record of an id replaces the earlier one
        self.pending.append((record, rows, None))
        self.pending_ids.add(doc_id)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def add_unreadable(self, error: dict[str, Any]) -> None:
        """A line that could not be parsed counts as read and failed."""
        self.summary.read += 1
        self.summary.failed += 1
        self.on_error(error)

    def _fail(self, record: Any, reason: str) -> None:
        self.summary.failed += 1
        doc_id = record.get("id") if isinstance(record, dict) else None
        self.on_error({"id": doc_id, "reason": reason, "record": record})

    def flush(self) -> None:
        batch, self.pending, self.pending_ids = self.pending, [], set()
        if not batch:
            return
        try:
            with self.engine.begin() as connection:
                counts = self._write(connection, [rows for _, rows, _ in batch])
            self.summary.inserted += counts[0]
            self.summary.replaced += counts[1]
            self.summary.unchanged += counts[2]
        except Exception:  # the batch rolled back: find the bad records one by one
            for record, rows, _ in batch:
                try:
                    with self.engine.begin() as connection:
                        counts = self._write(connection, [rows])
                    self.summary.inserted += counts[0]
                    self.summary.replaced += counts[1]
                    self.summary.unchanged += counts[2]
                except Exception as error:  # noqa: BLE001  (reported with the record)
                    self._fail(record, f"database rejected the record: {type(error).__name__}: {str(error).splitlines()[0]}")

    def _write(self, connection: Connection, batch: list[dict[str, list[dict[str, Any]]]]) -> tuple[int, int, int]:
        ids = [rows["documents"][0]["id"] for rows in batch]
        existing = dict(connection.execute(select(documents.c.id, documents.c.content_hash).where(documents.c.id.in_(ids))).all())
        fresh, replaced, unchanged = [], [], 0
        for rows in batch:
            document = rows["documents"][0]
            old_hash = existing.get(document["id"])
            if old_hash == document["content_hash"]:
                unchanged += 1
            else:
                fresh.append(rows)
                if old_hash is not None:
                    replaced.append(document["id"])
        if replaced:
            for table in reversed(TABLE_ORDER):  # children first: portable without ON DELETE support
                key = table.c.id if table is documents else table.c.document_id
                connection.execute(delete(table).where(key.in_(replaced)))
        for table in TABLE_ORDER:
            table_rows = [row for rows in fresh for row in rows[table.name]]
            if table_rows:
                _bulk_insert(connection, table, table_rows)
        return len(fresh) - len(replaced), len(replaced), unchanged

    def __enter__(self) -> "Loader":
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.flush()


def _bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL; the driver's executemany with positional rows on SQLite (SQLAlchemy's
    per-row parameter processing took as long as SQLite's own inserts); SQLAlchemy elsewhere."""
    columns = [c.name for c in table.columns]
    quoted = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row.get(c) for c in columns])
        return
    if connection.dialect.name == "sqlite":
        placeholders = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})',
                                   [tuple(row.get(c) for c in columns) for row in rows])
        return
    connection.execute(insert(table), rows)


def iter_jsonl(paths: Iterable[str], on_error: Callable[[dict[str, Any]], None]) -> Iterator[Any]:
    """Parsed records of JSONL files; unparsable lines go to ``on_error``."""
    import gzip

    for path in paths:
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="strict") as handle:  # type: ignore[operator]
            line_no = 0
            while True:
                try:
                    line = handle.readline()
                except UnicodeDecodeError as error:
                    on_error({"id": f"{path}:{line_no + 1}", "reason": f"not valid UTF-8: {error.reason}", "record": None})
                    break
                if not line:
                    break
                line_no += 1
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    on_error({"id": f"{path}:{line_no}", "reason": f"malformed JSON: {error.msg}", "record": line.rstrip("\n")})


def load_jsonl(paths: list[str], url: str = DEFAULT_DB, errors: str | None = None, batch_size: int = 1000) -> LoadSummary:
    engine = connect(url)
    error_handle = open(errors, "w", encoding="utf-8") if errors else None
    failures: list[dict[str, Any]] = []

    def on_error(error: dict[str, Any]) -> None:
        failures.append(error)
        if error_handle:
            error_handle.write(json.dumps(error, ensure_ascii=False) + "\n")

    started = time.perf_counter()
    try:
        with Loader(engine, batch_size=batch_size, on_error=on_error) as loader:
            for record in iter_jsonl(paths, loader.add_unreadable):
                loader.add(record)
        loader.summary.seconds = time.perf_counter() - started
        return loader.summary
    finally:
        if error_handle:
            error_handle.close()
        engine.dispose()


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
                    result = connection.execution_options(stream_results=True).execute(select(table).order_by(table.c.id))
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
