"""Loading extracted JSONL into a relational database (SQLite by default, PostgreSQL):
schema, migrations, engine, rows, bulk inserts, the loader and Parquet export."""
from __future__ import annotations

from .engine import connect, create_database
from .export import export_parquet
from .loader import Batcher, Loader, LoadSummary, iter_jsonl, load_jsonl
from .migrations import current_version, ensure_schema
from .rows import RecordError, content_hash, rows_of
from .schema import SCHEMA_VERSION, TABLE_ORDER, documents, entities, event_arguments, events, metadata
from .transactions import write_transaction

__all__ = ["SCHEMA_VERSION", "TABLE_ORDER", "Batcher", "LoadSummary", "Loader", "RecordError", "connect", "content_hash",
           "create_database", "current_version", "documents", "ensure_schema", "entities", "event_arguments", "events",
           "export_parquet", "iter_jsonl", "load_jsonl", "metadata", "rows_of", "write_transaction"]
