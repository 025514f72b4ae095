"""Synthetic train sentences (only for labels real text gives fewer than 60 of) -> gold records.

  python corpus/tools/synthetic.py check FILE.json
  python corpus/tools/synthetic.py build corpus/work/synthetic corpus/synthetic/synthetic.jsonl

Input: a JSON list of {"text": "...", "events": [...], "entities": [{"text": ..., "label": ...}]}.
Each sentence becomes a one-sentence train document marked "synthetic": true.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, "corpus/tools")
from annotation import EVENT_LABELS, resolve_entities  # noqa: E402


def to_records(items: list[dict], origin: str) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for n, item in enumerate(items):
        text = item["text"].strip()
        bad = [e for e in item.get("events", []) if e not in EVENT_LABELS]
        if bad:
            problems.append(f"{n}: unknown events {bad}")
        entities, issues = resolve_entities(text, 0, len(text), item.get("entities", []))
        problems += [f"{n}: {p}" for p in issues]
        digest = hashlib.sha1(text.encode()).hexdigest()[:10]
        records.append({"id": f"synthetic-{origin}-{digest}", "date": None, "source": "synthetic", "title": None,
                        "split": "train", "synthetic": True, "text": text, "entities": entities,
                        "sentences": [{"start": 0, "end": len(text), "events": [e for e in EVENT_LABELS if e in item.get("events", [])]}]})
    return records, problems


def check(path: str) -> int:
    records, problems = to_records(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).stem)
    for p in problems:
        print(p)
    print(f"{'OK' if not problems else 'PROBLEMS'}: {len(records)} sentences")
    return 1 if problems else 0


def build(folder: str, out: str) -> int:
    seen, all_records = set(), []
    for path in sorted(Path(folder).glob("*.json")):
        records, problems = to_records(json.loads(path.read_text(encoding="utf-8")), path.stem)
        if problems:
            raise SystemExit(f"{path}: {problems[:3]}")
        for record in records:
            if record["id"] not in seen:
                seen.add(record["id"])
                all_records.append(record)
    with open(out, "w", encoding="utf-8") as handle:
        for record in all_records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(all_records)} synthetic sentences -> {out}")
    return 0


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit({"check": check, "build": build}[command](*args))
