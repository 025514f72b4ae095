"""`tariffscope extract`: input documents -> JSONL records, failures -> an error file."""
from __future__ import annotations

import io
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from spacy.language import Language

from .api import CHUNK_CHARS, load_pipeline, split_for_processing
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

    @property
    def docs_per_second(self) -> float:
        return self.written / self.seconds if self.seconds else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"read {self.read}, written {self.written}, failed {self.failed} documents in "
                f"{self.seconds:.1f} s: {self.docs_per_second:.1f} documents/s, {self.words_per_second:,.0f} words/s")

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 2),
                "words_per_second": round(self.words_per_second, 1)}


def errors_path_for(output: str) -> str:
    if output == "-":
        return "-"
    name = output[:-6] if output.endswith(".jsonl") else output
    return f"{name}.errors.jsonl"


def process_records(nlp: Language, records: Iterable[InputRecord | InputError], *, batch_size: int = 32,
                    n_process: int = 1, max_chars: int = DEFAULT_MAX_CHARS) -> Iterator[tuple[str, dict[str, Any]]]:
    """("ok", output record) or ("error", error record) for every input record, in input order."""
    batch: list[InputRecord | InputError] = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            yield from _process_batch(nlp, batch, batch_size, n_process, max_chars)
            batch = []
    if batch:
        yield from _process_batch(nlp, batch, batch_size, n_process, max_chars)


def _process_batch(nlp: Language, batch: list[InputRecord | InputError], batch_size: int, n_process: int,
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
        docs = nlp.pipe(pieces, as_tuples=True, batch_size=batch_size, n_process=n_process)
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
            max_chars: int = DEFAULT_MAX_CHARS, progress: bool | None = None, db: str | None = None) -> ExtractSummary:
    """Run the pipeline over ``inputs`` and write JSONL to ``output`` ("-" for stdout), and/or
    stream the records into the database ``db``.

    Output files are written to a temporary name and renamed when complete."""
    nlp = load_pipeline(model)
    summary = ExtractSummary()
    errors = errors or (errors_path_for(output) if output else "-")
    started = time.perf_counter()
    show_progress = sys.stderr.isatty() if progress is None else progress
    with _AtomicWriter(output or "") as out, _AtomicWriter(errors, stream=sys.stderr) as err, \
            _database_sink(db, err) as sink:
        records = _counting(read_inputs(inputs, fields), summary)
        bar = None
        if show_progress:
            from tqdm import tqdm

            bar = tqdm(unit="doc", file=sys.stderr)
        for status, payload in process_records(nlp, records, batch_size=batch_size, n_process=n_process, max_chars=max_chars):
            if status == "ok":
                out.write(json.dumps(payload, ensure_ascii=False) + "\n")
                sink(payload)
                summary.written += 1
            else:
                err.write(json.dumps(payload, ensure_ascii=False) + "\n")
                summary.failed += 1
            if bar is not None:
                bar.update(1)
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


class _AtomicWriter:
    """Writes to PATH.tmp and renames it to PATH on success; "-" writes to a stream."""

    def __init__(self, path: str, stream: TextIO = sys.stdout) -> None:
        self.path = path
        self.stream = stream
        self.handle: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self.path == "-":
            return self.stream
        if self.path == "":
            return _Discard()  # no file output (records go only to the database)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(f"{self.path}.tmp", "w", encoding="utf-8")
        return self.handle

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.handle is None:
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        if exc_type is None:
            os.replace(f"{self.path}.tmp", self.path)
