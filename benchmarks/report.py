"""Markdown tables of the evaluation reports in benchmarks/results/eval-*.json (pasted into the
README): the whole test split, then each source of `tariffscope evaluate --by source`.

  python benchmarks/report.py [--split test]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline.labels import ENTITY_LABELS, EVENT_LABELS  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
EVENT_SYSTEMS = (("transformer (tariffscope)", "tariffscope"), ("spaCy textcat_multilabel", "textcat"),
                 ("TF-IDF + logistic regression", "tfidf"), ("keyword rules", "keywords"))


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def view(report: dict[str, Any], source: str | None) -> dict[str, Any]:
    """The whole report, or one source's part of it."""
    return report if source is None else report["by_source"][source]


def entity_table(systems: list[tuple[str, dict]], source: str | None) -> None:
    print("| label | " + " | ".join(name for name, _ in systems) + " |")
    print("|---|" + "---|" * len(systems))
    for label in (*ENTITY_LABELS, "micro"):
        cells = []
        for _, report in systems:
            row = view(report, source)["entities"]["strict"][label]
            cells.append(f"{row['precision']:.3f} / {row['recall']:.3f} / **{row['f1']:.3f}** ({row['support']})")
        print(f"| {label} | " + " | ".join(cells) + " |")


def event_table(systems: list[tuple[str, dict]], source: str | None) -> None:
    print("| label | support | " + " | ".join(name for name, _ in systems) + " |")
    print("|---|---|" + "---|" * len(systems))
    for label in (*EVENT_LABELS, "micro", "macro"):
        support = view(systems[0][1], source)["events"]["sentence"][label].get("support", "")
        cells = []
        for _, report in systems:
            row = view(report, source)["events"]["sentence"][label]
            cells.append(f"**{row['f1']:.3f}** ({row['precision']:.3f} / {row['recall']:.3f})" if label == "micro"
                         else f"{row['f1']:.3f}")
        print(f"| {label} | {support} | " + " | ".join(cells) + " |")


def main(split: str) -> None:
    full = load(f"eval-{split}-tariffscope.json")
    entity_systems = [(n, r) for n, r in (("tariffscope", full or load(f"eval-{split}-entities.json")),
                                           ("naive baseline", load(f"eval-{split}-naive.json"))) if r]
    event_systems = [(name, r) for name, key in EVENT_SYSTEMS if (r := load(f"eval-{split}-{key}.json"))]
    sources = [None, *sorted(full.get("by_source", {}))] if full else [None]
    for source in sources:
        where = f"{split} split" + (f", {source} documents" if source else ", all documents")
        if entity_systems and all(source is None or "by_source" in r for _, r in entity_systems):
            print(f"\nEntities, {where}, strict (same span and label) P / R / F1 (support):\n")
            entity_table(entity_systems, source)
        systems = [(n, r) for n, r in event_systems if source is None or "by_source" in r]
        if systems:
            print(f"\nEvents, {where}, sentence level, F1 (P / R for micro):\n")
            event_table(systems, source)
    if full:
        document = full["events"]["document"]
        print(f"\nDocument-level event types, transformer, whole {split} split: micro F1 {document['micro']['f1']:.3f}, "
              f"macro {document['macro']['f1']:.3f}.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="test")
    main(parser.parse_args().split)
