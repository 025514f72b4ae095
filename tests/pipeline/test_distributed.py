"""The Dask engine: parts and manifest, bad records in every shard, a worker killed mid-run,
reruns skipping finished shards, and the same records as the local engine."""
from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from pipeline.errors import RECORDS_FAILED_EXIT_CODE
from pipeline.extract import extract
from pipeline.extract.dask_engine import LOCAL_CLUSTER_CONFIG, extract_dask, start_local_cluster, undo_malloc_trim_threshold
from tests.pipeline.test_resume import archive


def parts_in_order(folder: Path, suffix: str = ".jsonl") -> list[dict]:
    names = sorted(p for p in folder.glob("part-*.jsonl") if p.name.endswith(".errors.jsonl") == (suffix != ".jsonl"))
    return [json.loads(line) for name in names for line in name.read_text().splitlines()]


@pytest.fixture(scope="module")
def cluster_client():
    from dask.distributed import Client

    cluster = start_local_cluster(2)  # the cluster `--engine dask --workers 2` starts
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_matches_local_engine_and_reports_bad_records(model_dir, tmp_path, cluster_client):
    source = archive(tmp_path, copies=2)  # 62 records, 2 of them malformed, spread over shards
    local = tmp_path / "local.jsonl"
    extract([str(source)], str(local), model=str(model_dir), batch_size=8)
    out = tmp_path / "dask"
    summary = extract_dask([str(source)], str(out), model=str(model_dir), batch_size=8, shard_size=10, client=cluster_client)
    assert summary.shards == 7 and not summary.failed_shards
    assert summary.read == summary.written + summary.failed == 62 and summary.failed == 2
    assert parts_in_order(out) == [json.loads(line) for line in local.read_text().splitlines()]
    errors = parts_in_order(out, ".errors.jsonl")
    assert len(errors) == 2 and all("malformed JSON" in e["reason"] for e in errors)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["index"] for s in manifest["shards"]] == list(range(7))
    assert all(s["status"] == "complete" for s in manifest["shards"])
    rerun = extract_dask([str(source)], str(out), model=str(model_dir), batch_size=8, shard_size=10, client=cluster_client)
    assert rerun.skipped_shards == 7 and rerun.read == 62


