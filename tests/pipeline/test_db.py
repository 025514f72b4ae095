"""Loading into SQLite and a real PostgreSQL server (started by `make test`, see
scripts/postgres.sh): reruns, replacement, rollback, bad records, queries, Parquet."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from pipeline.db import Loader, connect, create_database, documents, entities, event_arguments, events, export_parquet, load_jsonl
from pipeline.queries import QUERIES, run_query

PG_URL = os.environ.get("TARIFFSCOPE_TEST_POSTGRES_URL")


def pg_database() -> str:
    """A fresh database on the test server for one test."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TARIFFSCOPE_TEST_POSTGRES_URL is not set: `make test` starts the server")
        pytest.skip("no PostgreSQL test server (run the tests with `make test`)")
    return create_database(PG_URL, f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return pg_database()


def record(doc_id: str, date: str = "2025-05-01", country: str = "JP", rate: float = 24.0, kind: str = "PAUSE") -> dict:
    # offsets below refer to the text f"The {rate:g} percent tariffs on cars from {country} are paused. Akazawa met Bessent."
    return {
        "schema_version": "1", "id": doc_id, "date": date, "title": f"Title {doc_id}", "source": "test",
        "entities": [
            {"start": 4, "end": 14, "label": "TARIFF_RATE", "text": f"{rate:g} percent", "value": rate, "unit": "percent"},
            {"start": 27, "end": 31, "label": "COMMODITY", "text": "cars", "canonical": "car", "hs_chapter": "87"},
            {"start": 55, "end": 62, "label": "OFFICIAL", "text": "Akazawa", "canonical": "Ryosei Akazawa", "country": "JP"},
            {"start": 67, "end": 74, "label": "OFFICIAL", "text": "Bessent", "canonical": "Scott Bessent", "country": "US"},
        ],
        "events": [
            {"type": kind, "confidence": 0.9, "sentence": {"start": 0, "end": 54}, "date": date,
             "arguments": {"officials": [], "agencies": [], "countries": [country], "rates": [rate],
                           "commodities": ["car"], "dates": ["2025-07"]}},
            {"type": "MEETING", "confidence": 0.8, "sentence": {"start": 55, "end": 75}, "date": date,
             "arguments": {"officials": ["Ryosei Akazawa", "Scott Bessent"], "agencies": [], "countries": ["JP", "US"],
                           "rates": [], "commodities": [], "dates": []}},
        ],
    }


def write_jsonl(path: Path, records: list) -> str:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return str(path)


def counts(url: str) -> dict[str, int]:
    engine = connect(url)
    with engine.connect() as connection:
        result = {t.name: connection.execute(select(func.count()).select_from(t)).scalar()
                  for t in (documents, entities, events, event_arguments)}
    engine.dispose()
    return result


def test_load_twice_adds_nothing(db_url, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [record(f"d{i}") for i in range(5)])
    first = load_jsonl([path], db_url)
    after_first = counts(db_url)
    second = load_jsonl([path], db_url)
    assert (first.inserted, first.unchanged) == (5, 0)
    assert (second.inserted, second.replaced, second.unchanged) == (0, 0, 5)
    assert counts(db_url) == after_first == {"documents": 5, "entities": 20, "events": 10, "event_arguments": 40}


def test_reextracted_document_replaces_its_rows(db_url, tmp_path):
    load_jsonl([write_jsonl(tmp_path / "a.jsonl", [record("d1"), record("d2")])], db_url)
    changed = record("d1", rate=10.0)
    changed["entities"] = changed["entities"][:2]
    summary = load_jsonl([write_jsonl(tmp_path / "b.jsonl", [changed])], db_url)
    assert (summary.inserted, summary.replaced) == (0, 1)
    engine = connect(db_url)
    with engine.connect() as connection:
        def of(doc_id):
            return select(entities).join(documents, documents.c.key == entities.c.document_key).where(documents.c.id == doc_id)

        values = [r.value for r in connection.execute(of("d1")) if r.label == "TARIFF_RATE"]
        n_d1, n_d2 = len(connection.execute(of("d1")).all()), len(connection.execute(of("d2")).all())
        n_events = connection.execute(select(func.count()).select_from(events)).scalar()
    engine.dispose()
    assert values == [10.0] and n_d1 == 2 and n_d2 == 4 and n_events == 4
    assert counts(db_url)["event_arguments"] == 16


def test_failing_batch_rolls_back_and_bad_records_are_reported(db_url, tmp_path):
    good = [record(f"g{i}") for i in range(3)]
    bad_rate = record("bad-fk")
    bad_rate["events"][0]["arguments"]["rates"] = ["not-a-number"]  # fails while building rows
    too_long = record("too-long")
    too_long["entities"][1]["hs_chapter"] = "8" * 5000  # rejected by PostgreSQL (varchar(2)); SQLite accepts it
    lines = [*good, "{broken json", {"id": "no-lists"}, bad_rate]
    errors = tmp_path / "errors.jsonl"
    summary = load_jsonl([write_jsonl(tmp_path / "a.jsonl", lines)], db_url, errors=str(errors))
    failed = [json.loads(line) for line in errors.read_text().splitlines()]
    assert summary.read == summary.inserted + summary.failed == 6
    assert {f["id"] for f in failed} >= {"no-lists", "bad-fk"}
    assert all(f["reason"] for f in failed)
    # a batch with a record the database rejects: nothing of it is half-written
    engine = connect(db_url)
    loader = Loader(engine, batch_size=10)
    loader.add(record("x1"))
    loader.add(too_long)
    loader.flush()
    engine.dispose()
    ids = {row["id"] for row in _rows(db_url, "documents")}
    if db_url.startswith("postgresql"):
        assert loader.summary.failed == 1 and "too-long" not in ids
    keys = {row["key"] for row in _rows(db_url, "documents")}
    assert {row["document_key"] for row in _rows(db_url, "entities")} == keys  # no rows left of a rolled-back record
    assert len(_rows(db_url, "entities")) == 4 * len(keys)
    assert "x1" in ids


def _rows(url: str, table: str) -> list[dict]:
    engine = connect(url)
    with engine.connect() as connection:
        result = [dict(r._mapping) for r in connection.execute(text(f"SELECT * FROM {table}"))]
    engine.dispose()
    return result


def test_arguments_link_to_entities(db_url, tmp_path):
    load_jsonl([write_jsonl(tmp_path / "a.jsonl", [record("d1")])], db_url)
    ordinal_of = {r["key"]: r["ordinal"] for r in _rows(db_url, "entities")}
    arguments = {(r["role"], r["value"]): ordinal_of.get(r["entity_key"]) for r in _rows(db_url, "event_arguments")}
    assert arguments[("rate", "24.0")] == 0
    assert arguments[("commodity", "car")] == 1
    assert arguments[("official", "Scott Bessent")] == 3
    assert arguments[("country", "JP")] is None


def test_example_queries(db_url, tmp_path):
    records = [record("a", "2025-04-10", "JP", 24.0), record("b", "2025-06-01", "JP", 10.0),
               record("c", "2024-05-01", "JP", 25.0), record("d", "2025-05-05", "KR", 25.0),
               record("e", "2025-03-01", "CN", 34.0, kind="TARIFF_IMPOSITION")]
    load_jsonl([write_jsonl(tmp_path / "a.jsonl", records)], db_url)
    engine = connect(db_url)
    pauses = run_query(engine, "pauses_japan_2025")
    assert [(r["date"], r["rates"]) for r in pauses] == [("2025-04-10", "24.0"), ("2025-06-01", "10.0")]
    officials = run_query(engine, "officials_meeting_most")
    assert officials[:2] == [{"official": "Ryosei Akazawa", "meetings": 5}, {"official": "Scott Bessent", "meetings": 5}]
    chapters = run_query(engine, "impositions_by_hs_chapter")
    assert chapters == [{"hs_chapter": "87", "events": 1, "highest_rate": 34.0}]
    engine.dispose()
    assert set(QUERIES) == {"pauses_japan_2025", "officials_meeting_most", "impositions_by_hs_chapter"}


def test_schema_version_recorded_and_parquet_export(db_url, tmp_path):
    load_jsonl([write_jsonl(tmp_path / "a.jsonl", [record("d1"), record("d2")])], db_url)
    assert [r["version"] for r in _rows(db_url, "schema_info")] == [2]
    import pyarrow.parquet as pq

    exported = export_parquet(db_url, tmp_path / "parquet")
    assert exported == {"documents": 2, "entities": 8, "events": 4, "event_arguments": 16}
    table = pq.read_table(tmp_path / "parquet" / "entities.parquet")
    assert table.num_rows == 8 and "hs_chapter" in table.column_names


def _schema_v1(url: str) -> None:
    """A database as schema version 1 left it (text ids built from the document id)."""
    from sqlalchemy import Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, create_engine

    meta = MetaData()
    info = Table("schema_info", meta, Column("version", Integer, primary_key=True), Column("applied_at", Float))
    docs = Table("documents", meta, Column("id", String, primary_key=True), Column("date", String(10), index=True),
                 Column("title", Text), Column("source", Text), Column("schema_version", String(8)),
                 Column("content_hash", String(64), nullable=False))
    ents = Table("entities", meta, Column("id", String, primary_key=True),
                 Column("document_id", String, ForeignKey("documents.id"), nullable=False, index=True),
                 Column("start", Integer), Column("end", Integer), Column("label", String(16)), Column("text", Text),
                 Column("canonical", Text), Column("title", Text), Column("country", String(8)), Column("value", Float),
                 Column("value_max", Float), Column("unit", String(32)), Column("hs_chapter", String(2)),
                 Index("ix_entities_label_canonical", "label", "canonical"), Index("ix_entities_country", "country"))
    evs = Table("events", meta, Column("id", String, primary_key=True),
                Column("document_id", String, ForeignKey("documents.id"), nullable=False, index=True),
                Column("type", String(24)), Column("confidence", Float), Column("sentence_start", Integer),
                Column("sentence_end", Integer), Column("date", String(10)), Index("ix_events_type_date", "type", "date"))
    args = Table("event_arguments", meta, Column("id", String, primary_key=True),
                 Column("event_id", String, ForeignKey("events.id"), nullable=False, index=True),
                 Column("document_id", String, ForeignKey("documents.id"), nullable=False, index=True),
                 Column("role", String(16)), Column("value", Text), Column("value_num", Float),
                 Column("entity_id", String, ForeignKey("entities.id")), Index("ix_event_arguments_role_value", "role", "value"))
    engine = create_engine(url)
    with engine.begin() as connection:
        meta.create_all(connection)
        connection.execute(info.insert().values(version=1, applied_at=0.0))
        connection.execute(docs.insert().values(id="old", date="2025-05-01", title="t", source="s", schema_version="1", content_hash="h"))
        connection.execute(ents.insert(), [
            {"id": "old/e0", "document_id": "old", "start": 4, "end": 14, "label": "TARIFF_RATE", "text": "24 percent",
             "canonical": None, "value": 24.0},
            {"id": "old/e1", "document_id": "old", "start": 55, "end": 62, "label": "OFFICIAL", "text": "Akazawa",
             "canonical": "Ryosei Akazawa", "value": None}])
        connection.execute(evs.insert(), [{"id": "old/v0", "document_id": "old", "type": "PAUSE", "date": "2025-05-01"}])
        connection.execute(args.insert(), [
            {"id": "old/v0/rate0", "event_id": "old/v0", "document_id": "old", "role": "rate", "value": "24.0",
             "value_num": 24.0, "entity_id": "old/e0"},
            {"id": "old/v0/country1", "event_id": "old/v0", "document_id": "old", "role": "country", "value": "JP",
             "value_num": None, "entity_id": None}])
    engine.dispose()


def test_schema_upgrade_from_version_1_keeps_the_data(db_url, tmp_path):
    _schema_v1(db_url)
    load_jsonl([write_jsonl(tmp_path / "a.jsonl", [record("new")])], db_url)  # connect() upgrades first
    assert sorted(r["version"] for r in _rows(db_url, "schema_info")) == [1, 2]
    docs = {r["id"]: r["key"] for r in _rows(db_url, "documents")}
    assert set(docs) == {"old", "new"}
    old_entities = {r["key"]: r for r in _rows(db_url, "entities") if r["document_key"] == docs["old"]}
    assert sorted((r["ordinal"], r["text"]) for r in old_entities.values()) == [(0, "24 percent"), (1, "Akazawa")]
    old_arguments = [r for r in _rows(db_url, "event_arguments") if r["document_key"] == docs["old"]]
    assert {(r["role"], r["position"], r["value"]) for r in old_arguments} == {("rate", 0, "24.0"), ("country", 1, "JP")}
    rate = next(r for r in old_arguments if r["role"] == "rate")
    assert old_entities[rate["entity_key"]]["text"] == "24 percent"
    assert counts(db_url)["entities"] == 2 + 4


def test_first_load_builds_the_query_indexes_at_the_end(db_url, tmp_path):
    from sqlalchemy import inspect

    from pipeline.db import connect as connect_db
    from pipeline.db.schema import QUERY_INDEXES

    load_jsonl([write_jsonl(tmp_path / "a.jsonl", [record("d1"), record("d2")])], db_url)  # empty tables: bulk
    load_jsonl([write_jsonl(tmp_path / "b.jsonl", [record("d3")])], db_url)  # not empty: row by row
    engine = connect_db(db_url)
    found = {index["name"] for table in ("documents", "entities", "events", "event_arguments")
             for index in inspect(engine).get_indexes(table)}
    engine.dispose()
    assert set(QUERY_INDEXES) <= found
    assert counts(db_url)["documents"] == 3


def test_concurrent_loads_into_a_new_sqlite_file_both_succeed(tmp_path):
    """Two `tariffscope load` processes starting together on a new SQLite file (both create
    the schema and the query indexes) wait for each other instead of failing with "database
    is locked"; every document ends in the database once."""
    import subprocess
    import sys

    for trial in range(3):
        url = f"sqlite:///{tmp_path / f'concurrent-{trial}.db'}"
        files = []
        for part in range(2):
            path = tmp_path / f"part-{trial}-{part}.jsonl"
            path.write_text("".join(json.dumps(record(f"doc-{part}-{i}")) + "\n" for i in range(300)))
            files.append(path)
        processes = [subprocess.Popen([sys.executable, "-m", "pipeline", "load", str(path), "--db", url],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in files]
        for process in processes:
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
        engine = connect(url)
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(documents)).scalar() == 600
        engine.dispose()


def test_the_switch_to_wal_mode_is_retried_while_another_process_holds_the_lock():
    """SQLite does not wait on the lock that switching a new file to WAL takes: a second
    process opening the file at that moment gets "database is locked" at once (the test above
    failed now and then that way before the retry). Other errors, and a lock held past the
    timeout, still fail."""
    import sqlite3

    import pytest

    from pipeline.db.engine import set_wal_mode

    class Cursor:
        def __init__(self, failures: list[str]) -> None:
            self.failures = failures
            self.calls = 0

        def execute(self, statement: str) -> None:
            self.calls += 1
            if self.failures:
                raise sqlite3.OperationalError(self.failures.pop(0))

    locked_twice = Cursor(["database is locked", "database is locked"])
    set_wal_mode(locked_twice)
    assert locked_twice.calls == 3
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        set_wal_mode(Cursor(["disk I/O error"]))
    always_locked = Cursor(["database is locked"] * 1000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        set_wal_mode(always_locked, timeout=0.2)
    assert 1 < always_locked.calls < 1000
