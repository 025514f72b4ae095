"""Creating the schema and upgrading older databases to the current version, step by step."""
from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from .bulk import insert_rows
from .schema import SCHEMA_VERSION, TABLE_ORDER, create_query_indexes, documents, entities, event_arguments, events, metadata, schema_info
from .transactions import write_transaction


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
    insert_rows(connection, documents, rows)
    entity_keys: dict[str, int] = {}
    rows = []
    for row in connection.exec_driver_sql(
            'SELECT id, document_id, start, "end", label, text, canonical, title, country, value, value_max, unit, hs_chapter '
            'FROM "entities_v1" ORDER BY document_id, start, id'):
        entity_keys[row[0]] = len(entity_keys) + 1
        rows.append((entity_keys[row[0]], document_keys[row[1]], int(row[0].rsplit("/e", 1)[1]), *row[2:]))
    insert_rows(connection, entities, rows)
    event_keys: dict[str, int] = {}
    rows = []
    for row in connection.exec_driver_sql(
            'SELECT id, document_id, type, confidence, sentence_start, sentence_end, date FROM "events_v1" ORDER BY document_id, id'):
        event_keys[row[0]] = len(event_keys) + 1
        rows.append((event_keys[row[0]], document_keys[row[1]], int(row[0].rsplit("/v", 1)[1]), *row[2:]))
    insert_rows(connection, events, rows)
    rows = []
    for key, (arg_id, event_id, doc_id, role, value, value_num, entity_id) in enumerate(connection.exec_driver_sql(
            'SELECT id, event_id, document_id, role, value, value_num, entity_id FROM "event_arguments_v1" ORDER BY id'), 1):
        position = int(arg_id.rsplit("/", 1)[1][len(role):])
        rows.append((key, event_keys[event_id], document_keys[doc_id], role, position, value, value_num, entity_keys.get(entity_id)))
    insert_rows(connection, event_arguments, rows)
    for name in _V1_TABLES:
        connection.exec_driver_sql(f'DROP TABLE "{name}_v1"')


# Upgrade steps by the version they lead to; a new schema version adds a step here.
UPGRADES: dict[int, Callable[[Connection], None]] = {1: upgrade_to_1, 2: upgrade_to_2}


def current_version(connection: Connection) -> int:
    if not connection.dialect.has_table(connection, "schema_info"):
        return 0
    return connection.execute(select(schema_info.c.version).order_by(schema_info.c.version.desc())).scalar() or 0


def ensure_schema(engine: Engine) -> int:
    """Create a new database at the current version, or apply the missing upgrade steps, each
    in its own transaction; returns the version."""
    with write_transaction(engine) as connection:
        version = current_version(connection)
        if version == 0:
            metadata.create_all(connection)
            connection.execute(insert(schema_info).values(version=SCHEMA_VERSION, applied_at=time.time()))
            return SCHEMA_VERSION
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema version {version} is newer than this tariffscope ({SCHEMA_VERSION})")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with write_transaction(engine) as connection:
            UPGRADES[target](connection)
            connection.execute(insert(schema_info).values(version=target, applied_at=time.time()))
    with write_transaction(engine) as connection:
        create_query_indexes(connection)  # a bulk load that died before rebuilding them
    return SCHEMA_VERSION


