"""Batches processed on worker processes that each load the pipeline once."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..defaults import BATCH_SIZE, CHUNK_CHARS, MAX_CHARS
from ..loading import load_pipeline
from .batches import process_batch
from .inputs import Record
from .results import Result

if TYPE_CHECKING:  # the workers import spaCy when they load the pipeline; the parent never does
    from spacy.language import Language

# Batches in flight per worker process: enough to keep the workers busy, few enough that memory
# stays bounded however long the input is.
BATCHES_IN_FLIGHT_PER_PROCESS = 2
_worker_nlp: Language | None = None


def _start_worker(model: str | None, overrides: tuple[tuple[str, Any], ...]) -> None:
    global _worker_nlp
    _worker_nlp = load_pipeline(model, overrides=overrides)


def _process_in_worker(batch: list[Record], batch_size: int, max_chars: int, chunk_chars: int) -> list[Result]:
    assert _worker_nlp is not None
    return process_batch(_worker_nlp, batch, batch_size=batch_size, max_chars=max_chars, chunk_chars=chunk_chars)


def process_batches_in_pool(model: str | None, records: Iterable[Record], *, batch_size: int = BATCH_SIZE,
                            n_process: int = 2, max_chars: int = MAX_CHARS, chunk_chars: int = CHUNK_CHARS,
                            overrides: tuple[tuple[str, Any], ...] = ()) -> Iterator[list[Result]]:
    """Like :func:`pipeline.extract.batches.process_batches`, on ``n_process`` worker processes
    that each load the pipeline once and turn whole batches into finished results. Only input
    records and small output dicts cross process boundaries (spaCy's ``n_process`` sends every
    Doc back to the parent, which then spends its time deserializing). Results come in input
    order; a worker that dies fails the run (BrokenProcessPool) instead of losing its batch."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no inherited thread pools
    stream = iter(records)
    with ProcessPoolExecutor(n_process, mp_context=context, initializer=_start_worker, initargs=(model, overrides)) as pool:
        in_flight: deque[Future[list[Result]]] = deque()
        while True:
            while len(in_flight) < n_process * BATCHES_IN_FLIGHT_PER_PROCESS and (batch := list(islice(stream, batch_size))):
                in_flight.append(pool.submit(_process_in_worker, batch, batch_size, max_chars, chunk_chars))
            if not in_flight:
                return
            yield in_flight.popleft().result()
