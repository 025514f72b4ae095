"""`extract` end to end, and bad input: every record ends in the output or the error output."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.extract import extract
from tests.conftest import REPO


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture()
def bad_inputs(tmp_path: Path) -> list[str]:
    good = {"id": "good-1", "date": "2025-05-01", "text": "Treasury Secretary Scott Bessent announced a 25 percent tariff on steel."}
    lines = [
        json.dumps(good).encode(),
        b'{"id": "broken", "text": "unterminated',  # malformed JSON
        json.dumps({"id": "no-text", "body": "x"}).encode(),
        json.dumps({"id": "empty", "text": "   "}).encode(),
        b'{"id": "bad-utf8", "text": "caf\xe9 tariffs"}',
        json.dumps(["not", "an", "object"]).encode(),
        json.dumps({"text": "Tariffs on corn rose to 10 percent."}).encode(),  # no id: derived
    ]
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(256)) * 40)
    zipped = tmp_path / "more.jsonl.gz"
    with gzip.open(zipped, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "gz-1", "text": "Japan cut tariffs on rice to zero."}) + "\n")
    return [str(jsonl), str(garbage), str(zipped), str(tmp_path / "missing.jsonl")]


def test_bad_input_is_reported_and_nothing_is_lost(model_dir, bad_inputs, tmp_path):
    out = tmp_path / "out.jsonl"
    summary = extract(bad_inputs, str(out), model=str(model_dir))
    written = read_jsonl(out)
    failed = read_jsonl(tmp_path / "out.errors.jsonl")
    assert summary.read == summary.written + summary.failed == 10
    assert (summary.written, summary.failed) == (len(written), len(failed)) == (3, 7)
    reasons = {e["id"]: e["reason"] for e in failed}
    assert reasons["no-text"] == "record has no 'text' field"
    assert reasons["empty"] == "empty text"
    assert any("malformed JSON" in r for r in reasons.values())
    assert any("not valid UTF-8" in r for r in reasons.values())
    assert any("not an object" in r for r in reasons.values())
    assert any("not valid UTF-8" in r or "binary" in r for i, r in reasons.items() if i == "garbage")
    assert reasons[str(tmp_path / "missing.jsonl")] == "input file not found"
    assert all({"id", "reason", "record"} <= set(e) for e in failed)
    by_id = {d["id"]: d for d in written}
    assert set(by_id) >= {"good-1", "gz-1"}
    derived = [d for d in written if d["id"] not in ("good-1", "gz-1")][0]
    assert derived["id"].startswith(f"{bad_inputs[0]}:7#")
    good = by_id["good-1"]
    assert good["schema_version"] == "1" and good["date"] == "2025-05-01" and good["events"] == []
    labels = {e["label"]: e for e in good["entities"]}
    assert labels["TARIFF_RATE"]["value"] == 25.0
    text = "Treasury Secretary Scott Bessent announced a 25 percent tariff on steel."
    assert all(text[e["start"]:e["end"]] == e["text"] for e in good["entities"])


def test_derived_ids_are_stable(model_dir, bad_inputs, tmp_path):
    first = extract(bad_inputs[:1], str(tmp_path / "a.jsonl"), model=str(model_dir))
    second = extract(bad_inputs[:1], str(tmp_path / "b.jsonl"), model=str(model_dir))
    assert first.written == second.written
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()


def test_document_over_the_size_limit_is_an_error(model_dir, tmp_path):
    big = "Tariffs on steel rose to 25 percent. " * 140_000  # about 5 MB
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "big", "text": big}) + "\n" + json.dumps({"id": "small", "text": "Steel tariffs."}) + "\n")
    summary = extract([str(path)], str(tmp_path / "out.jsonl"), model=str(model_dir), max_chars=1_000_000)
    failed = read_jsonl(tmp_path / "out.errors.jsonl")
    assert (summary.read, summary.written, summary.failed) == (2, 1, 1)
    assert failed[0]["id"] == "big" and "more than the limit" in failed[0]["reason"]


def test_a_document_cut_into_pieces_gives_the_entities_of_the_whole(model_dir, tmp_path):
    """The 5 MB case below in small: cut at 600 characters (paragraph breaks), the pieces'
    entities land at the right offsets of the whole text and equal those of the uncut text."""
    paragraph = "Japan's chief tariff negotiator Ryosei Akazawa met Treasury Secretary Scott Bessent about the 24 percent tariffs.\n\n"
    text = paragraph * 12
    path = tmp_path / "doc.jsonl"
    path.write_text(json.dumps({"id": "doc", "text": text}) + "\n")
    cut = extract([str(path)], str(tmp_path / "cut.jsonl"), model=str(model_dir), chunk_chars=600)
    extract([str(path)], str(tmp_path / "whole.jsonl"), model=str(model_dir))
    assert (cut.read, cut.written, cut.failed) == (1, 1, 0)
    record = read_jsonl(tmp_path / "cut.jsonl")[0]
    rates = [e for e in record["entities"] if e["label"] == "TARIFF_RATE"]
    assert len(rates) == 12
    assert all(text[e["start"]:e["end"]] == e["text"] for e in record["entities"])
    assert record["entities"] == read_jsonl(tmp_path / "whole.jsonl")[0]["entities"]


@pytest.mark.slow
def test_five_megabyte_document_is_processed_in_pieces(model_dir, tmp_path):
    paragraph = "Japan's chief tariff negotiator Ryosei Akazawa met Treasury Secretary Scott Bessent about the 24 percent tariffs.\n\n"
    big = paragraph * (5_000_000 // len(paragraph))
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"id": "big", "text": big}) + "\n")
    summary = extract([str(path)], str(tmp_path / "out.jsonl"), model=str(model_dir))
    assert (summary.read, summary.written, summary.failed) == (1, 1, 0)
    record = read_jsonl(tmp_path / "out.jsonl")[0]
    rates = [e for e in record["entities"] if e["label"] == "TARIFF_RATE"]
    assert len(rates) == big.count("24 percent")
    assert all(big[e["start"]:e["end"]] == e["text"] for e in record["entities"])


def test_txt_date_header_and_offsets(model_dir, tmp_path):
    sample = REPO / "corpus" / "samples" / "kyodo-2025-05-01-japan-us-tariff-talks.txt"
    summary = extract([str(sample)], str(tmp_path / "seed.jsonl"), model=str(model_dir))
    assert (summary.written, summary.failed) == (1, 0)
    record = read_jsonl(tmp_path / "seed.jsonl")[0]
    raw = sample.read_text(encoding="utf-8")
    assert record["date"] == "2025-05-01"
    assert all(" ".join(raw[e["start"]:e["end"]].split()) == e["text"] for e in record["entities"])


def test_two_worker_processes_give_the_output_of_one(full_model_dir, bad_inputs, tmp_path):
    """--n-process 2 (a pool of worker processes that return finished records): the same
    output and errors as one process, in input order."""
    seed = (REPO / "corpus" / "samples").glob("*.jsonl")
    inputs = [*bad_inputs, *map(str, seed)]
    one = extract(inputs, str(tmp_path / "one.jsonl"), model=str(full_model_dir), batch_size=2)
    two = extract(inputs, str(tmp_path / "two.jsonl"), model=str(full_model_dir), batch_size=2, n_process=2)
    assert (one.read, one.written, one.failed) == (two.read, two.written, two.failed)
    assert one.written > 3 and any(d["events"] for d in read_jsonl(tmp_path / "one.jsonl"))
    assert (tmp_path / "one.jsonl").read_text() == (tmp_path / "two.jsonl").read_text()
    assert (tmp_path / "one.errors.jsonl").read_text() == (tmp_path / "two.errors.jsonl").read_text()
