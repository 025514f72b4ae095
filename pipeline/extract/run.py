"""`tariffscope extract`: input documents -> JSONL records (and/or a database), failures -> an
error file; streaming, checkpointed, on one process or a pool."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from ..defaults import BATCH_SIZE, CHUNK_CHARS, MAX_CHARS, N_PROCESS
from ..errors import UserError
from ..jsonl import dumps_line, sibling_path
from ..loading import load_pipeline, model_folder
from .batches import process_batches
from .checkpoint import ResumableOutput, input_signature
from .inputs import DEFAULT_FIELDS, FieldNames, InputRecord, Record, read_inputs
from .pool import process_batches_in_pool
from .results import Extracted, Result


@dataclass
class ExtractSummary:
    read: int = 0
    written: int = 0
    failed: int = 0
    seconds: float = 0.0
    words: int = 0
    resumed: int = 0  # input records a previous, interrupted run had already written
    duplicate_ids: int = 0  # records whose id an earlier record of the run already had
    first_duplicate: str | None = None

    @property
    def docs_per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        resumed = f" (after {self.resumed} resumed from the checkpoint)" if self.resumed else ""
        line = (f"read {self.read}{resumed}, written {self.written}, failed {self.failed} documents in "
                f"{self.seconds:.1f} s: {self.docs_per_second:.1f} documents/s, {self.words_per_second:,.0f} words/s")
        if self.duplicate_ids:
            line += (f"\nwarning: {self.duplicate_ids} records share an id with an earlier record (first: "
                     f"{self.first_duplicate!r}); a database load keeps only the last of each id")
        return line

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 2),
                "words_per_second": round(self.words_per_second, 1)}


def errors_path_for(output: str) -> str:
    """OUT.errors.jsonl beside OUT.jsonl (OUT.errors.jsonl.gz beside OUT.jsonl.gz)."""
    return "-" if output == "-" else sibling_path(output, "errors")


def check_output_paths(output: str | None, errors: str) -> None:
    """Refuse, before any work, output paths that cannot be written."""
    named = [(option, path) for option, path in (("-o", output), ("--errors", errors)) if path not in (None, "-")]
    for option, path in named:
        target = Path(path)
        if target.is_dir():
            raise UserError(f"{option} {path} is a folder: give a file name")
        ancestor = target.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if ancestor.exists() and not ancestor.is_dir():
            raise UserError(f"{option} {path}: {ancestor} is a file, not a folder")
    if len(named) == 2 and Path(named[0][1]).resolve() == Path(named[1][1]).resolve():
        raise UserError(f"--errors must not be the output file ({output})")


def extract(inputs: list[str], output: str | None, *, errors: str | None = None, model: str | None = None,
            batch_size: int = BATCH_SIZE, n_process: int = N_PROCESS, fields: FieldNames = DEFAULT_FIELDS,
            max_chars: int = MAX_CHARS, chunk_chars: int = CHUNK_CHARS, progress: bool | None = None,
            db: str | None = None, overwrite: bool = False,
            overrides: tuple[tuple[str, Any], ...] = ()) -> ExtractSummary:
    """Run the pipeline over ``inputs`` and write JSONL to ``output`` ("-" for stdout), and/or
    stream the records into the database ``db``.

    Streaming and resumable: output goes to OUT.tmp (errors to ERRORS.tmp) batch by batch, with
    a checkpoint after each batch; a rerun with the same output after a crash continues from
    the last checkpoint, and the finished files are renamed into place. A rerun over a
    complete output does nothing unless ``overwrite``."""
    summary = ExtractSummary()
    errors = errors or (errors_path_for(output) if output else "-")
    check_output_paths(output, errors)
    started = time.perf_counter()
    fingerprint = {"inputs": list(inputs), "input_files": input_signature(inputs), "batch_size": batch_size,
                   "n_process": n_process, "overrides": [list(o) for o in overrides], "chunk_chars": chunk_chars,
                   "max_chars": max_chars, "db": db}
    sink_target = ResumableOutput(output, errors, fingerprint=fingerprint)
    if overwrite:
        sink_target.clear()
    elif output not in (None, "-") and sink_target.complete():
        print(f"{output} is complete; nothing to do (--overwrite to redo it)", file=sys.stderr)
        summary.seconds = time.perf_counter() - started
        return summary
    engine = _connect(db)  # a database that cannot be used fails the run before the model loads
    try:
        if n_process > 1:
            folder = str(model_folder(model))  # checked here, before any worker starts
            batches = partial(process_batches_in_pool, folder, n_process=n_process, overrides=overrides)
        else:
            batches = partial(process_batches, load_pipeline(model, overrides=overrides))
        _run(summary, inputs, fields, sink_target, engine, batches, batch_size=batch_size, max_chars=max_chars,
             chunk_chars=chunk_chars, progress=progress)
    finally:
        if engine is not None:
            engine.dispose()
    summary.seconds = time.perf_counter() - started
    return summary


def _connect(db: str | None) -> Any:
    if db is None:
        return None
    from ..db import connect

    return connect(db)


def _run(summary: ExtractSummary, inputs: list[str], fields: FieldNames, sink_target: ResumableOutput, engine: Any,
         batches: Callable[..., Iterator[list[Result]]], *, batch_size: int, max_chars: int, chunk_chars: int,
         progress: bool | None) -> None:
    show_progress = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(unit="doc", file=sys.stderr)
    with sink_target as target, _database_sink(engine, target.errors) as database:
        records = read_inputs(inputs, fields)
        summary.resumed = sum(1 for _ in islice(records, target.records_done))  # covered by the checkpoint
        counted = _counting(records, summary)
        for results in batches(counted, batch_size=batch_size, max_chars=max_chars, chunk_chars=chunk_chars):
            extracted = [result.record for result in results if isinstance(result, Extracted)]
            # Committed before the checkpoint covers them: a killed run loses no rows, and the
            # rerun's records are loaded again (unchanged ones are skipped by content hash).
            rejected = database(extracted)
            summary.written += len(extracted) - rejected
            summary.failed += len(results) - len(extracted) + rejected
            target.write_batch(results)
            if bar is not None:
                bar.update(len(results))
    if bar is not None:
        bar.close()


def _counting(records: Iterable[Record], summary: ExtractSummary) -> Iterator[Record]:
    seen: set[str] = set()
    for record in records:
        summary.read += 1
        if record.id in seen:
            summary.duplicate_ids += 1
            summary.first_duplicate = summary.first_duplicate or record.id
        seen.add(record.id)
        if isinstance(record, InputRecord):
            summary.words += len(record.text.split())
        yield record


@contextmanager
def _database_sink(engine: Any, errors: TextIO) -> Iterator[Callable[[list[dict[str, Any]]], int]]:
    """A function that loads a batch of records into the database in one transaction and
    returns how many it rejected (they go to ``errors`` with the reason); without a database
    it loads nothing and rejects nothing."""
    if engine is None:
        yield lambda records: 0
        return
    from ..db import Loader

    loader = Loader(engine, on_error=lambda error: errors.write(dumps_line(error)))

    def load(records: list[dict[str, Any]]) -> int:
        failed_before = loader.summary.failed
        for record in records:
            loader.add(record)
        loader.flush()
        return loader.summary.failed - failed_before

    yield load
