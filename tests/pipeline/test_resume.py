"""Resumable extraction: a run killed with SIGKILL at any point and rerun ends with exactly the
output of an uninterrupted run; finished outputs appear only complete (atomic rename)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.corpus import read_split
from pipeline.errors import RECORDS_FAILED_EXIT_CODE
from pipeline.extract import extract


def archive(tmp_path: Path, copies: int = 3) -> Path:
    docs = [doc for doc in read_split("dev") if doc["collection"] == "whitehouse"]  # 30 long documents
    path = tmp_path / "archive.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for copy in range(copies):
            for doc in docs:
                handle.write(json.dumps({"id": f"{doc['id']}#{copy}", "date": doc["date"], "text": doc["text"]}) + "\n")
            handle.write("{not json\n")  # bad records spread through the archive
    return path


def command(source: Path, output: Path, model_dir: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "extract", str(source), "-o", str(output), "--model", str(model_dir),
            "--batch-size", "4"]


def test_sigkill_and_rerun_gives_identical_output(model_dir, tmp_path):
    source = archive(tmp_path)
    reference = tmp_path / "reference.jsonl"
    first = subprocess.run(command(source, reference, model_dir), capture_output=True, timeout=600)
    assert first.returncode == RECORDS_FAILED_EXIT_CODE, first.stderr  # the archive's bad lines

    output = tmp_path / "resumed.jsonl"
    progress = Path(f"{output}.progress.json")
    process = subprocess.Popen(command(source, output, model_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:  # kill once a few batches are checkpointed, mid-batch
        if progress.exists() and json.loads(progress.read_text())["records_done"] >= 12:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not output.exists(), "an interrupted run must not leave a final output"
    assert Path(f"{output}.tmp").exists()

    rerun = subprocess.run(command(source, output, model_dir), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == RECORDS_FAILED_EXIT_CODE, rerun.stderr  # the archive's bad lines
    assert "resumed from the checkpoint" in rerun.stderr
    assert output.read_bytes() == reference.read_bytes()
    assert Path(f"{str(output)[:-6]}.errors.jsonl").read_bytes() == Path(f"{str(reference)[:-6]}.errors.jsonl").read_bytes()
    assert not progress.exists() and not Path(f"{output}.tmp").exists() and Path(f"{output}.run.json").exists()


def test_rerun_of_complete_output_does_nothing(model_dir, tmp_path):
    source = archive(tmp_path, copies=1)
    output = tmp_path / "out.jsonl"
    first = extract([str(source)], str(output), model=str(model_dir), batch_size=8)
    before = output.read_bytes()
    second = extract([str(source)], str(output), model=str(model_dir), batch_size=8)
    assert first.read == first.written + first.failed == 31
    assert (second.read, second.written) == (0, 0)
    assert output.read_bytes() == before
    again = extract([str(source)], str(output), model=str(model_dir), batch_size=8, overwrite=True)
    assert again.written == first.written and output.read_bytes() == before


def test_checkpoint_of_another_run_is_refused(model_dir, tmp_path):
    source = archive(tmp_path, copies=1)
    output = tmp_path / "out.jsonl"
    Path(f"{output}.progress.json").write_text(json.dumps(
        {"fingerprint": {"inputs": ["other.jsonl"], "batch_size": 8, "n_process": 1}, "records_done": 4, "sizes": {"out": 0, "err": 0}}))
    with pytest.raises(RuntimeError, match="belongs to a run with other inputs"):
        extract([str(source)], str(output), model=str(model_dir), batch_size=8)
    os.remove(f"{output}.progress.json")


def database_rows(url: str) -> list[tuple]:
    """Every document with its entity and event counts, in id order."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT d.id, d.content_hash, (SELECT COUNT(*) FROM entities e WHERE e.document_key = d.key), "
                "(SELECT COUNT(*) FROM events v WHERE v.document_key = d.key) FROM documents d ORDER BY d.id")).all()
    finally:
        engine.dispose()


def database_url(kind: str, tmp_path: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / name}.db"
    server = os.environ.get("TARIFFSCOPE_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("no PostgreSQL server (make test starts one)")
    from tests.pipeline.test_db import pg_database

    return pg_database()



@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_killed_database_run_loses_no_rows(model_dir, tmp_path, kind):
    """A run with --db killed after some checkpoints, then rerun, leaves the database with the
    rows of an uninterrupted run: nothing lost, nothing twice."""
    source = archive(tmp_path, copies=1)
    reference_db = database_url(kind, tmp_path, "reference")
    first = subprocess.run([*command(source, tmp_path / "reference.jsonl", model_dir), "--db", reference_db],
                           capture_output=True, timeout=600)
    assert first.returncode == RECORDS_FAILED_EXIT_CODE, first.stderr
    output = tmp_path / "killed.jsonl"
    killed_db = database_url(kind, tmp_path, "killed")
    progress = Path(f"{output}.progress.json")
    process = subprocess.Popen([*command(source, output, model_dir), "--db", killed_db],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        if progress.exists() and json.loads(progress.read_text())["records_done"] >= 8:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    rerun = subprocess.run([*command(source, output, model_dir), "--db", killed_db], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == RECORDS_FAILED_EXIT_CODE, rerun.stderr  # the archive's bad lines
    assert "resumed from the checkpoint" in rerun.stderr
    reference_rows = database_rows(reference_db)
    assert len(reference_rows) == 30
    assert database_rows(killed_db) == reference_rows
    assert output.read_bytes() == (tmp_path / "reference.jsonl").read_bytes()
