"""What Dask's MALLOC_TRIM_THRESHOLD_ costs one pipeline process, and what the worker's
`undo_malloc_trim_threshold()` gets back.

  python benchmarks/malloc_trim.py [--documents 200] [--repeats 2] [--output benchmarks/results/malloc_trim.json]

Each run is a fresh process (glibc reads the variable when the process starts) that loads the
full pipeline with one classifier thread, as a Dask worker runs it, and times
`process_batches` over the same resampled archive:
- plain: no MALLOC_TRIM_THRESHOLD_ (glibc's adaptive thresholds, as in `--n-process` workers);
- dask_nanny: MALLOC_TRIM_THRESHOLD_=65536, as Dask's nanny sets it for its workers;
- dask_nanny_undone: the same variable, then `undo_malloc_trim_threshold()` as each worker calls it.
The variants alternate, so that slow and fast spells of the machine fall on all of them.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from provenance import provenance  # noqa: E402

RUN = """
import json, sys, time
import psutil
from pipeline.extract.dask_engine import undo_malloc_trim_threshold
undone = undo_malloc_trim_threshold() if sys.argv[2] == "undo" else False
from pipeline.loading import load_pipeline
from pipeline.extract import process_batches
from pipeline.extract.inputs import FieldNames, read_inputs
nlp = load_pipeline(None)
nlp.get_pipe("event_classifier").num_threads = 1
records = list(read_inputs([sys.argv[1]], FieldNames()))
started = time.perf_counter()
written = sum(len(batch) for batch in process_batches(nlp, records, batch_size=32))
print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "written": written, "undone": undone,
                  "rss_mb": psutil.Process().memory_info().rss >> 20}))
"""

VARIANTS = {"plain": (None, "keep"), "dask_nanny": ("65536", "keep"), "dask_nanny_undone": ("65536", "undo")}


def main() -> None:
    from batch import build_archive

    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    results: dict = {"documents": args.documents, "runs": {name: [] for name in VARIANTS}}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "archive.jsonl"
        results["words"] = build_archive(source, args.documents)
        for _ in range(args.repeats):
            for name, (threshold, mode) in VARIANTS.items():
                env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
                if threshold:
                    env["MALLOC_TRIM_THRESHOLD_"] = threshold
                done = subprocess.run([sys.executable, "-c", RUN, str(source), mode], cwd=REPO, env=env,
                                      capture_output=True, text=True, check=True)
                row = json.loads(done.stdout.strip().splitlines()[-1])
                results["runs"][name].append(row)
                print(f"{name:18} {row['seconds']:7.2f} s {results['words'] / row['seconds']:8,.0f} words/s "
                      f"RSS {row['rss_mb']} MB", flush=True)
    for name, rows in results["runs"].items():
        results[f"{name}_seconds"] = [row["seconds"] for row in rows]
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