def test_workers_undo_the_nannys_malloc_trim_threshold(cluster_client):
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which fixes glibc's thresholds
    (13% slower per process here); each worker raises them again."""
    import subprocess
    import sys

    assert set(cluster_client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()) == {"65536"}
    assert all(cluster_client.run(undo_malloc_trim_threshold).values())
    code = "from pipeline.extract.dask_engine import undo_malloc_trim_threshold as f; print(f())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "False"  # glibc's own dynamic thresholds are left alone


def test_own_local_cluster_starts_with_the_quiet_settings(model_dir, tmp_path, monkeypatch):
    """The LocalCluster that --engine dask starts is built under LOCAL_CLUSTER_CONFIG (the
    nannies hand the config on to their workers): Dask's 50-per-second event-loop ticks and
    stack sampling cost the workers about 10% of a 2-core machine (benchmarks/dask_overhead.py)."""
    import dask
    import dask.distributed

    class Started(Exception):
        pass

    def local_cluster(**kwargs):
        raise Started({key: dask.config.get(key) for key in LOCAL_CLUSTER_CONFIG}, kwargs)

    monkeypatch.setattr(dask.distributed, "LocalCluster", local_cluster)
    with pytest.raises(Started) as started:
        extract_dask([str(archive(tmp_path, copies=1))], str(tmp_path / "out"), model=str(model_dir), workers=3)
    config, kwargs = started.value.args
    assert config == LOCAL_CLUSTER_CONFIG
    assert dask.config.get("distributed.admin.tick.interval") != "1s"  # only while the cluster starts
    assert kwargs["n_workers"] == 3 and kwargs["threads_per_worker"] == 1 and kwargs["processes"]


def test_killed_worker_still_gives_complete_output(model_dir, tmp_path, cluster_client):
    source = archive(tmp_path, copies=3)
    out = tmp_path / "dask"
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(summary=extract_dask(
        [str(source)], str(out), model=str(model_dir), batch_size=4, shard_size=6, client=cluster_client)))
    thread.start()
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("part-*.jsonl")):
        time.sleep(0.1)
    victim = list(cluster_client.run(os.getpid).values())[0]
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=600)
    summary = result["summary"]
    assert not summary.failed_shards
    assert summary.read == summary.written + summary.failed == 93
    ids = [record["id"] for record in parts_in_order(out)]
    assert len(ids) == len(set(ids)) == 90


def test_external_scheduler_and_workers_over_fsspec_url(model_dir, tmp_path):
    """The cluster path: a `dask scheduler` and two `dask worker` processes started from the
    command line (each in its own working folder, as on other hosts), `tariffscope extract
    --scheduler tcp://...` from a third, and the output given as a file:// URL."""
    import subprocess
    import sys

    dask_cli = str(Path(sys.executable).with_name("dask"))
    scheduler_file = tmp_path / "scheduler.json"
    hosts = [tmp_path / name for name in ("scheduler-host", "worker-host-1", "worker-host-2", "client-host")]
    for host in hosts:
        host.mkdir()
    processes = [subprocess.Popen([dask_cli, "scheduler", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1",
                                   "--port", "0", "--no-dashboard"], cwd=hosts[0],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not scheduler_file.exists():
            time.sleep(0.2)
        for host in hosts[1:3]:
            processes.append(subprocess.Popen([dask_cli, "worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                                               "--no-dashboard", "--local-directory", str(host)], cwd=host,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        from dask.distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        source = archive(tmp_path, copies=1)  # 31 records, 1 malformed
        local = tmp_path / "local.jsonl"
        extract([str(source)], str(local), model=str(model_dir), batch_size=8)
        out = tmp_path / "cluster-output"
        run = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(source), "-o", f"file://{out}",
                              "--model", str(model_dir), "--engine", "dask", "--scheduler", address, "--batch-size", "8",
                              "--shard-size", "10"],
                             cwd=hosts[3], capture_output=True, text=True, timeout=600)
        assert run.returncode == RECORDS_FAILED_EXIT_CODE, run.stderr[-2000:]  # the malformed record
        assert parts_in_order(out) == [json.loads(line) for line in local.read_text().splitlines()]
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["summary"]["read"] == 31 and manifest["summary"]["failed"] == 1
        assert all(s["status"] == "complete" for s in manifest["shards"])
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_folder_with_another_runs_parts_is_refused(model_dir, tmp_path):
    from pipeline.extract.checkpoint import OutputConflict

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Steel tariffs."}) + "\n")
    out = tmp_path / "parts"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"inputs": ["other.jsonl"], "fingerprint": {"inputs": ["other.jsonl"]}}))
    (out / "part-00000.jsonl").write_text("an earlier run's part\n")
    with pytest.raises(OutputConflict, match="another run"):
        extract_dask([str(source)], str(out), model=str(model_dir))
    assert (out / "part-00000.jsonl").read_text() == "an earlier run's part\n"


def test_shards_keep_records_with_lone_surrogates(tmp_path):
    """The client writes a record with a lone surrogate into its shard (as an error record)
    instead of failing on it; the worker reads it back intact."""
    from pipeline.extract.dask_engine import _from_json, write_shards
    from pipeline.extract.inputs import DEFAULT_FIELDS, InputError

    source = tmp_path / "in.jsonl"
    source.write_bytes(json.dumps({"id": "bad", "text": "Tariffs \ud800 rose."}).encode() + b"\n")
    [(index, shard)] = list(write_shards([str(source)], str(tmp_path / "out"), DEFAULT_FIELDS, 10))
    [record] = [_from_json(json.loads(line)) for line in Path(shard).read_text(encoding="utf-8").splitlines()]
    assert isinstance(record, InputError) and record.id == "bad"
    assert record.reason == "invalid Unicode (a lone surrogate) in field 'text'"
    assert record.record["text"] == "Tariffs \ud800 rose."
