"""Markdown tables of the figures in benchmarks/results/*.json (pasted into the README).

  python benchmarks/report.py
"""
from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ENTITY_LABELS = ("OFFICIAL", "AGENCY", "TARIFF_RATE", "COMMODITY", "micro")
EVENT_LABELS = ("MEETING", "PROPOSAL", "TARIFF_IMPOSITION", "PAUSE", "RELIEF", "RETALIATION", "THREAT", "AGREEMENT",
                "DEMAND", "TRADE_DATA", "micro", "macro")


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main() -> None:
    full, entities, naive = load("eval-test-tariffscope.json"), load("eval-test-entities.json"), load("eval-test-naive.json")
    systems = [("tariffscope", full or entities), ("naive baseline", naive)]
    print("Entities, test split, strict (same span and label) P / R / F1 (support):\n")
    print("| label | " + " | ".join(name for name, _ in systems) + " |")
    print("|---|" + "---|" * len(systems))
    for label in ENTITY_LABELS:
        cells = []
        for _, report in systems:
            row = report["entities"]["strict"][label]
            cells.append(f"{row['precision']:.3f} / {row['recall']:.3f} / **{row['f1']:.3f}** ({row['support']})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    event_systems = [("transformer (tariffscope)", full), ("spaCy textcat_multilabel", load("eval-test-textcat.json")),
                     ("TF-IDF + logistic regression", load("eval-test-tfidf.json")), ("keyword rules", load("eval-test-keywords.json"))]
    event_systems = [(n, r) for n, r in event_systems if r]
    print("\nEvents, test split, sentence level, F1 (P / R for micro):\n")
    print("| label | support | " + " | ".join(name for name, _ in event_systems) + " |")
    print("|---|---|" + "---|" * len(event_systems))
    for label in EVENT_LABELS:
        support = event_systems[0][1]["events"]["sentence"][label].get("support", "")
        cells = []
        for _, report in event_systems:
            row = report["events"]["sentence"][label]
            if label == "micro":
                cells.append(f"**{row['f1']:.3f}** ({row['precision']:.3f} / {row['recall']:.3f})")
            else:
                cells.append(f"{row['f1']:.3f}")
        print(f"| {label} | {support} | " + " | ".join(cells) + " |")
    if full:
        document = full["events"]["document"]
        print(f"\nDocument-level event types, transformer: micro F1 {document['micro']['f1']:.3f}, macro {document['macro']['f1']:.3f}.")


if __name__ == "__main__":
    main()
