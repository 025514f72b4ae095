"""Batch throughput on a realistic archive: the corpus's real documents resampled to N
documents. Each configuration runs as its own command (as a user would run it); a monitor
samples the resident memory of every process of its process tree.

  python benchmarks/batch.py [--documents 1000] [--runs NAME,NAME] [--rounds 1] [--output benchmarks/results/batch.json]

Configurations: vanilla base pipeline (spaCy only); `tariffscope extract` with --n-process 1
(default threads, and one classifier thread), --n-process 2; `tariffscope extract --engine dask
--workers 2`.

This machine's speed drifts by 10-20% over tens of minutes, so a ratio of two runs made 25
minutes apart carries that drift. With --rounds N the chosen configurations run N times,
interleaved (each round in a rotated order), and the speed-ups are given per round and as the
median of the rounds; each configuration's row is then its median run.

The drift is in how much of two cores the virtual machine gets: two copies of a fixed
pure-Python job run side by side scale by anywhere from 1.2x to 2x from one minute to the next
(benchmarks/cpu_scaling.py). Each run's row records that scaling, measured just before it
(--probe-trials, about 4 s a trial).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu_scaling import probe  # noqa: E402
from provenance import provenance  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VANILLA = """
import json, sys, spacy
from pipeline.base import base_package_path
nlp = spacy.load(base_package_path())
texts = (json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8"))
n = sum(1 for _ in nlp.pipe(texts, batch_size=32))
print(n)
"""


def build_archive(path: Path, documents: int, seed: int = 13) -> int:
    from pipeline.corpus import SPLITS, read_split

    docs = [d for split in SPLITS for d in read_split(split) if not d.get("synthetic")]
    rng = random.Random(seed)
    words = 0
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(documents):
            doc = rng.choice(docs)
            words += len(doc["text"].split())
            handle.write(json.dumps({"id": f"{doc['id']}#{index}", "date": doc["date"], "text": doc["text"]}) + "\n")
    return words


def run_monitored(command: list[str]) -> dict:
    """Wall time of the command and the peak RSS of each process of its tree."""
    peaks: dict[int, tuple[str, int]] = {}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    done = threading.Event()

    def sample() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        rss = proc.memory_info().rss
                        name = " ".join(proc.cmdline()[1:3])[-60:]
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    if rss > peaks.get(proc.pid, ("", 0))[1]:
                        peaks[proc.pid] = (name, rss)
            except psutil.NoSuchProcess:
                pass
            done.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    stdout, stderr = process.communicate()
    done.set()
    thread.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed: {stderr[-2000:]}")
    big = sorted((rss for _, rss in peaks.values()), reverse=True)
    return {"seconds": round(seconds, 2), "peak_rss_mb_per_process": [round(r / 2**20) for r in big if r > 50 * 2**20],
            "max_rss_mb": round(big[0] / 2**20) if big else 0, "stderr_tail": stderr.strip().splitlines()[-2:]}


def compare_outputs(folder: Path, results: dict) -> None:
    """Warnings in ``results`` where n_process 2 or Dask did not write exactly what n_process 1 wrote."""
    single = folder / "n1.jsonl"
    if not single.exists():
        return
    if (folder / "n2.jsonl").exists() and single.read_bytes() != (folder / "n2.jsonl").read_bytes():
        results["warning"] = "n_process 1 and 2 outputs differ"
    if (folder / "dask").exists():
        parts = b"".join(path.read_bytes() for path in sorted((folder / "dask").glob("part-*.jsonl"))
                         if not path.name.endswith(".errors.jsonl"))
        if parts != single.read_bytes():
            results["warning_dask"] = "n_process 1 and Dask outputs differ"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--runs", help="comma-separated configuration names to run (default: all)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--probe-trials", type=int, default=5,
                        help="trials of benchmarks/cpu_scaling.py before each run (0: none)")
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "archive.jsonl"
        words = build_archive(source, args.documents)
        subprocess.run([python, "-c", "from pipeline.loading import model_folder; model_folder()"], check=True, cwd=REPO)
        configs = {
            "vanilla_base_n1": [python, "-c", VANILLA, str(source)],
            "tariffscope_n1": [python, "-m", "pipeline", "extract", str(source), "-o", str(folder / "n1.jsonl"),
                               "--n-process", "1", "--batch-size", str(args.batch_size), "--overwrite"],
            # the same single process with one classifier thread, as each worker of the runs below has
            "tariffscope_n1_one_thread": [python, "-m", "pipeline", "extract", str(source), "-o", str(folder / "n1t1.jsonl"),
                                          "--n-process", "1", "--batch-size", str(args.batch_size), "--overwrite",
                                          "--set", "components.event_classifier.num_threads=1"],
            "tariffscope_n2": [python, "-m", "pipeline", "extract", str(source), "-o", str(folder / "n2.jsonl"),
                               "--n-process", "2", "--batch-size", str(args.batch_size), "--overwrite"],
            "tariffscope_dask_2_workers": [python, "-m", "pipeline", "extract", str(source), "-o", str(folder / "dask"),
                                           "--engine", "dask", "--workers", "2", "--batch-size", str(args.batch_size),
                                           "--shard-size", "50"],
        }
        results: dict = {"documents": args.documents, "words": words, "cpu_count": psutil.cpu_count(),
                         "rounds": args.rounds}
        chosen = args.runs.split(",") if args.runs else list(configs)
        unknown = set(chosen) - set(configs)
        if unknown:
            parser.error(f"unknown runs {sorted(unknown)}; choose from {list(configs)}")
        order = [name for name in configs if name in chosen]
        rows: dict[str, list[dict]] = {name: [] for name in order}
        for round_index in range(args.rounds):
            shift = round_index % len(order)
            for name in order[shift:] + order[:shift]:
                if name == "tariffscope_dask_2_workers":
                    shutil.rmtree(folder / "dask", ignore_errors=True)  # else a rerun skips finished shards
                # what two processes could gain on this machine just before the run (it varies)
                scaling = probe(args.probe_trials)["scaling"] if args.probe_trials else None
                row = run_monitored(configs[name])
                row["cpu_scaling_before"] = scaling
                row["documents_per_second"] = round(args.documents / row["seconds"], 2)
                row["words_per_second"] = round(words / row["seconds"], 1)
                row["round"] = round_index + 1
                rows[name].append(row)
                print(f"round {round_index + 1} {name:28} {row['seconds']:>8.1f} s {row['documents_per_second']:>8.2f} docs/s "
                      f"{row['words_per_second']:>9,.0f} words/s  peak RSS per process (MB) {row['peak_rss_mb_per_process']}  "
                      f"machine scaling before {scaling}",
                      flush=True)
            if round_index == 0:  # outputs compared once: every round writes the same files
                compare_outputs(folder, results)
        for name, runs in rows.items():
            results[name] = sorted(runs, key=lambda row: row["seconds"])[len(runs) // 2]
            if args.rounds > 1:
                results[name]["runs_seconds"] = [row["seconds"] for row in runs]
        for base_name, suffix in (("tariffscope_n1", ""), ("tariffscope_n1_one_thread", "_one_thread")):
            for name, short in (("tariffscope_n2", "n2"), ("tariffscope_dask_2_workers", "dask2")):
                if base_name in rows and name in rows:
                    per_round = [round(a["seconds"] / b["seconds"], 3) for a, b in zip(rows[base_name], rows[name])]
                    results[f"speedup_{short}_over_n1{suffix}"] = statistics.median(per_round)
                    if args.rounds > 1:
                        results[f"speedup_{short}_over_n1{suffix}_per_round"] = per_round
        print("speed-ups:", {k: v for k, v in results.items() if k.startswith("speedup")})
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
