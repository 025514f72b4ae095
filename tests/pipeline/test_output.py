"""The output records: the JSON Schema in schemas/ holds for real output of the full pipeline,
and `extract --db` streams the same records into a database."""
from __future__ import annotations

import json

import jsonschema
from sqlalchemy import func, select

from pipeline.db import connect, documents, events
from pipeline.extract import extract
from tests.conftest import REPO

SCHEMA = json.loads((REPO / "schemas" / "tariffscope-output.schema.json").read_text(encoding="utf-8"))


def test_real_output_matches_the_json_schema(full_model_dir, tmp_path):
    out = tmp_path / "sample.jsonl"
    summary = extract([str(REPO / "corpus" / "samples")], str(out), model=str(full_model_dir))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary.written == len(records) == 6
    assert sum(len(r["events"]) for r in records) > 10
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for record in records:
        errors = list(validator.iter_errors(record))
        assert not errors, (record["id"], [e.message for e in errors[:3]])


def test_schema_rejects_broken_records():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert list(validator.iter_errors({"id": "x"}))
    bad_rate = {"schema_version": "1", "id": "x", "date": None, "events": [],
                "entities": [{"start": 0, "end": 3, "label": "TARIFF_RATE", "text": "25%"}]}
    assert list(validator.iter_errors(bad_rate))  # a rate needs value and unit


def test_extract_streams_into_database(full_model_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'stream.db'}"
    summary = extract([str(REPO / "corpus" / "samples")], None, model=str(full_model_dir), db=url)
    engine = connect(url)
    with engine.connect() as connection:
        n_documents = connection.execute(select(func.count()).select_from(documents)).scalar()
        n_events = connection.execute(select(func.count()).select_from(events)).scalar()
    engine.dispose()
    assert summary.written == n_documents == 6
    assert n_events > 10
