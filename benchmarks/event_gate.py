"""Recall and pass rate of the event classifier's sentence gate on the gold corpus.

The gate (pipeline/components/events.py: sentence_may_hold_event, with the words of
pipeline/data/event_gate.tsv) decides which sentences reach the classifier; a sentence it
stops gets no event. Its recall on gold event sentences must stay >= 0.99; its pass rate is the
share of sentences the classifier still reads.

  python benchmarks/event_gate.py [--splits train dev test] [--output benchmarks/results/event_gate.json]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from provenance import provenance

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", nargs="+", default=["train", "dev", "test"])
    parser.add_argument("--model", default="models/tariffscope-entities")
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])
    from pipeline.components.events import EventGate
    from pipeline.corpus import read_split
    from pipeline.gazetteer import DEFAULT_DATA_DIR
    from pipeline.loading import load_pipeline

    gate = EventGate.from_text((DEFAULT_DATA_DIR / "event_gate.tsv").read_text(encoding="utf-8"))
    nlp = load_pipeline(args.model)
    results: dict[str, dict] = {}
    missed: list[dict] = []
    for split in args.splits:
        docs = [d for d in read_split(split) if not d.get("synthetic")]
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {"sentences": 0, "passed": 0, "event_sentences": 0,
                                                                "event_sentences_passed": 0, "events": 0, "events_passed": 0})
        for gold, doc in zip(docs, nlp.pipe([d["text"] for d in docs], batch_size=32)):
            row = counts[gold.get("collection") or "unknown"]
            for sentence in gold["sentences"]:
                span = doc.char_span(sentence["start"], sentence["end"], alignment_mode="expand")
                passed = span is not None and gate.passes(span)
                row["sentences"] += 1
                row["passed"] += passed
                if sentence["events"]:
                    row["event_sentences"] += 1
                    row["event_sentences_passed"] += passed
                    row["events"] += len(sentence["events"])
                    row["events_passed"] += len(sentence["events"]) * passed
                    if not passed and split != "test":
                        missed.append({"split": split, "id": gold["id"], "events": sentence["events"],
                                       "text": gold["text"][sentence["start"]:sentence["end"]]})
        for name, row in counts.items():
            row["pass_rate"] = round(row["passed"] / row["sentences"], 4)
            row["event_sentence_recall"] = round(row["event_sentences_passed"] / max(row["event_sentences"], 1), 4)
            row["event_recall"] = round(row["events_passed"] / max(row["events"], 1), 4)
            missed_here = row["event_sentences"] - row["event_sentences_passed"]
            print(f"{split:6} {name:11} sentences {row['sentences']:5}  pass rate {row['pass_rate']:.3f}  "
                  f"event-sentence recall {row['event_sentence_recall']:.4f} ({missed_here} missed)")
        results[split] = dict(counts)
    for item in missed[:40]:
        print("missed", item["split"], item["events"], item["text"][:140].replace("\n", " "))
    if args.output:
        Path(args.output).write_text(json.dumps({"results": results, "missed_train_dev": missed,
                                                 "provenance": run_provenance}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
