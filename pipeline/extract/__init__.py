"""Extraction: input records (inputs) are cut into pieces (chunks), run through the pipeline a
batch at a time (batches), on worker processes (pool) or a Dask cluster (dask_engine), and
written as output and error JSONL (parts), checkpointed (checkpoint) by the run (run)."""
from __future__ import annotations

from .batches import process_batch, process_batches, process_records
from .inputs import FieldNames, InputError, InputRecord, read_inputs
from .results import Extracted, Failed, Result
from .run import ExtractSummary, errors_path_for, extract

__all__ = ["ExtractSummary", "Extracted", "Failed", "FieldNames", "InputError", "InputRecord", "Result",
           "errors_path_for", "extract", "process_batch", "process_batches", "process_records", "read_inputs"]
