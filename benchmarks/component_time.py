"""Where a single process spends its time, component by component, with the event classifier
on its default threads (as `--n-process 1` runs it) and on one thread (as each worker of
`--n-process 2` or Dask runs it), on the same resampled archive as benchmarks/batch.py.

It also gives the best speed-up two one-thread processes could reach over one default process
if they scaled perfectly: 2 x (time with default threads) / (time with one thread). Only the
classifier uses a second thread in one process, so the more of the time it takes and the
better it scales on two threads, the lower that bound.

  python benchmarks/component_time.py [--documents 300] [--repeats 2] [--output benchmarks/results/component_time.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from batch import build_archive  # noqa: E402
from provenance import provenance  # noqa: E402

from pipeline.loading import load_pipeline  # noqa: E402


def component_seconds(texts: list[str], threads: int, batch_size: int) -> dict[str, float]:
    """Seconds per component (and the tokenizer) over ``texts``, each component run over
    all documents before the next, as nlp.pipe does batch by batch."""
    overrides = (("components.event_classifier.num_threads", threads),) if threads else ()
    nlp = load_pipeline(None, overrides=overrides)
    nlp("A warm-up sentence: the United States imposed a 25 percent tariff on steel.")
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    docs = [nlp.make_doc(text) for text in texts]
    seconds["tokenizer"] = time.perf_counter() - started
    for name, component in nlp.pipeline:
        started = time.perf_counter()
        docs = list(component.pipe(docs, batch_size=batch_size)) if hasattr(component, "pipe") else [component(d) for d in docs]
        seconds[name] = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive.jsonl"
        words = build_archive(archive, args.documents)
        texts = [json.loads(line)["text"] for line in archive.open(encoding="utf-8")]
    # Interleaved repeats, best of each component: the machine's speed drifts over minutes.
    runs: dict[str, list[dict[str, float]]] = {"default_threads": [], "one_thread": []}
    for _ in range(args.repeats):
        for name, threads in (("default_threads", 0), ("one_thread", 1)):
            runs[name].append(component_seconds(texts, threads, args.batch_size))
    result: dict = {"documents": args.documents, "words": words, "cpu_count": os.cpu_count(), "repeats": args.repeats}
    for name, repeats in runs.items():
        best = {component: round(min(r[component] for r in repeats), 2) for component in repeats[0]}
        result[name] = {"seconds": best, "total": round(sum(best.values()), 2),
                        "words_per_second": round(words / sum(best.values()), 1)}
    default, one = result["default_threads"], result["one_thread"]
    result["event_classifier_share_one_thread"] = round(one["seconds"]["event_classifier"] / one["total"], 3)
    result["event_classifier_two_thread_speedup"] = round(one["seconds"]["event_classifier"] / default["seconds"]["event_classifier"], 3)
    result["perfect_two_process_speedup_over_default"] = round(2 * default["total"] / one["total"], 3)
    print(f"{'component':32} {'default threads':>16} {'one thread':>12}")
    for component in default["seconds"]:
        print(f"{component:32} {default['seconds'][component]:16.2f} {one['seconds'][component]:12.2f}")
    print(f"{'total':32} {default['total']:16.2f} {one['total']:12.2f}")
    print(f"event classifier: {result['event_classifier_share_one_thread']:.1%} of the one-thread time, "
          f"{result['event_classifier_two_thread_speedup']:.2f}x faster on two threads; two perfectly scaling "
          f"one-thread processes would be {result['perfect_two_process_speedup_over_default']:.3f}x one default process")
    if args.output:
        result["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
