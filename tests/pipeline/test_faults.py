"""Bad input and faults: every input record ends in the output or the error output with its
id and reason, and the run goes on (the table in docs/usage.md lists these cases)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import extract
from pipeline.extract.checkpoint import OutputConflict
from pipeline.extract.chunks import split_for_processing

GOOD = {"id": "good", "date": "2025-05-01", "text": "Treasury Secretary Scott Bessent announced a 25 percent tariff on steel."}


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(model_dir: Path, tmp_path: Path, raw_lines: list[bytes], **kwargs) -> tuple[object, dict[str, str]]:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(raw_lines) + b"\n")
    output = tmp_path / "out.jsonl"
    summary = extract([str(source)], str(output), model=str(model_dir), overwrite=True, **kwargs)
    reasons = {error["id"]: error["reason"] for error in lines(tmp_path / "out.errors.jsonl")}
    assert summary.read == summary.written + summary.failed == len(raw_lines)
    assert [record["id"] for record in lines(output)] == ["good"]
    return summary, reasons


def test_lone_surrogates_go_to_the_error_output(model_dir, tmp_path):
    bad_text = json.dumps({"id": "surrogate-text", "text": "Tariffs \ud800 rose."}).encode()
    bad_id = json.dumps({"id": "id-\udfff", "text": "Tariffs rose."}).encode()
    summary, reasons = run(model_dir, tmp_path, [bad_text, json.dumps(GOOD).encode(), bad_id])
    assert reasons["surrogate-text"] == "invalid Unicode (a lone surrogate) in field 'text'"
    assert reasons["id-\udfff"] == "invalid Unicode (a lone surrogate) in field 'id'"  # the error file keeps it, escaped


def test_deeply_nested_json_is_an_error_record(model_dir, tmp_path):
    deep = b'{"id": "deep", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    summary, reasons = run(model_dir, tmp_path, [deep, json.dumps(GOOD).encode()])
    [reason] = reasons.values()
    assert reason == "JSON nested too deeply to read"


def test_bom_dates_and_ids(model_dir, tmp_path):
    raw = [b"\xef\xbb\xbf" + json.dumps(GOOD).encode(),
           json.dumps({"id": "bad-date", "date": "not a date", "text": "Tariffs rose."}).encode(),
           json.dumps({"id": "no-such-day", "date": "2025-02-30", "text": "Tariffs rose."}).encode(),
           json.dumps({"id": "dict-date", "date": {"y": 2025}, "text": "Tariffs rose."}).encode(),
           json.dumps({"id": ["a", "b"], "text": "Tariffs rose."}).encode()]
    summary, reasons = run(model_dir, tmp_path, raw)
    assert reasons["bad-date"].startswith("field 'date': not a date")
    assert reasons["no-such-day"].startswith("field 'date': not a date")
    assert reasons["dict-date"] == "field 'date': a date must be a string (got dict)"
    derived = [reason for doc_id, reason in reasons.items() if doc_id not in ("bad-date", "no-such-day", "dict-date")]
    assert derived == ["field 'id' is a list, not a string"]  # under an id derived from its place


def test_timestamps_and_written_dates_are_normalized(model_dir, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"id": f"d{i}", "date": date, "text": GOOD["text"]})
                                for i, date in enumerate(["2025-05-01T08:30:00Z", "May 1, 2025", "20250501"])) + "\n")
    extract([str(source)], str(tmp_path / "out.jsonl"), model=str(model_dir))
    assert [record["date"] for record in lines(tmp_path / "out.jsonl")] == ["2025-05-01"] * 3


def test_unsupported_files_get_one_error_each(model_dir, tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<html><body>" + "<p>Tariffs</p>\n" * 50 + "</body></html>")
    binary = tmp_path / "program"
    binary.write_bytes(bytes(range(256)) * 40)
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD) + "\n")
    summary = extract([str(html), str(binary), str(good)], str(tmp_path / "out.jsonl"), model=str(model_dir))
    assert (summary.read, summary.written, summary.failed) == (3, 1, 2)
    assert all(e["reason"].startswith("unsupported input file type") for e in lines(tmp_path / "out.errors.jsonl"))


def test_a_reused_output_name_is_refused(model_dir, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps(GOOD) + "\n")
    second.write_text(json.dumps({**GOOD, "id": "other"}) + "\n")
    output = tmp_path / "out.jsonl"
    extract([str(first)], str(output), model=str(model_dir))
    assert extract([str(first)], str(output), model=str(model_dir)).read == 0  # the same run: nothing to do
    with pytest.raises(OutputConflict, match="another run"):
        extract([str(second)], str(output), model=str(model_dir))
    first.write_text(json.dumps({**GOOD, "id": "changed"}) + "\n")  # same name, new content
    with pytest.raises(OutputConflict, match="another run"):
        extract([str(first)], str(output), model=str(model_dir))
    extract([str(second)], str(output), model=str(model_dir), overwrite=True)
    assert [record["id"] for record in lines(output)] == ["other"]


def test_database_rejections_count_as_failed(model_dir, tmp_path, monkeypatch):
    """read = written + failed with a database sink too: a record the database rejects is
    failed, named in the error output, and not counted as written."""
    from sqlalchemy import create_engine, text

    import pipeline.db.loader as loader
    from pipeline.db import RecordError

    real_rows_of = loader.rows_of

    def rejecting(record, next_key=None):
        if record.get("id") == "rejected":
            raise RecordError("rejected for the test")
        return real_rows_of(record, next_key)

    monkeypatch.setattr(loader, "rows_of", rejecting)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(GOOD) + "\n" + json.dumps({**GOOD, "id": "rejected"}) + "\n")
    url = f"sqlite:///{tmp_path / 'k.db'}"
    summary = extract([str(source)], str(tmp_path / "out.jsonl"), model=str(model_dir), db=url)
    assert (summary.read, summary.written, summary.failed) == (2, 1, 1)
    assert [(e["id"], e["reason"]) for e in lines(tmp_path / "out.errors.jsonl")] == [("rejected", "rejected for the test")]
    with create_engine(url).connect() as connection:
        assert connection.execute(text("SELECT id FROM documents")).scalars().all() == ["good"]


def test_pieces_end_at_sentence_ends_not_inside_names():
    sentence = "Officials met Donald Trump in Washington to discuss tariffs. "
    text = sentence * 40
    pieces = split_for_processing(text, limit=500)
    assert "".join(piece for _, piece in pieces) == text
    assert all(piece.endswith(".") for _, piece in pieces[:-1])


def test_crlf_line_ends_are_read_like_lf(model_dir, tmp_path):
    """JSONL written with \\r\\n line ends, and a .txt file with them, give the records that \\n
    gives (offsets into the text as read, \\r included)."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(json.dumps(GOOD).encode() + b"\r\n" + json.dumps({**GOOD, "id": "second"}).encode() + b"\r\n")
    story = tmp_path / "story.txt"
    story.write_bytes(b"date 2025-05-01\r\nTreasury Secretary Scott Bessent announced a 25 percent\r\ntariff on steel.\r\n")
    summary = extract([str(source), str(story)], str(tmp_path / "out.jsonl"), model=str(model_dir))
    assert (summary.read, summary.written, summary.failed) == (3, 3, 0)
    records = lines(tmp_path / "out.jsonl")
    assert [r["id"] for r in records] == ["good", "second", "story"]
    assert records[0]["entities"] == records[1]["entities"]
    raw = story.read_bytes().decode("utf-8")
    story_entities = records[2]["entities"]
    assert {e["label"] for e in story_entities} >= {"OFFICIAL", "TARIFF_RATE"}
    assert all(" ".join(raw[e["start"]:e["end"]].split()) == e["text"] for e in story_entities)
