"""What Dask's own machinery costs the 2-core machine, with Dask's default settings and with the
LOCAL_CLUSTER_CONFIG that `--engine dask` starts its LocalCluster with.

  python benchmarks/dask_overhead.py [--idle-seconds 30] [--documents 300] [--repeats 1] [--output ...]

- idle: a LocalCluster of 2 workers (1 thread each) that runs nothing; CPU seconds used by the
  client process (scheduler and nannies live there) and by each worker process in --idle-seconds.
- loaded (--documents > 0): `extract_dask` over the same resampled archive (shard size 25) on
  a cluster started with each configuration, alternating, --repeats times; wall seconds and the
  CPU seconds of the client and of the workers.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from provenance import provenance  # noqa: E402


def _cpu_seconds() -> float:
    import psutil

    times = psutil.Process().cpu_times()
    return times.user + times.system


def _cluster(config: dict[str, Any]) -> tuple[Any, Any]:
    from dask.distributed import Client

    from pipeline.extract.dask_engine import start_local_cluster

    cluster = start_local_cluster(2, config)  # as `--engine dask --workers 2` starts it
    return cluster, Client(cluster)


def _usage(client: Any) -> tuple[float, float]:
    workers = client.run(_cpu_seconds)
    return _cpu_seconds(), sum(workers.values())


def idle(config: dict[str, Any], seconds: float) -> dict[str, float]:
    cluster, client = _cluster(config)
    try:
        time.sleep(3)  # start-up done
        client_before, workers_before = _usage(client)
        time.sleep(seconds)
        client_after, workers_after = _usage(client)
    finally:
        client.close()
        cluster.close()
    return {"client_cpu_seconds": round(client_after - client_before, 2),
            "workers_cpu_seconds": round(workers_after - workers_before, 2)}


def loaded(config: dict[str, Any], source: Path, output: Path) -> dict[str, float]:
    from pipeline.extract.dask_engine import extract_dask

    shutil.rmtree(output, ignore_errors=True)
    cluster, client = _cluster(config)
    try:
        client_before, workers_before = _usage(client)
        started = time.perf_counter()
        summary = extract_dask([str(source)], str(output), client=client, shard_size=25)
        seconds = time.perf_counter() - started
        client_after, workers_after = _usage(client)
    finally:
        client.close()
        cluster.close()
    return {"seconds": round(seconds, 2), "written": summary.written,
            "client_cpu_seconds": round(client_after - client_before, 2),
            "workers_cpu_seconds": round(workers_after - workers_before, 2)}


def main() -> None:
    from batch import build_archive

    from pipeline.extract.dask_engine import LOCAL_CLUSTER_CONFIG
    from pipeline.loading import model_folder

    parser = argparse.ArgumentParser()
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    configs = {"dask_defaults": {}, "local_cluster_config": LOCAL_CLUSTER_CONFIG}
    results: dict[str, Any] = {"local_cluster_config": LOCAL_CLUSTER_CONFIG, "idle_seconds": args.idle_seconds,
                               "idle": {}, "documents": args.documents, "loaded": {name: [] for name in configs}}
    for name, config in configs.items():
        results["idle"][name] = row = idle(config, args.idle_seconds)
        print(f"idle {name:22} client {row['client_cpu_seconds']:5.2f} s, workers {row['workers_cpu_seconds']:5.2f} s "
              f"of CPU in {args.idle_seconds:.0f} s", flush=True)
    if args.documents:
        model_folder()  # fails early, naming `make model`, when the pipeline is not built
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "archive.jsonl"
            results["words"] = build_archive(source, args.documents)
            for _ in range(args.repeats):
                for name, config in configs.items():
                    row = loaded(config, source, Path(tmp) / name)
                    results["loaded"][name].append(row)
                    print(f"loaded {name:20} {row['seconds']:7.1f} s, client {row['client_cpu_seconds']:5.1f} s, "
                          f"workers {row['workers_cpu_seconds']:6.1f} s of CPU", flush=True)
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
