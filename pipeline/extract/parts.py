"""Writing results as JSONL: output records to one file, error records to another. The local
run's checkpointed output and each Dask part use this one writer."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from ..jsonl import dumps_line
from .results import Extracted, Failed, Result


def write_results(results: Iterable[Result], out: TextIO, errors: TextIO) -> tuple[int, int]:
    """Write each result to ``out`` or ``errors``; returns (written, failed)."""
    written = failed = 0
    for result in results:
        if isinstance(result, Extracted):
            out.write(dumps_line(result.record))
            written += 1
        else:
            assert isinstance(result, Failed)
            errors.write(dumps_line(result.error))
            failed += 1
    return written, failed
