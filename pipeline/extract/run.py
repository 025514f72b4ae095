"""`tariffscope extract`: input documents -> JSONL records (and/or a database), failures -> an
error file; streaming, checkpointed, on one process or a pool."""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from itertools import islice
from typing import Any, TextIO

from ..defaults import BATCH_SIZE, CHUNK_CHARS, MAX_CHARS, N_PROCESS
from ..loading import load_pipeline, model_folder
from .batches import Record, process_batches
from .checkpoint import ResumableOutput
from .inputs import DEFAULT_FIELDS, FieldNames, InputRecord, read_inputs
from .pool import process_batches_in_pool
from .results import Extracted


@dataclass
class ExtractSummary:
    read: int = 0
    written: int = 0
    failed: int = 0
    seconds: float = 0.0
    words: int = 0
    resumed: int = 0  # input records a previous, interrupted run had already written

    @property
    def docs_per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        resumed = f" (after {self.resumed} resumed from the checkpoint)" if self.resumed else ""
        return (f"read {self.read}{resumed}, written {self.written}, failed {self.failed} documents in "
                f"{self.seconds:.1f} s: {self.docs_per_second:.1f} documents/s, {self.words_per_second:,.0f} words/s")

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 2),
                "words_per_second": round(self.words_per_second, 1)}


def errors_path_for(output: str) -> str:
    if output == "-":
        return "-"
    name = output[:-6] if output.endswith(".jsonl") else output
    return f"{name}.errors.jsonl"


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
    started = time.perf_counter()
    sink_target = ResumableOutput(output, errors, fingerprint={"inputs": list(inputs), "batch_size": batch_size,
                                                                "n_process": n_process, "overrides": [list(o) for o in overrides]})
    if output not in (None, "-") and sink_target.complete() and not overwrite:
        print(f"{output} is complete; nothing to do (--overwrite to redo it)", file=sys.stderr)
        summary.seconds = time.perf_counter() - started
        return summary
    if n_process > 1:
        folder = str(model_folder(model))  # checked here, before any worker starts
        batches = partial(process_batches_in_pool, folder, n_process=n_process, overrides=overrides)
    else:
        batches = partial(process_batches, load_pipeline(model, overrides=overrides))
    show_progress = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(unit="doc", file=sys.stderr)
    with sink_target as target, _database_sink(db, target.errors) as sink:
        records = read_inputs(inputs, fields)
        summary.resumed = sum(1 for _ in islice(records, target.records_done))  # covered by the checkpoint
        counted = _counting(records, summary)
        for results in batches(counted, batch_size=batch_size, max_chars=max_chars, chunk_chars=chunk_chars):
            for result in results:
                if isinstance(result, Extracted):
                    sink(result.record)
                    summary.written += 1
                else:
                    summary.failed += 1
            target.write_batch(results)
            if bar is not None:
                bar.update(len(results))
    if bar is not None:
        bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _counting(records: Iterable[Record], summary: ExtractSummary) -> Iterator[Record]:
    for record in records:
        summary.read += 1
        if isinstance(record, InputRecord):
            summary.words += len(record.text.split())
        yield record


@contextmanager
def _database_sink(url: str | None, errors: TextIO) -> Iterator[Callable[[dict[str, Any]], None]]:
    """A function that loads each record into the database (batched), or does nothing."""
    if url is None:
        yield lambda record: None
        return
    from ..db import Loader, connect

    engine = connect(url)
    try:
        with Loader(engine, on_error=lambda e: errors.write(json.dumps(e, ensure_ascii=False) + "\n")) as loader:
            yield loader.add
    finally:
        engine.dispose()
