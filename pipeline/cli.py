"""The `tariffscope` command line: thin typer wrappers over plain functions."""
from __future__ import annotations

import json
from pathlib import Path

import typer

from . import __version__, defaults
from .errors import RECORDS_FAILED_EXIT_CODE, USAGE_EXIT_CODE, UserError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Trade and tariff news to structured records. Exit codes: 0 done; 2 nothing done (the "
                       "message says why); 3 done, but some records went to the error output.",
                  context_settings={"help_option_names": ["-h", "--help"]})


def show_version(value: bool) -> None:
    if value:
        typer.echo(f"tariffscope {__version__}")
        raise typer.Exit()


@app.callback()
def options(version: bool = typer.Option(False, "--version", callback=show_version, is_eager=True,
                                         help="print the version and exit")) -> None:
    """Options of every command."""


def parse_settings(settings: list[str]) -> tuple[tuple[str, object], ...]:
    """--set KEY=VALUE options as (dotted key, JSON value) pairs."""
    overrides = []
    for setting in settings:
        key, sign, value = setting.partition("=")
        if not sign:
            raise typer.BadParameter(f"--set takes KEY=VALUE, not {setting!r}")
        try:
            overrides.append((key, json.loads(value)))
        except json.JSONDecodeError as error:
            raise typer.BadParameter(f"--set {key}: the value must be JSON ({error.msg})") from error
    return tuple(overrides)


@app.command()
def extract(
    inputs: list[str] = typer.Argument(..., help="JSONL(.gz) files, .txt(.gz) files, folders of them, or - for stdin"),
    output: str | None = typer.Option(None, "-o", "--output", help="output JSONL, or - for stdout"),
    db: str | None = typer.Option(None, "--db", help="also (or, without -o, only) load the records into this database URL"),
    errors: str | None = typer.Option(None, "--errors", help="error JSONL (default: OUTPUT.errors.jsonl; stderr for -o -)"),
    model: str | None = typer.Option(None, "--model", help=f"pipeline folder (default: {defaults.MODEL_DIR}, entities and events)"),
    batch_size: int = typer.Option(defaults.BATCH_SIZE, "--batch-size", min=1, help="documents per batch (and per checkpoint)"),
    n_process: int = typer.Option(defaults.N_PROCESS, "--n-process", min=1, help="worker processes on this machine"),
    settings: list[str] = typer.Option([], "--set",
                                       help="config override KEY=VALUE (JSON value), e.g. components.event_classifier.num_threads=1"),
    text_field: str = typer.Option("text", "--text-field", help="JSONL field holding the text"),
    id_field: str = typer.Option("id", "--id-field", help="JSONL field holding the id"),
    date_field: str = typer.Option("date", "--date-field", help="JSONL field holding the date"),
    title_field: str = typer.Option("title", "--title-field", help="JSONL field holding the title"),
    source_field: str = typer.Option("source", "--source-field", help="JSONL field holding the source"),
    max_chars: int = typer.Option(defaults.MAX_CHARS, "--max-chars", help="longer documents go to the error output"),
    summary_json: Path | None = typer.Option(None, "--summary-json", help="also write the run summary as JSON"),
    overwrite: bool = typer.Option(False, "--overwrite", help="redo a complete output instead of keeping it"),
    engine: str = typer.Option("local", "--engine", help="local, or dask (OUTPUT is then a folder of parts + manifest)"),
    workers: int = typer.Option(defaults.DASK_WORKERS, "--workers", min=1, help="dask: workers of the LocalCluster"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="dask: address of an existing scheduler, tcp://HOST:8786"),
    shard_size: int = typer.Option(defaults.SHARD_SIZE, "--shard-size", min=1, help="dask: records per shard"),
) -> None:
    """Extract entities and events from documents into JSONL."""
    from .extract import errors_path_for
    from .extract import extract as run_extract
    from .extract.inputs import FieldNames

    if output is None and db is None:
        raise typer.BadParameter("give -o OUTPUT, --db URL, or both")
    if summary_json is not None and not summary_json.parent.is_dir():
        raise typer.BadParameter(f"--summary-json {summary_json}: the folder {summary_json.parent} does not exist")
    fields = FieldNames(text=text_field, id=id_field, date=date_field, title=title_field, source=source_field)
    if engine == "dask":
        from .extract.dask_engine import extract_dask

        if output in (None, "-"):
            raise typer.BadParameter("--engine dask writes parts into a folder: give -o FOLDER (local path or fsspec URL)")
        local_only = [name for name, given in (("--db", db), ("--errors", errors), ("--n-process", n_process != 1),
                                               ("--set", settings), ("--overwrite", overwrite)) if given]
        if local_only:
            raise typer.BadParameter(f"{', '.join(local_only)}: only for --engine local (dask writes parts and "
                                     "part-*.errors.jsonl into OUTPUT; load them with `tariffscope load`)")
        try:
            dask_summary = extract_dask(inputs, output, workers=workers, scheduler=scheduler, model=model,
                                        batch_size=batch_size, shard_size=shard_size, fields=fields, max_chars=max_chars)
        except NotADirectoryError as error:
            raise typer.BadParameter(str(error)) from error
        typer.echo(dask_summary.line(), err=True)
        typer.echo(f"output: {output}/part-*.jsonl, manifest: {output}/manifest.json", err=True)
        if dask_summary.failed_shards:
            raise typer.Exit(1)
        if dask_summary.failed:
            raise typer.Exit(RECORDS_FAILED_EXIT_CODE)
        return
    if engine != "local":
        raise typer.BadParameter("--engine is local or dask")
    summary = run_extract(inputs, output, errors=errors, model=model, batch_size=batch_size, n_process=n_process,
                          fields=fields, max_chars=max_chars, db=db, overwrite=overwrite, overrides=parse_settings(settings))
    typer.echo(summary.line(), err=True)
    if output not in (None, "-"):
        typer.echo(f"output: {output}" + (f"  errors: {errors or errors_path_for(output)}" if summary.failed else ""), err=True)
    if summary_json:
        summary_json.write_text(json.dumps(summary.as_json(), indent=2) + "\n", encoding="utf-8")
    if summary.failed:
        raise typer.Exit(RECORDS_FAILED_EXIT_CODE)


