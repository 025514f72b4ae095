"""Does a document's output depend on the documents batched with it? Extracts the same
resampled documents with two batch sizes and counts the records, events and confidences that
differ.

  python benchmarks/batch_independence.py [--documents 40] [--batch-sizes 32 7] [--output benchmarks/results/batch_independence.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from provenance import provenance  # noqa: E402


def events_by_sentence(record: dict) -> dict[tuple[str, int], float]:
    return {(event["type"], event["sentence"]["start"]): event["confidence"] for event in record.get("events", [])}


def main() -> None:
    from batch import build_archive

    from pipeline.extract import Extracted, process_records
    from pipeline.extract.inputs import FieldNames, read_inputs
    from pipeline.loading import load_pipeline

    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--batch-sizes", type=int, nargs=2, default=[32, 7])
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "archive.jsonl"
        build_archive(source, args.documents)
        records = list(read_inputs([str(source)], FieldNames()))
    nlp = load_pipeline(None)
    first, second = ([result.record if isinstance(result, Extracted) else result.error
                       for result in process_records(nlp, records, batch_size=size)] for size in args.batch_sizes)
    only_in_one = max_confidence_change = events = 0
    for a, b in zip(first, second):
        ea, eb = events_by_sentence(a), events_by_sentence(b)
        events += len(ea)
        only_in_one += len(set(ea) ^ set(eb))
        max_confidence_change = max([max_confidence_change, *(abs(ea[k] - eb[k]) for k in set(ea) & set(eb))])
    result = {"documents": args.documents, "batch_sizes": args.batch_sizes,
              "records_differing": sum(a != b for a, b in zip(first, second)), "events": events,
              "events_in_only_one_run": only_in_one, "max_confidence_change": round(max_confidence_change, 4)}
    print(json.dumps(result))
    if args.output:
        result["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
