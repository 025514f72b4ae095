"""How well this machine runs two processes at once: a fixed piece of pure-Python work, timed
alone and then as two copies in two processes side by side. With two free cores the two
copies take as long as one (scaling 2.0); on a virtual machine whose cores share a physical
core or a busy host, less. No speed-up of `--n-process 2` over `--n-process 1` can exceed what
the hardware gives at that moment, so benchmarks/batch.py records this before each run.

  python benchmarks/cpu_scaling.py [--trials 20] [--output benchmarks/results/cpu_scaling.json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

from provenance import provenance

WORK = 30_000_000  # about 2 s of one core here


def _work(iterations: int = WORK) -> float:
    started = time.perf_counter()
    total = 0
    for index in range(iterations):
        total += index * index
    return time.perf_counter() - started


def trial(context: multiprocessing.context.BaseContext) -> dict[str, float]:
    """Seconds of the work alone, of two copies side by side, and the scaling 2 x alone / side by side."""
    alone = _work()
    processes = [context.Process(target=_work) for _ in range(2)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    # process start-up (fork) is well under 1% of the copies' time
    side_by_side = time.perf_counter() - started
    return {"alone": round(alone, 3), "side_by_side": round(side_by_side, 3), "scaling": round(2 * alone / side_by_side, 3)}


def probe(trials: int = 5, pause: float = 1.0) -> dict[str, object]:
    """The scaling over all ``trials`` trials together (2 x all alone seconds / all side-by-side
    seconds: what a long run sees), their median, and each trial's."""
    context = multiprocessing.get_context("fork")
    rows = []
    for index in range(trials):
        if index:
            time.sleep(pause)
        rows.append(trial(context))
    scalings = [row["scaling"] for row in rows]
    aggregate = 2 * sum(row["alone"] for row in rows) / sum(row["side_by_side"] for row in rows)
    return {"trials": trials, "scaling": round(aggregate, 3), "median_scaling": round(statistics.median(scalings), 3),
            "min_scaling": min(scalings), "max_scaling": max(scalings), "scalings": scalings}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    result = {"cpu_count": multiprocessing.cpu_count(), **probe(args.trials)}
    print(f"two processes side by side: scaling {result['scaling']:.3f} over all trials, median {result['median_scaling']:.3f} "
          f"(min {result['min_scaling']:.3f}, max {result['max_scaling']:.3f}) over {args.trials} trials")
    if args.output:
        result["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