@app.command()
def assemble(
    config: Path = typer.Argument(..., exists=True, help="a configs/*.cfg file"),
    output: Path = typer.Argument(..., help="pipeline folder to write"),
    settings: list[str] = typer.Option([], "--set",
                                       help='config override KEY=VALUE (JSON value), '
                                            'e.g. paths.event_model="models/event-classifier-rerun"'),
) -> None:
    """Build a pipeline folder from a config (base weights are checked first)."""
    from .assemble import assemble as run_assemble

    nlp = run_assemble(config, output, overrides=dict(parse_settings(settings)))
    typer.echo(f"assembled {', '.join(nlp.pipe_names)} -> {output}", err=True)


@app.command()
def evaluate(
    gold: Path = typer.Argument(..., exists=True, help="gold JSONL (LABELS.md section 3)"),
    model: str | None = typer.Option(None, "--model",
                                     help="pipeline folder, or 'baseline:naive' for the base pipeline with a naive label mapping"),
    output: Path | None = typer.Option(None, "--output", help="JSON report"),
    errors: Path | None = typer.Option(None, "--errors", help="every false positive and negative, with context"),
    settings: list[str] = typer.Option([], "--set",
                                       help="config override KEY=VALUE (JSON value), e.g. components.event_classifier.quantize=false"),
    by: str | None = typer.Option(None, "--by",
                                  help="also score each group of documents: 'source' (the collection: whitehouse, wikipedia, ...)"),
    predictions: Path | None = typer.Option(None, "--predictions",
                                            help="also write the output records (JSONL), for `tariffscope report`"),
) -> None:
    """Score the pipeline against gold documents."""
    from .evaluate import evaluate as run_evaluate
    from .evaluate import format_report

    report = run_evaluate(gold, model=model, errors_path=errors, overrides=parse_settings(settings), by=by,
                          predictions_path=predictions)
    typer.echo(format_report(report))
    if output:
        output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


