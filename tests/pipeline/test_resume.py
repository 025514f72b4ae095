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

from pipeline.corpus import read_split
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
    subprocess.run(command(source, reference, model_dir), check=True, capture_output=True, timeout=600)

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
    assert rerun.returncode == 0, rerun.stderr
    assert "resumed from the checkpoint" in rerun.stderr
    assert output.read_bytes() == reference.read_bytes()
    assert Path(f"{str(output)[:-6]}.errors.jsonl").read_bytes() == Path(f"{str(reference)[:-6]}.errors.jsonl").read_bytes()
    assert not progress.exists() and not Path(f"{output}.tmp").exists()


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
    import pytest

    with pytest.raises(RuntimeError, match="belongs to a run with other inputs"):
        extract([str(source)], str(output), model=str(model_dir), batch_size=8)
    os.remove(f"{output}.progress.json")
