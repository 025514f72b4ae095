"""Extraction: input records (inputs) are cut into pieces (chunks), run through the pipeline a
batch at a time (batches), on worker processes (pool) or a Dask cluster (dask_engine), and
written as output and error JSONL (parts), checkpointed (checkpoint) by the run (run).

None of these modules imports spaCy when imported: it is first imported by
pipeline.loading.load_pipeline, without torch, and not at all in the parent of a worker pool."""
from __future__ import annotations

from .batches import process_batch, process_batches, process_records
from .inputs import FieldNames, InputError, InputRecord, Record, read_inputs
from .results import Extracted, Failed, Result
from .run import ExtractSummary, errors_path_for, extract

__all__ = ["ExtractSummary", "Extracted", "Failed", "FieldNames", "InputError", "InputRecord", "Record", "Result",
           "errors_path_for", "extract", "process_batch", "process_batches", "process_records", "read_inputs"]
