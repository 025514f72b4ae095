"""Which rule for the decision thresholds carries over to unseen documents? Dev only (the test
split is not read): the dev documents are split in two halves at random, thresholds are tuned
on one half by each rule and scored (sentence micro-F1) on the other, both ways, 50 times.

  python benchmarks/thresholds.py [--output benchmarks/results/thresholds.json]

Models: the trained transformer (torch fp32 probabilities, as the trainer tunes them), and the
TF-IDF and textcat baselines. Rules: a fixed 0.5 (for reference), one global threshold, one per
label (labels with fewer than 5 positives in the tuning half keep 0.5).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
from provenance import provenance

from pipeline.corpus import iter_sentences, read_split
from pipeline.events.baselines import TextcatEvents, TfidfEvents
from pipeline.events.model import EventModel, normalize_sentence
from pipeline.events.train import choose_thresholds, f1_table, seed_everything

REPEATS = 50
RULES = ("fixed_0.5", "global", "per_label")


def held_out_scores(gold: np.ndarray, probs: np.ndarray, doc_ids: list[str], labels: list[str], seed: int = 7) -> dict:
    docs = np.array(doc_ids)
    ids = sorted(set(doc_ids))
    rng = random.Random(seed)
    scores: dict[str, list[float]] = {rule: [] for rule in RULES}
    for _ in range(REPEATS):
        shuffled = ids[:]
        rng.shuffle(shuffled)
        first_half = np.isin(docs, shuffled[: len(ids) // 2])
        for tune, score in ((first_half, ~first_half), (~first_half, first_half)):
            for rule in RULES:
                thresholds = [0.5] * len(labels) if rule == "fixed_0.5" else choose_thresholds(gold[tune], probs[tune], rule)
                scores[rule].append(f1_table(gold[score], probs[score] >= np.array(thresholds), labels)["micro"])
    table = {rule: {"mean": round(float(np.mean(s)), 4), "sd": round(float(np.std(s)), 4)} for rule, s in scores.items()}
    tuned = {rule: table[rule]["mean"] for rule in ("global", "per_label")}
    return {"held_out_micro_f1": table, "chosen": max(tuned, key=lambda rule: tuned[rule])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="models/event-classifier")
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    seed_everything(13)
    rows = list(iter_sentences(read_split("dev")))
    texts = [normalize_sentence(r["text"]) for r in rows]
    gold = np.array([r["labels"] for r in rows], dtype=bool)
    doc_ids = [r["doc_id"] for r in rows]
    transformer = EventModel.load(args.model)
    model_texts = [transformer.input_text(r["text"], r["headline"]) for r in rows]  # headlines marked if trained so
    tfidf, textcat = TfidfEvents(), TextcatEvents()
    models = {"transformer": (transformer.settings.labels, transformer.predict(model_texts, batch_size=64)),
              "tfidf": (tfidf.labels, tfidf.predict(texts)), "textcat": (textcat.labels, textcat.predict(texts))}
    results: dict = {"dev_documents": len(set(doc_ids)), "dev_sentences": len(rows), "repeats": REPEATS * 2, "models": {}}
    for name, (labels, probs) in models.items():
        results["models"][name] = held_out_scores(gold, probs, doc_ids, labels)
        table = results["models"][name]["held_out_micro_f1"]
        print(f"{name:12} " + "  ".join(f"{rule} {row['mean']:.4f} (sd {row['sd']:.4f})" for rule, row in table.items())
              + f"  -> {results['models'][name]['chosen']}")
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
