"""Extraction: input records (inputs) are cut into pieces (chunks), run through the pipeline a
batch at a time (batches), on worker processes (pool) or a Dask cluster (dask_engine), and
written as output and error JSONL (parts), checkpointed (checkpoint) by the run (run)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .inputs import FieldNames, InputError, InputRecord, Record, read_inputs
from .results import Extracted, Failed, Result
from .run import ExtractSummary, errors_path_for, extract

if TYPE_CHECKING:
    from .batches import process_batch, process_batches, process_records

# The batch functions import spaCy; importing them on first use keeps it out of processes that
# only read input and write results (the parent of a worker pool, a Dask client).
_SPACY_BOUND = ("process_batch", "process_batches", "process_records")


def __getattr__(name: str) -> Any:
    if name in _SPACY_BOUND:
        from . import batches

        return getattr(batches, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ExtractSummary", "Extracted", "Failed", "FieldNames", "InputError", "InputRecord", "Record", "Result",
           "errors_path_for", "extract", "process_batch", "process_batches", "process_records", "read_inputs"]
