"""`tariffscope extract --engine dask`: the same extraction over a Dask cluster.

The client streams the input into shards (SHARD_SIZE records each, written under
OUTPUT/shards/), and each shard becomes one task writing one output part with a deterministic
name (part-00000.jsonl and part-00000.errors.jsonl, via a temporary name and a rename). The
manifest (OUTPUT/manifest.json) records every shard's counts and status. Workers load the
pipeline once per process and run torch with one thread. Failed tasks are retried; a rerun
skips shards whose parts are complete. OUTPUT may be any fsspec URL that client and workers
share (a local or network folder, s3://..., gs://...).
"""
from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

from ..defaults import BATCH_SIZE, CHUNK_CHARS, DASK_RETRIES, DASK_WORKERS, MAX_CHARS, SHARD_SIZE
from ..jsonl import dumps_line
from .checkpoint import OutputConflict, input_signature
from .inputs import DEFAULT_FIELDS, FieldNames, InputError, InputRecord, read_inputs

# Settings of the LocalCluster that `--engine dask` starts itself (a cluster given by
# --scheduler keeps its own). No dashboard shows this cluster, so its workers need not sample
# their stacks 100 times a second (profile), and its event loops need not check themselves 50
# times a second (tick), nor read the system's counters twice a second (system-monitor). Idle,
# those cost the scheduler, the nannies and two workers 3.8 s of CPU in 30 s, 0.4 s without
# them (benchmarks/dask_overhead.py); on a machine whose cores all run workers, that time comes
# off the workers. Memory is still checked every second, stealing is moot with queued tasks.
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


@dataclass
class ShardResult:
    index: int
    read: int = 0
    written: int = 0
    failed: int = 0
    words: int = 0
    seconds: float = 0.0
    worker: str = ""


@dataclass
class DaskSummary:
    shards: int = 0
    skipped_shards: int = 0
    failed_shards: list[dict[str, Any]] = field(default_factory=list)
    read: int = 0
    written: int = 0
    failed: int = 0
    words: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.written / self.seconds if self.seconds else 0.0
        words = self.words / self.seconds if self.seconds else 0.0
        return (f"{self.shards} shards ({self.skipped_shards} already complete, {len(self.failed_shards)} failed): "
                f"read {self.read}, written {self.written}, failed {self.failed} documents in {self.seconds:.1f} s: "
                f"{rate:.1f} documents/s, {words:,.0f} words/s")


def _join(base: str, name: str) -> str:
    return base.rstrip("/") + "/" + name


def _record_json(record: InputRecord | InputError) -> dict[str, Any]:
    if isinstance(record, InputError):
        return {"error": record.as_json()}
    return {"record": {"id": record.id, "text": record.text, "date": record.date, "title": record.title,
                       "source": record.source, "origin": record.origin, "extra": record.extra}}


def _from_json(item: dict[str, Any]) -> InputRecord | InputError:
    if "error" in item:
        error = item["error"]
        return InputError(error["id"], error["reason"], error["record"], error.get("origin", ""))
    return InputRecord(**item["record"])


def write_shards(inputs: list[str], output: str, fields: FieldNames, shard_size: int) -> Iterator[tuple[int, str]]:
    """(index, shard input path) as the input is read; a shard already written is reused."""
    import fsspec

    records = read_inputs(inputs, fields)
    index = 0
    while batch := list(islice(records, shard_size)):
        path = _join(output, f"shards/shard-{index:05d}.jsonl")
        fs, fs_path = fsspec.core.url_to_fs(path)
        if not fs.exists(fs_path):
            fs.makedirs(fs.sep.join(fs_path.split(fs.sep)[:-1]) or ".", exist_ok=True)
            with fs.open(fs_path + ".tmp", "w", encoding="utf-8") as handle:
                for record in batch:
                    handle.write(dumps_line(_record_json(record)))
            fs.mv(fs_path + ".tmp", fs_path)
        yield index, path
        index += 1


def part_paths(output: str, index: int) -> tuple[str, str]:
    return _join(output, f"part-{index:05d}.jsonl"), _join(output, f"part-{index:05d}.errors.jsonl")


def process_shard(index: int, shard_path: str, output: str, model: str | None, batch_size: int, max_chars: int,
                  chunk_chars: int = CHUNK_CHARS) -> dict[str, Any]:
    """Runs on a worker: one shard in, one output part and one error part out."""
    import fsspec

    from .batches import process_batches
    from .parts import write_results

    started = time.perf_counter()
    nlp = _worker_pipeline(model)
    result = ShardResult(index=index, worker=f"{os.uname().nodename}:{os.getpid()}")
    with fsspec.open(shard_path, "r", encoding="utf-8") as handle:
        records = [_from_json(json.loads(line)) for line in handle if line.strip()]
    part, errors = part_paths(output, index)
    fs, part_fs = fsspec.core.url_to_fs(part)
    _, errors_fs = fsspec.core.url_to_fs(errors)
    with fs.open(part_fs + ".tmp", "w", encoding="utf-8") as out, fs.open(errors_fs + ".tmp", "w", encoding="utf-8") as err:
        for results in process_batches(nlp, records, batch_size=batch_size, max_chars=max_chars, chunk_chars=chunk_chars):
            written, failed = write_results(results, out, err)
            result.written += written
            result.failed += failed
    result.read = len(records)
    result.words = sum(len(r.text.split()) for r in records if isinstance(r, InputRecord))
    fs.mv(errors_fs + ".tmp", errors_fs)
    fs.mv(part_fs + ".tmp", part_fs)  # the part's presence marks the shard complete
    result.seconds = round(time.perf_counter() - started, 3)
    return asdict(result)


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc's ceiling for its dynamic mmap threshold (64-bit)


