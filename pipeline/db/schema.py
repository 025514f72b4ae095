"""The database schema (version 2): documents, entities (with attributes), events,
event_arguments (role, value, link to the entity).

Rows have integer surrogate keys, given out in increasing order by the loader, so inserts
append to the tables and their indexes (text keys built from document ids made every insert a
random B-tree insert of a long key: 6x slower on SQLite). Each entity and event also keeps its
``ordinal``, its position in the output record.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.engine import Connection

from ..labels import ARGUMENT_ROLES

SCHEMA_VERSION = 2

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
# The role column holds an output argument's name in the singular ("officials" -> "official").
ROLE_OF_ARGUMENT = {"officials": "official", "agencies": "agency", "countries": "country", "rates": "rate",
                    "commodities": "commodity", "dates": "date"}
assert tuple(ROLE_OF_ARGUMENT) == ARGUMENT_ROLES


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
