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
    """`assemble --set` changes the assembled pipeline's config."""
    out = tmp_path / "entities"
    result = CliRunner().invoke(app, ["assemble", str(REPO / "configs" / "entities.cfg"), str(out), "--set", "nlp.batch_size=7"])
    assert result.exit_code == 0, result.output
    assert "batch_size = 7" in (out / "config.cfg").read_text()
    refused = CliRunner().invoke(app, ["assemble", str(REPO / "configs" / "entities.cfg"), str(out), "--set", "nlp.batch_size"])
    assert refused.exit_code == 2


def run_main(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """`tariffscope ARGS` in this process: (exit code, standard error)."""
    from pipeline.cli import main

    monkeypatch.setattr(sys, "argv", ["tariffscope", *args])
    try:
        main()
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    return code, capsys.readouterr().err


def test_usage_errors_are_one_line_and_exit_2(model_dir, tmp_path, monkeypatch, capsys):
    """Mistakes are found before the model loads and named in one line, without a traceback."""
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Steel tariffs of 25 percent."}) + "\n")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    out = str(tmp_path / "out.jsonl")
    cases = [
        (["extract", str(source), "-o", out, "--model", str(tmp_path / "nowhere")], "make model"),
        (["extract", str(source), "-o", out, "--model", str(model_dir), "--db", "nonsense://x"], "not a usable database URL"),
        (["extract", str(source), "-o", out, "--model", str(model_dir), "--db", f"sqlite:///{tmp_path}/no/folder/x.db"],
         "does not exist"),
        (["extract", str(source), "-o", str(a_file / "out.jsonl"), "--model", str(model_dir)], "is a file, not a folder"),
        (["extract", str(source), "-o", str(tmp_path), "--model", str(model_dir)], "is a folder"),
        (["extract", str(source), "-o", out, "--errors", out, "--model", str(model_dir)], "must not be the output"),
        (["extract", str(source), "-o", out, "--model", str(model_dir), "--set", "components.tariffscope_tariff_rates.windw=3"],
         "not a setting of the pipeline"),
        (["load", str(tmp_path / "missing.jsonl"), "--db", f"sqlite:///{tmp_path}/l.db"], "no such file"),
        (["load", str(tmp_path), "--db", f"sqlite:///{tmp_path}/l.db"], "a folder"),
        (["export", "--db", f"sqlite:///{tmp_path}/missing.db", "--parquet", str(tmp_path / "pq")], "no database file"),
    ]
    for args, message in cases:
        code, err = run_main(monkeypatch, capsys, *args)
        assert code == 2, (args, err)
        assert message in err and "Traceback" not in err, (args, err)
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "out.jsonl").exists()


def test_failed_records_give_exit_3_and_load_names_its_errors_file(model_dir, tmp_path, monkeypatch, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Steel tariffs of 25 percent."}) + "\n{broken\n")
    code, err = run_main(monkeypatch, capsys, "extract", str(source), "-o", str(tmp_path / "out.jsonl.gz"), "--model",
                         str(model_dir))
    assert code == 3 and "read 2, written 1, failed 1" in err
    import gzip

    with gzip.open(tmp_path / "out.jsonl.gz", "rt") as out, gzip.open(tmp_path / "out.errors.jsonl.gz", "rt") as errors:
        [record] = [json.loads(line) for line in out]  # -o *.gz is gzipped
        assert record["id"] == "a"
        assert len(errors.read().splitlines()) == 1
    other = tmp_path / "other.jsonl"  # JSONL that is not tariffscope output
    other.write_text(json.dumps({"name": "x"}) + "\n" + json.dumps([1, 2]) + "\n")
    code, err = run_main(monkeypatch, capsys, "load", str(other), "--db", f"sqlite:///{tmp_path / 'l.db'}")
    assert code == 3 and "failed 2" in err
    reasons = [json.loads(line)["reason"] for line in (tmp_path / "other.load-errors.jsonl").read_text().splitlines()]
    assert reasons == ["record has no string 'id'", "record is not a JSON object"]


def test_version_and_short_help():
    from pipeline import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"tariffscope {__version__}"
    result = CliRunner().invoke(app, ["extract", "-h"])
    assert result.exit_code == 0 and "--max-chars" in result.output
