"""Corpus statistics tables (markdown) for corpus/README.md.

  python corpus/tools/stats.py
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ENTITY_LABELS = ("OFFICIAL", "AGENCY", "TARIFF_RATE", "COMMODITY")
EVENT_LABELS = ("MEETING", "PROPOSAL", "TARIFF_IMPOSITION", "PAUSE", "RELIEF", "RETALIATION", "THREAT",
                "AGREEMENT", "DEMAND", "TRADE_DATA")


def main() -> None:
    splits = {s: [json.loads(l) for l in open(f"corpus/{s}.jsonl", encoding="utf-8")] for s in ("train", "dev", "test", "silver", "silver_round3")}
    print("| split | documents | real documents | synthetic sentences | sentences | words |")
    print("|---|---|---|---|---|---|")
    for split, docs in splits.items():
        real = [d for d in docs if not d.get("synthetic")]
        synth = sum(len(d["sentences"]) for d in docs if d.get("synthetic"))
        print(f"| {split} | {len(docs)} | {len(real)} | {synth} | {sum(len(d['sentences']) for d in docs)} | "
              f"{sum(len(d['text'].split()) for d in docs):,} |")
    print()
    print("| entity | " + " | ".join(splits) + " |")
    print("|---|" + "---|" * len(splits))
    counts = {s: Counter(e["label"] for d in docs for e in d["entities"]) for s, docs in splits.items()}
    for label in ENTITY_LABELS:
        print(f"| {label} | " + " | ".join(str(counts[s][label]) for s in splits) + " |")
    print()
    print("| event (sentences) | train real | train synthetic | dev | test | silver (round 2) | silver_round3 |")
    print("|---|---|---|---|---|---|---|")
    def events(docs):
        return Counter(e for d in docs for s in d["sentences"] for e in s["events"])
    real_train = events([d for d in splits["train"] if not d.get("synthetic")])
    synth_train = events([d for d in splits["train"] if d.get("synthetic")])
    dev, test, silver, round3 = (events(splits[s]) for s in ("dev", "test", "silver", "silver_round3"))
    for label in EVENT_LABELS:
        print(f"| {label} | {real_train[label]} | {synth_train[label]} | {dev[label]} | {test[label]} | {silver[label]} | {round3[label]} |")
    none = {s: sum(1 for d in docs for x in d["sentences"] if not x["events"]) for s, docs in splits.items()}
    print(f"| (no event) | {none['train']} (all) | | {none['dev']} | {none['test']} | {none['silver']} | {none['silver_round3']} |")


if __name__ == "__main__":
    main()
