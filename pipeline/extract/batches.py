"""Input records -> results, a batch at a time, in input order."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..defaults import BATCH_SIZE, CHUNK_CHARS, MAX_CHARS, PIPE_BATCH_CHARS
from .chunks import split_for_processing
from .inputs import InputError, InputRecord, Record
from .results import Extracted, Failed, Result

if TYPE_CHECKING:  # spaCy itself is first imported by pipeline.loading (without torch)
    from spacy.language import Language
    from spacy.tokens import Doc


def process_batches(nlp: Language, records: Iterable[Record], *, batch_size: int = BATCH_SIZE,
                    max_chars: int = MAX_CHARS, chunk_chars: int = CHUNK_CHARS) -> Iterator[list[Result]]:
    """For each batch of ``batch_size`` input records, in input order, one result per record.
    Batches are counted from the start of the input (also by the process pool), so a resumed
    run groups documents exactly as an uninterrupted one."""
    stream = iter(records)
    while batch := list(islice(stream, batch_size)):
        yield process_batch(nlp, batch, batch_size=batch_size, max_chars=max_chars, chunk_chars=chunk_chars)


def process_records(nlp: Language, records: Iterable[Record], *, batch_size: int = BATCH_SIZE,
                    max_chars: int = MAX_CHARS, chunk_chars: int = CHUNK_CHARS) -> Iterator[Result]:
    """One result for every input record, in input order."""
    for results in process_batches(nlp, records, batch_size=batch_size, max_chars=max_chars, chunk_chars=chunk_chars):
        yield from results


def dated_doc(nlp: Language, text: str, date: str | None) -> Doc:
    """The tokenized text with its document date, for the components that resolve dates. The
    caller registers the extension attributes (once, not per document)."""
    doc = nlp.make_doc(text)
    doc._.ts_date = date
    return doc


def process_batch(nlp: Language, batch: list[Record], *, batch_size: int = BATCH_SIZE, max_chars: int = MAX_CHARS,
                  chunk_chars: int = CHUNK_CHARS) -> list[Result]:
    from ..extensions import register_extensions
    from ..output import document_record, entities_of, events_of

    register_extensions()
    pieces: list[tuple[str, int, int]] = []  # (text, record index, offset)
    results: dict[int, Result] = {}
    for index, record in enumerate(batch):
        if isinstance(record, InputError):
            results[index] = Failed(record.as_json())
        elif len(record.text) > max_chars:
            results[index] = Failed(InputError(record.id, f"document has {len(record.text):,} characters, more than "
                                               f"the limit of {max_chars:,} (--max-chars)", original(record), record.origin).as_json())
        else:
            for offset, piece in split_for_processing(record.text, chunk_chars):
                pieces.append((piece, index, offset))
    found: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}

    def collect(doc: Doc, index: int, offset: int) -> None:
        entities, events = found.setdefault(index, ([], []))
        entities.extend(entities_of(doc, offset))
        events.extend(events_of(doc, offset))

    def date_of(index: int) -> str | None:
        record = batch[index]
        assert isinstance(record, InputRecord)
        return record.date

    try:
        for group in char_bounded_groups(pieces, PIPE_BATCH_CHARS):
            with nlp.memory_zone():  # strings and vocab entries of this group are freed after it
                docs = nlp.pipe(((dated_doc(nlp, piece, date_of(index)), (index, offset)) for piece, index, offset in group),
                                as_tuples=True, batch_size=len(group))
                for doc, (index, offset) in docs:
                    collect(doc, index, offset)
    except Exception:  # one bad document must not fail the batch: redo it one by one
        found = {}
        for piece, index, offset in pieces:
            if index in results:
                continue
            try:
                collect(nlp(dated_doc(nlp, piece, date_of(index))), index, offset)
            except Exception as error:  # noqa: BLE001  (reported with the record, the run goes on)
                record = batch[index]
                assert isinstance(record, InputRecord)
                results[index] = Failed(InputError(record.id, f"processing failed: {type(error).__name__}: {error}",
                                                   original(record), record.origin).as_json())
    out: list[Result] = []
    for index, record in enumerate(batch):
        if index in results:
            out.append(results[index])
            continue
        assert isinstance(record, InputRecord)
        entities, events = found.get(index, ([], []))
        offset = record.extra.get("text_offset", 0)
        if offset:  # .txt files: offsets into the file's text, date line included
            entities = [{**e, "start": e["start"] + offset, "end": e["end"] + offset} for e in entities]
            events = [{**e, "sentence": {"start": e["sentence"]["start"] + offset, "end": e["sentence"]["end"] + offset}}
                      for e in events]
        out.append(Extracted(document_record(record.id, record.date, entities, events, title=record.title,
                                             source=record.source)))
    return out


def char_bounded_groups(pieces: list[tuple[str, int, int]], limit: int) -> Iterator[list[tuple[str, int, int]]]:
    """Consecutive groups of pieces of at most ``limit`` characters together (a longer piece
    alone): one spaCy batch each, so memory stays bounded whatever the size of a document (a
    document's results do not depend on its batch)."""
    group: list[tuple[str, int, int]] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece[0]) > limit:
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece[0])
    if group:
        yield group


def original(record: InputRecord) -> dict[str, Any]:
    """The input record as the error output shows it."""
    return {"id": record.id, "text": record.text, "date": record.date, "title": record.title, "source": record.source}
