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

from pipeline.distributed import extract_dask
from pipeline.extract import extract
from tests.pipeline.test_resume import archive


def parts_in_order(folder: Path, suffix: str = ".jsonl") -> list[dict]:
    names = sorted(p for p in folder.glob("part-*.jsonl") if p.name.endswith(".errors.jsonl") == (suffix != ".jsonl"))
    return [json.loads(line) for name in names for line in name.read_text().splitlines()]


@pytest.fixture(scope="module")
def cluster_client():
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40)
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
