"""Corpus statistics tables (markdown) for corpus/README.md: per split, per source (collection)
and per label.

  python corpus/tools/stats.py
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's pipeline package
from pipeline.labels import ENTITY_LABELS, EVENT_LABELS  # noqa: E402

FILES = ("train", "dev", "test", "silver", "silver_round3")


def collection(doc: dict) -> str:
    return doc.get("collection") or ("synthetic" if doc.get("synthetic") else str(doc.get("source")))


def main() -> None:
    splits = {s: [json.loads(line) for line in Path(f"corpus/{s}.jsonl").read_text(encoding="utf-8").splitlines()]
              for s in FILES}
    groups: dict[tuple[str, str], list[dict]] = {}
    for split, docs in splits.items():
        for doc in docs:
            groups.setdefault((split, collection(doc)), []).append(doc)
    keys = sorted(groups, key=lambda k: (FILES.index(k[0]), k[1]))
    print("| split | source | documents | sentences | sentences without event | words | entities |")
    print("|---|---|---|---|---|---|---|")
    for key in keys:
        docs = groups[key]
        sentences = [s for d in docs for s in d["sentences"]]
        entities = sum(len(d["entities"]) for d in docs)
        print(f"| {key[0]} | {key[1]} | {len(docs)} | {len(sentences)} | {sum(1 for s in sentences if not s['events'])} | "
              f"{sum(len(d['text'].split()) for d in docs):,} | "
              f"{entities if not any(d.get('entity_annotation') is False for d in docs) else '-'} |")
    print()
    columns = [k for k in keys]
    print("| entity | " + " | ".join(f"{s} {c}" for s, c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    entity_counts = {k: Counter(e["label"] for d in groups[k] for e in d["entities"]) for k in columns}
    for label in ENTITY_LABELS:
        print(f"| {label} | " + " | ".join(str(entity_counts[k][label]) for k in columns) + " |")
    print()
    print("| event (sentences) | " + " | ".join(f"{s} {c}" for s, c in columns) + " |")
    print("|---|" + "---|" * len(columns))
    event_counts = {k: Counter(e for d in groups[k] for s in d["sentences"] for e in s["events"]) for k in columns}
    for label in EVENT_LABELS:
        print(f"| {label} | " + " | ".join(str(event_counts[k][label]) for k in columns) + " |")
    none = {k: sum(1 for d in groups[k] for s in d["sentences"] if not s["events"]) for k in columns}
    print("| (no event) | " + " | ".join(str(none[k]) for k in columns) + " |")


if __name__ == "__main__":
    main()