@functools.cache  # once per worker process
def undo_malloc_trim_threshold() -> bool:
    """Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 (its
    ``distributed.nanny.pre-spawn-environ``). Any MALLOC_TRIM_THRESHOLD_ makes glibc fix its
    thresholds: every buffer over 128 KB is then mmapped and unmapped anew, and the heap is
    trimmed at every free. That made this pipeline 13% slower per process (benchmarks/malloc_trim.py).
    This raises both thresholds to the ceiling of glibc's own dynamic defaults. Returns whether
    it did (only where the variable is set and glibc is the allocator)."""
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl without mallopt)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)) and bool(mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX))


def start_local_cluster(workers: int, config: dict[str, Any] = LOCAL_CLUSTER_CONFIG) -> Any:
    """A LocalCluster of ``workers`` one-thread worker processes, started under ``config`` (the
    nannies hand it on to the worker processes)."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set(config):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                            silence_logs=40)


def _worker_pipeline(model: str | None) -> Any:
    """The pipeline of this worker process, loaded on its first task only; the classifier gets
    one thread, since each worker is one process of its own (also a worker started without a
    nanny, which is not a child process and so is not caught by the component's own rule)."""
    from ..loading import load_pipeline

    undo_malloc_trim_threshold()
    nlp = load_pipeline(model)
    if "event_classifier" in nlp.pipe_names:
        nlp.get_pipe("event_classifier").num_threads = 1  # read when the model loads, on first use
    return nlp


def _part_complete(output: str, index: int) -> bool:
    import fsspec

    part, errors = part_paths(output, index)
    fs, part_fs = fsspec.core.url_to_fs(part)
    return fs.exists(part_fs) and fs.exists(fsspec.core.url_to_fs(errors)[1])


def _count_lines(path: str) -> int:
    import fsspec

    with fsspec.open(path, "r", encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def _refuse_another_runs_output(output: str, fingerprint: dict[str, Any]) -> None:
    """A folder that holds another run's parts (other inputs or settings, or inputs changed
    since) is not resumed from: its parts would be taken for this run's."""
    import fsspec

    fs, manifest_path = fsspec.core.url_to_fs(_join(output, "manifest.json"))
    if fs.exists(manifest_path):
        with fs.open(manifest_path, "r", encoding="utf-8") as handle:
            earlier = json.load(handle).get("fingerprint")
        if earlier != fingerprint:
            raise OutputConflict(f"{output} holds the parts of another run (other inputs or settings, or inputs changed "
                                 "since): give another output folder, or remove this one")


def extract_dask(inputs: list[str], output: str, *, workers: int = DASK_WORKERS, scheduler: str | None = None,
                 model: str | None = None, batch_size: int = BATCH_SIZE, shard_size: int = SHARD_SIZE,
                 fields: FieldNames = DEFAULT_FIELDS, max_chars: int = MAX_CHARS, chunk_chars: int = CHUNK_CHARS,
                 retries: int = DASK_RETRIES, client: Any = None) -> DaskSummary:
    import fsspec
    from dask.distributed import Client, as_completed

    from ..loading import model_folder

    started = time.perf_counter()
    output_fs, output_path = fsspec.core.url_to_fs(output)
    if output_fs.exists(output_path) and not output_fs.isdir(output_path):
        raise NotADirectoryError(f"{output} is a file: --engine dask writes a folder of parts and a manifest")
    model = str(model_folder(model))  # checked here, before any task starts
    fingerprint = {"inputs": list(inputs), "input_files": input_signature(inputs), "shard_size": shard_size,
                   "batch_size": batch_size, "max_chars": max_chars, "chunk_chars": chunk_chars}
    _refuse_another_runs_output(output, fingerprint)
    own_cluster = None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            own_cluster = start_local_cluster(workers)
            client = Client(own_cluster)
    summary = DaskSummary()
    manifest: dict[str, Any] = {"inputs": inputs, "output": output, "shard_size": shard_size, "fingerprint": fingerprint,
                                "shards": []}
    try:
        futures = {}
        for index, shard_path in write_shards(inputs, output, fields, shard_size):
            summary.shards += 1
            if _part_complete(output, index):
                summary.skipped_shards += 1
                part, errors = part_paths(output, index)
                written, failed = _count_lines(part), _count_lines(errors)
                manifest["shards"].append({"index": index, "status": "complete (earlier run)", "read": written + failed,
                                           "written": written, "failed": failed})
                continue
            future = client.submit(process_shard, index, shard_path, output, model, batch_size, max_chars, chunk_chars,
                                   retries=retries, pure=False, key=f"tariffscope-shard-{index:05d}-{time.time_ns()}")
            futures[future] = index
        for future in as_completed(futures):
            index = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001  (reported in the manifest and the summary)
                failure = {"index": index, "status": "failed", "reason": f"{type(error).__name__}: {error}"}
                summary.failed_shards.append(failure)
                manifest["shards"].append(failure)
                continue
            manifest["shards"].append({**result, "status": "complete"})
        for shard in manifest["shards"]:
            summary.read += shard.get("read", 0)
            summary.written += shard.get("written", 0)
            summary.failed += shard.get("failed", 0)
            summary.words += shard.get("words", 0)
    finally:
        manifest["shards"].sort(key=lambda shard: shard["index"])
        summary.seconds = time.perf_counter() - started
        manifest["summary"] = {k: v for k, v in asdict(summary).items()}
        fs, manifest_fs = fsspec.core.url_to_fs(_join(output, "manifest.json"))
        fs.makedirs(output if "://" not in output else manifest_fs.rsplit("/", 1)[0], exist_ok=True)
        with fs.open(manifest_fs + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1)
        fs.mv(manifest_fs + ".tmp", manifest_fs)
        if own_cluster is not None:
            client.close()
            own_cluster.close()
    return summary