@app.command()
def report(
    evaluation: Path = typer.Argument(..., exists=True, dir_okay=False, help="JSON report of `tariffscope evaluate --output`"),
    output: Path = typer.Option(..., "-o", "--output", help="HTML file to write (self-contained: no network when viewed)"),
    errors: Path | None = typer.Option(None, "--errors", exists=True, dir_okay=False,
                                       help="mismatches of `evaluate --errors` (default: the report's, else computed from the documents)"),
    gold: Path | None = typer.Option(None, "--gold", exists=True, dir_okay=False,
                                     help="gold JSONL (default: the report's \"gold\" path)"),
    predictions: Path | None = typer.Option(None, "--predictions", exists=True, dir_okay=False,
                                            help="output records of `evaluate --predictions` (default: the report's)"),
    compare: Path | None = typer.Option(None, "--compare", exists=True, dir_okay=False,
                                        help="another evaluation JSON (e.g. a baseline's): adds a table of F1 differences"),
) -> None:
    """Write an HTML report of an evaluation: score charts, event confusion, error browser."""
    import time

    from .report import write_report

    started = time.perf_counter()
    inputs = write_report(evaluation, output, gold=gold, predictions=predictions, errors=errors, compare=compare)
    shown = "documents" if inputs.predictions is not None else "no documents (give --gold and --predictions)"
    typer.echo(f"report -> {output} ({shown}, {time.perf_counter() - started:.1f} s)", err=True)


@app.command()
def show(
    records: Path = typer.Argument(..., exists=True, dir_okay=False, help="output JSONL of `tariffscope extract`"),
    output: str = typer.Option("-", "-o", "--output", help="HTML file to write, or - for stdout"),
    doc_id: str | None = typer.Option(None, "--id", help="the record's id (default: the first record)"),
    texts: list[str] = typer.Option([], "--text",
                                    help="the extraction's input (file or folder; repeatable), for the text the offsets point into"),
) -> None:
    """Write one extracted document as HTML: its entities (displaCy) and its events per sentence."""
    from .report import write_document_page

    page = write_document_page(records, None if output == "-" else output, doc_id=doc_id, texts=texts)
    if output == "-":
        typer.echo(page, nl=False)
    else:
        typer.echo(f"document -> {output}", err=True)


@app.command()
def load(
    inputs: list[str] = typer.Argument(..., help="extracted JSONL files (.gz too)"),
    db: str = typer.Option(defaults.DB_URL, "--db", help="SQLAlchemy URL: sqlite:///FILE or postgresql+psycopg://..."),
    errors: str | None = typer.Option(None, "--errors",
                                      help="records that cannot be loaded, with the reason (default: FIRST_INPUT.load-errors.jsonl)"),
    batch_size: int = typer.Option(defaults.DB_BATCH_SIZE, "--batch-size", min=1, help="records per transaction"),
) -> None:
    """Load extracted records into a database; reruns add nothing, changed documents replace their rows."""
    from .db import load_jsonl
    from .jsonl import sibling_path

    errors = errors or sibling_path(inputs[0], "load-errors", compressed=False)  # the loader writes it plain
    summary = load_jsonl(inputs, db, errors=errors, batch_size=batch_size)
    typer.echo(summary.line(), err=True)
    if summary.failed:
        typer.echo(f"errors: {errors}", err=True)
        raise typer.Exit(RECORDS_FAILED_EXIT_CODE)


@app.command()
def export(
    db: str = typer.Option(defaults.DB_URL, "--db", help="SQLAlchemy URL of the database to export"),
    parquet: Path = typer.Option(..., "--parquet", help="folder for one Parquet file per table"),
) -> None:
    """Export the database tables to Parquet for analytics."""
    from .db import export_parquet

    counts = export_parquet(db, parquet)
    typer.echo(", ".join(f"{table}: {n} rows" for table, n in counts.items()) + f" -> {parquet}", err=True)


@app.command()
def train(
    config: Path = typer.Option(defaults.TRAINING_CONFIG, "--config", exists=True, help="training config"),
    output: Path | None = typer.Option(None, "--output", help="model folder (default: the config's paths.output)"),
) -> None:
    """Fine-tune the event classifier; prints progress and dev F1 per epoch."""
    from .events.train import train as run_train

    run_train(config, output)


@app.command()
def thresholds(
    model: Path = typer.Option(defaults.EVENT_MODEL_DIR, "--model", exists=True,
                               help="trained classifier folder (not one trained on dev)"),
    config: Path = typer.Option(defaults.TRAINING_CONFIG, "--config", exists=True, help="training config (its threshold_rule)"),
) -> None:
    """Re-tune a trained classifier's temperature and decision thresholds on dev (the config's
    selection_collections, calibrate and threshold_rule) without training again."""
    from .events.train import retune_thresholds

    retune_thresholds(model, config)


def main() -> None:
    try:
        app()
    except UserError as error:  # a user's mistake, not a crash: one line, no traceback
        typer.echo(f"error: {error}", err=True)
        raise SystemExit(USAGE_EXIT_CODE) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: rerun the same command to resume from the last checkpoint", err=True)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
