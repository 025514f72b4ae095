"""The output and error files of a local run, checkpointed after every batch so that a rerun
resumes where a killed run stopped."""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import UserError
from .parts import write_results
from .results import Result


class _Discard(io.StringIO):
    def write(self, text: str) -> int:
        return len(text)


def _gzip_file(source: Path, target: Path) -> None:
    import gzip
    import shutil

    with open(source, "rb") as plain, gzip.open(target, "wb") as packed:
        shutil.copyfileobj(plain, packed, 1 << 20)


class OutputConflict(UserError, RuntimeError):
    """The output path holds another run's output or checkpoint."""


def input_signature(inputs: list[str]) -> list[list[Any]]:
    """[path, size, mtime_ns] of every input file (folders walked): a rerun over changed or
    other files is not taken for the same run."""
    from .inputs import iter_paths

    signature: list[list[Any]] = []
    for path in iter_paths(inputs):
        if path == "-" or not Path(path).exists():
            signature.append([str(path), None, None])
        else:
            stat = Path(path).stat()
            signature.append([str(path), stat.st_size, stat.st_mtime_ns])
    return signature


class ResumableOutput:
    """The output and error files of one run, with checkpoints.

    Lines go to PATH.tmp; after every batch both files are flushed to disk and
    OUT.progress.json records how many input records they cover and their sizes. On a rerun the
    files are cut back to the checkpoint (a batch half-written when the run died is dropped)
    and the covered records are skipped, so the finished files equal those of an uninterrupted
    run. On success the .tmp files are renamed into place, and the checkpoint gives way to
    OUT.run.json, the fingerprint of the run (inputs, their sizes and times, settings) that
    wrote OUT: a later run with the same fingerprint has nothing to do, one with another is
    refused unless it overwrites."""

    def __init__(self, output: str | None, errors: str, fingerprint: dict[str, Any]) -> None:
        self.output = output
        self.errors_path = errors
        self.fingerprint = fingerprint
        self.resumable = output not in (None, "-") and errors != "-"
        self.progress_path = Path(f"{output}.progress.json") if self.resumable else None
        self.run_path = Path(f"{output}.run.json") if self.resumable else None
        self.records_done = 0
        self._out: TextIO = _Discard()
        self._err: TextIO = sys.stderr
        self._owned: list[TextIO] = []

    def complete(self) -> bool:
        """Whether OUT is the finished output of this very run (same fingerprint). Raises
        OutputConflict when OUT is there but was written by another run."""
        assert self.output is not None
        if not Path(self.output).exists() or (self.progress_path is not None and self.progress_path.exists()):
            return False
        finished = None
        if self.run_path is not None and self.run_path.exists():
            finished = json.loads(self.run_path.read_text(encoding="utf-8")).get("fingerprint")
        if finished != self.fingerprint:
            raise OutputConflict(f"{self.output} exists and holds the output of another run (other inputs or settings, "
                                 "or inputs changed since): give another -o, or --overwrite to replace it")
        return True

    def clear(self) -> None:
        """Forget an earlier run's checkpoint and partial files (--overwrite)."""
        for path in (self.progress_path, self.run_path, Path(f"{self.output}.tmp"), Path(f"{self.errors_path}.tmp")):
            if path is not None and path.exists():
                path.unlink()

    @property
    def errors(self) -> TextIO:
        return self._err

    def __enter__(self) -> ResumableOutput:
        sizes = {"out": 0, "err": 0}
        if self.progress_path is not None and self.progress_path.exists():
            checkpoint = json.loads(self.progress_path.read_text(encoding="utf-8"))
            if checkpoint["fingerprint"] != self.fingerprint:
                raise OutputConflict(f"{self.progress_path} belongs to a run with other inputs or batch size; "
                                   "rerun with the same arguments, or --overwrite to start again")
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
        handle = open(temporary, "a", encoding="utf-8")  # noqa: SIM115  (kept in _owned, closed in __exit__)
        self._owned.append(handle)
        return handle

    def write_batch(self, results: list[Result]) -> None:
        write_results(results, self._out, self._err)
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
                if path.endswith(".gz"):  # written plain (so it can be cut back), compressed once finished
                    _gzip_file(Path(f"{path}.tmp"), Path(f"{path}.gz-part"))
                    os.replace(f"{path}.gz-part", path)
                    os.remove(f"{path}.tmp")
                else:
                    os.replace(f"{path}.tmp", path)
        if self.run_path is not None:
            partial = self.run_path.with_suffix(".json.tmp")
            partial.write_text(json.dumps({"fingerprint": self.fingerprint, "records": self.records_done}), encoding="utf-8")
            os.replace(partial, self.run_path)
        if self.progress_path is not None and self.progress_path.exists():
            self.progress_path.unlink()
