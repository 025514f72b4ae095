"""`tariffscope extract`: input documents -> JSONL records, failures -> an error file."""
from __future__ import annotations

import io
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from itertools import islice
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from spacy.language import Language

from .api import CHUNK_CHARS, ensure_model, load_pipeline, split_for_processing
from .io import FieldNames, InputError, InputRecord, read_inputs
from .output import document_record, entities_of, events_of

DEFAULT_MAX_CHARS = 20_000_000


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


def process_batches(nlp: Language, records: Iterable[InputRecord | InputError], *, batch_size: int = 32,
                    max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """For each batch of ``batch_size`` input records, in input order, the list of ("ok",
    output record) or ("error", error record), one per record. Batches are counted from the
    start of the input (also by :func:`process_batches_in_pool`), so a resumed run groups
    documents exactly as an uninterrupted one."""
    stream = iter(records)
    while batch := list(islice(stream, batch_size)):
        yield list(process_batch(nlp, batch, batch_size, max_chars))


# Batches in flight per worker process: enough to keep the workers busy, few enough that memory
# stays bounded however long the input is.
BATCHES_IN_FLIGHT_PER_PROCESS = 2
_worker_nlp: Language | None = None


def _start_worker(model: str | None, overrides: tuple[tuple[str, Any], ...]) -> None:
    global _worker_nlp
    _worker_nlp = load_pipeline(model, overrides=overrides)


def _process_in_worker(batch: list[InputRecord | InputError], batch_size: int, max_chars: int) -> list[tuple[str, dict[str, Any]]]:
    assert _worker_nlp is not None
    return list(process_batch(_worker_nlp, batch, batch_size, max_chars))


def process_batches_in_pool(model: str | None, records: Iterable[InputRecord | InputError], *, batch_size: int = 32,
                            n_process: int = 2, max_chars: int = DEFAULT_MAX_CHARS,
                            overrides: tuple[tuple[str, Any], ...] = ()) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Like :func:`process_batches`, on ``n_process`` worker processes that each load the
    pipeline once and turn whole batches into finished output records. Only input records and
    small output dicts cross process boundaries (spaCy's ``n_process`` sends every Doc back to
    the parent, which then spent its time deserializing). Results come in input order; a
    worker that dies fails the run (BrokenProcessPool) instead of losing its batch."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited thread pools
    stream = iter(records)
    with ProcessPoolExecutor(n_process, mp_context=context, initializer=_start_worker, initargs=(model, overrides)) as pool:
        in_flight: deque[Future[list[tuple[str, dict[str, Any]]]]] = deque()
        while True:
            while len(in_flight) < n_process * BATCHES_IN_FLIGHT_PER_PROCESS and (batch := list(islice(stream, batch_size))):
                in_flight.append(pool.submit(_process_in_worker, batch, batch_size, max_chars))
            if not in_flight:
                return
            yield in_flight.popleft().result()


def process_records(nlp: Language, records: Iterable[InputRecord | InputError], *, batch_size: int = 32,
                    max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[tuple[str, dict[str, Any]]]:
    """("ok", output record) or ("error", error record) for every input record, in input order."""
    for results in process_batches(nlp, records, batch_size=batch_size, max_chars=max_chars):
        yield from results


def process_batch(nlp: Language, batch: list[InputRecord | InputError], batch_size: int,
                  max_chars: int) -> Iterator[tuple[str, dict[str, Any]]]:
    pieces: list[tuple[str, tuple[int, int]]] = []  # (text, (record index, offset))
    results: dict[int, tuple[str, dict[str, Any]]] = {}
    for index, record in enumerate(batch):
        if isinstance(record, InputError):
            results[index] = ("error", record.as_json())
        elif len(record.text) > max_chars:
            results[index] = ("error", InputError(record.id, f"document has {len(record.text):,} characters, more than "
                                                  f"the limit of {max_chars:,} (--max-chars)", _original(record), record.origin).as_json())
        else:
            for offset, piece in split_for_processing(record.text, CHUNK_CHARS):
                pieces.append((piece, (index, offset)))
    found: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}

    def collect(doc: Any, index: int, offset: int) -> None:
        record = batch[index]
        assert isinstance(record, InputRecord)
        entities, events = found.setdefault(index, ([], []))
        entities.extend(entities_of(doc, offset))
        events.extend(events_of(doc, record.date, offset))

    try:
        with nlp.memory_zone():  # strings and vocab entries of this batch are freed after it
            docs = nlp.pipe(pieces, as_tuples=True, batch_size=batch_size)
            for doc, (index, offset) in docs:
                collect(doc, index, offset)
    except Exception:  # one bad document must not fail the batch: redo it one by one
        found = {}
        for piece, (index, offset) in pieces:
            if index in results:
                continue
            try:
                collect(nlp(piece), index, offset)
            except Exception as error:  # noqa: BLE001  (reported with the record, the run goes on)
                record = batch[index]
                assert isinstance(record, InputRecord)
                results[index] = ("error", InputError(record.id, f"processing failed: {type(error).__name__}: {error}",
                                                      _original(record), record.origin).as_json())
    for index, record in enumerate(batch):
        if index in results:
            yield results[index]
        else:
            assert isinstance(record, InputRecord)
            entities, events = found.get(index, ([], []))
            offset = record.extra.get("text_offset", 0)
            if offset:  # .txt files: offsets into the file's text, date line included
                entities = [{**e, "start": e["start"] + offset, "end": e["end"] + offset} for e in entities]
                events = [{**e, "sentence": {"start": e["sentence"]["start"] + offset, "end": e["sentence"]["end"] + offset}}
                          for e in events]
            yield "ok", document_record(record.id, record.date, entities, events, title=record.title, source=record.source)


def _original(record: InputRecord) -> dict[str, Any]:
    return {"id": record.id, "text": record.text, "date": record.date, "title": record.title, "source": record.source}


def extract(inputs: list[str], output: str | None, *, errors: str | None = None, model: str | None = None,
            batch_size: int = 32, n_process: int = 1, fields: FieldNames = FieldNames(),
            max_chars: int = DEFAULT_MAX_CHARS, progress: bool | None = None, db: str | None = None,
            overwrite: bool = False, overrides: tuple[tuple[str, Any], ...] = ()) -> ExtractSummary:
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
        model = str(ensure_model(model))  # built once here, not by every worker
        batches = partial(process_batches_in_pool, model, n_process=n_process, overrides=overrides)
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
        for results in batches(counted, batch_size=batch_size, max_chars=max_chars):
            for status, payload in results:
                if status == "ok":
                    sink(payload)
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


def _counting(records: Iterable[InputRecord | InputError], summary: ExtractSummary) -> Iterator[InputRecord | InputError]:
    for record in records:
        summary.read += 1
        if isinstance(record, InputRecord):
            summary.words += len(record.text.split())
        yield record


@contextmanager
def _database_sink(url: str | None, errors: TextIO) -> Iterator[Any]:
    """A function that loads each record into the database (batched), or does nothing."""
    if url is None:
        yield lambda record: None
        return
    from .db import Loader, connect

    engine = connect(url)
    try:
        with Loader(engine, on_error=lambda e: errors.write(json.dumps(e, ensure_ascii=False) + "\n")) as loader:
            yield loader.add
    finally:
        engine.dispose()


class _Discard(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)


class ResumableOutput:
    """The output and error files of one run, with checkpoints.

    Lines go to PATH.tmp; after every batch both files are flushed to disk and
    OUT.progress.json records how many input records they cover and their sizes. On a rerun the
    files are cut back to the checkpoint (a batch half-written when the run died is dropped)
    and the covered records are skipped, so the finished files equal those of an uninterrupted
    run. On success the .tmp files are renamed into place and the checkpoint is removed."""

    def __init__(self, output: str | None, errors: str, fingerprint: dict[str, Any]) -> None:
        self.output = output
        self.errors_path = errors
        self.fingerprint = fingerprint
        self.resumable = output not in (None, "-") and errors != "-"
        self.progress_path = Path(f"{output}.progress.json") if self.resumable else None
        self.records_done = 0
        self._out: TextIO = _Discard()
        self._err: TextIO = sys.stderr
        self._owned: list[TextIO] = []

    def complete(self) -> bool:
        assert self.output is not None
        return Path(self.output).exists() and not Path(f"{self.output}.tmp").exists() and not (
            self.progress_path is not None and self.progress_path.exists())

    @property
    def errors(self) -> TextIO:
        return self._err

    def __enter__(self) -> "ResumableOutput":
        sizes = {"out": 0, "err": 0}
        if self.progress_path is not None and self.progress_path.exists():
            checkpoint = json.loads(self.progress_path.read_text(encoding="utf-8"))
            if checkpoint["fingerprint"] != self.fingerprint:
                raise RuntimeError(f"{self.progress_path} belongs to a run with other inputs or batch size; "
                                   "remove it (and the .tmp files) or rerun with the same arguments")
            self.records_done = checkpoint["records_done"]
            sizes = checkpoint["sizes"]
        self._out = self._open(self.output, sizes["out"]) if self.output else _Discard()
        self._err = self._open(self.errors_path, sizes["err"]) if self.errors_path != "-" else sys.stderr
        return self

    def _open(self, path: str, size: int) -> TextIO:
        if path == "-":
            return sys.stdout
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(f"{path}.tmp")
        if not self.resumable or size == 0:
            temporary.write_bytes(b"")
        with open(temporary, "r+b") as raw:
            raw.truncate(size)  # drop what was written after the last checkpoint
        handle = open(temporary, "a", encoding="utf-8")
        self._owned.append(handle)
        return handle

    def write_batch(self, results: list[tuple[str, dict[str, Any]]]) -> None:
        for status, payload in results:
            target = self._out if status == "ok" else self._err
            target.write(json.dumps(payload, ensure_ascii=False) + "\n")
        self.records_done += len(results)
        if self.progress_path is None:
            return
        for handle in self._owned:
            handle.flush()
            os.fsync(handle.fileno())
        checkpoint = {"fingerprint": self.fingerprint, "records_done": self.records_done,
                      "sizes": {"out": Path(f"{self.output}.tmp").stat().st_size,
                                "err": Path(f"{self.errors_path}.tmp").stat().st_size}}
        partial = self.progress_path.with_suffix(".json.tmp")
        partial.write_text(json.dumps(checkpoint), encoding="utf-8")
        os.replace(partial, self.progress_path)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        for handle in self._owned:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        if exc_type is not None:
            return  # keep .tmp files and the checkpoint for the rerun
        for path in (self.errors_path, self.output):
            if path not in (None, "-"):
                os.replace(f"{path}.tmp", path)
        if self.progress_path is not None and self.progress_path.exists():
            self.progress_path.unlink()
