from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import REPO


def test_extract_sample_end_to_end(model_dir, tmp_path):
    out = tmp_path / "sample.jsonl"
    result = CliRunner().invoke(app, ["extract", str(REPO / "corpus" / "samples"), "-o", str(out), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    assert "read 6, written 6, failed 0" in result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 6
    seed = next(r for r in records if r["id"].startswith("kyodo"))
    officials = {e["text"] for e in seed["entities"] if e["label"] == "OFFICIAL"}
    assert {"Ryosei Akazawa", "Scott Bessent", "Howard Lutnick", "Jamieson Greer"} <= officials


def test_stdin_to_stdout(model_dir):
    line = json.dumps({"id": "x", "text": "The WTO ruled on steel duties of 25 percent."})
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", "-", "-o", "-", "--model", str(model_dir)],
                            input=line + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert [e["label"] for e in record["entities"]] == ["AGENCY", "COMMODITY", "TARIFF_RATE"]
    assert "read 1, written 1, failed 0" in result.stderr


def test_dask_engine_refuses_local_only_options_and_a_file_as_output(tmp_path):
    source = REPO / "corpus" / "samples"
    refused = CliRunner().invoke(app, ["extract", str(source), "-o", str(tmp_path / "out"), "--engine", "dask",
                                       "--set", "components.event_classifier.num_threads=1", "--n-process", "2"],
                                      env={"COLUMNS": "400"})
    assert refused.exit_code == 2 and "--n-process, --set: only for --engine local" in refused.output
    existing = tmp_path / "out.jsonl"
    existing.write_text("kept\n")
    refused = CliRunner().invoke(app, ["extract", str(source), "-o", str(existing), "--engine", "dask"],
                                      env={"COLUMNS": "400"})
    assert refused.exit_code == 2 and "is a file" in refused.output
    assert existing.read_text() == "kept\n" and not (tmp_path / "out").exists()


def test_assemble_applies_set_overrides(tmp_path):
    """`assemble --set` changes the assembled pipeline's config (make evaluate-devselected
    assembles the dev-selected classifier this way)."""
    out = tmp_path / "entities"
    result = CliRunner().invoke(app, ["assemble", str(REPO / "configs" / "entities.cfg"), str(out), "--set", "nlp.batch_size=7"])
    assert result.exit_code == 0, result.output
    assert "batch_size = 7" in (out / "config.cfg").read_text()
    refused = CliRunner().invoke(app, ["assemble", str(REPO / "configs" / "entities.cfg"), str(out), "--set", "nlp.batch_size"])
    assert refused.exit_code == 2
