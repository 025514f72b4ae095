"""Annotation workflow: segment selected documents into numbered sentences for annotators,
check an annotator's file, and turn annotator files into gold JSONL (LABELS.md section 3).

  python corpus/tools/annotation.py segment            # corpus/work/selected.jsonl -> corpus/work/tasks/
  python corpus/tools/annotation.py check FILE.json    # validate one annotation file
  python corpus/tools/annotation.py build PASS_DIR OUT # annotation files -> gold records

Annotators write one JSON file per document:
  {"id": "...", "sentences": [{"n": 0, "events": ["MEETING"],
     "entities": [{"text": "Scott Bessent", "label": "OFFICIAL"}]}, ...]}
Entity texts are copied from the sentence; a text that occurs several times in a sentence is
listed once per tagged occurrence, or with "occurrence": k (1-based) to pick one.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's pipeline package
from pipeline.labels import ENTITY_LABELS, EVENT_LABELS  # noqa: E402

WORK = Path("corpus/work")
# Record keys copied from a segmented source record into its gold record, in this order.
GOLD_KEYS = ("id", "date", "source", "title", "category", "url", "license", "passage_offset", "split", "synthetic")


def segment() -> None:
    sys.path.insert(0, ".")
    from pipeline.sentences import sentence_spans_for_text

    tasks = WORK / "tasks"
    tasks.mkdir(parents=True, exist_ok=True)
    out = []
    with open(WORK / "selected.jsonl", encoding="utf-8") as selected:
        for line in selected:
            record = json.loads(line)
            spans = sentence_spans_for_text(record["text"])
            record["sentences"] = [{"start": s, "end": e} for s, e in spans]
            out.append(record)
            lines = [f"# {record['id']} | {record['date']} | {record['title']}"]
            for n, (s, e) in enumerate(spans):
                lines.append(f"[{n}] " + " ".join(record["text"][s:e].split()))
            (tasks / f"{record['id']}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(WORK / "segmented.jsonl", "w", encoding="utf-8") as handle:
        for record in out:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(out)} documents, {sum(len(r['sentences']) for r in out)} sentences -> {tasks}")


def _pattern(entity_text: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in entity_text.split()]
    left = r"(?<![\w])" if re.match(r"\w", entity_text) else ""
    right = r"(?![\w])" if re.search(r"\w$", entity_text) else ""
    return re.compile(left + r"\s+".join(words) + right)


def resolve_entities(text: str, start: int, end: int, entities: list[dict]) -> tuple[list[dict], list[str]]:
    """Character spans for one sentence's entity list; longer texts are placed first so that
    "Trump administration" is taken before "Trump"."""
    spans: list[dict] = []
    problems: list[str] = []
    taken: list[tuple[int, int]] = []
    sentence = text[start:end]
    order = sorted(range(len(entities)), key=lambda i: -len(entities[i].get("text", "")))
    used_occurrence: dict[tuple[str, str], int] = {}
    for i in order:
        entity = entities[i]
        label, etext = entity.get("label"), entity.get("text", "")
        if label not in ENTITY_LABELS:
            problems.append(f"unknown entity label {label!r}")
            continue
        if not etext.strip():
            problems.append("empty entity text")
            continue
        matches = [m for m in _pattern(etext).finditer(sentence)]
        free = [m for m in matches if not any(m.start() + start < b and a < m.end() + start for a, b in taken)]
        if "occurrence" in entity:
            k = int(entity["occurrence"]) - 1
            chosen = matches[k] if 0 <= k < len(matches) else None
        else:
            key = (etext, label)
            k = used_occurrence.get(key, 0)
            used_occurrence[key] = k + 1
            chosen = free[0] if free else None
        if chosen is None:
            problems.append(f"{label} {etext!r} not found (or all occurrences taken) in: {sentence[:80]!r}")
            continue
        a, b = chosen.start() + start, chosen.end() + start
        if any(a < y and x < b for x, y in taken):
            problems.append(f"{label} {etext!r} overlaps another entity")
            continue
        taken.append((a, b))
        spans.append({"start": a, "end": b, "label": label})
    return sorted(spans, key=lambda s: s["start"]), problems


def load_segmented() -> dict[str, dict]:
    return {r["id"]: r for r in map(json.loads, open(WORK / "segmented.jsonl", encoding="utf-8"))}


def to_gold(record: dict, annotation: dict) -> tuple[dict, list[str]]:
    problems: list[str] = []
    by_n = {s.get("n"): s for s in annotation.get("sentences", [])}
    entities: list[dict] = []
    sentences: list[dict] = []
    for n, span in enumerate(record["sentences"]):
        item = by_n.get(n)
        if item is None:
            problems.append(f"sentence {n} missing")
            item = {}
        events = item.get("events", [])
        bad = [e for e in events if e not in EVENT_LABELS]
        if bad:
            problems.append(f"sentence {n}: unknown events {bad}")
        sentences.append({"start": span["start"], "end": span["end"],
                          "events": [e for e in EVENT_LABELS if e in events]})
        found, issues = resolve_entities(record["text"], span["start"], span["end"], item.get("entities", []))
        entities.extend(found)
        problems.extend(f"sentence {n}: {p}" for p in issues)
    extra = set(by_n) - set(range(len(record["sentences"])))
    if extra:
        problems.append(f"sentence numbers not in the document: {sorted(extra)}")
    gold = {k: record[k] for k in GOLD_KEYS if k in record}
    gold.update({"text": record["text"], "entities": entities, "sentences": sentences})
    return gold, problems


def check(path: str) -> int:
    annotation = json.loads(Path(path).read_text(encoding="utf-8"))
    records = load_segmented()
    if annotation.get("id") not in records:
        print(f"unknown document id {annotation.get('id')!r}")
        return 1
    gold, problems = to_gold(records[annotation["id"]], annotation)
    for problem in problems:
        print(problem)
    n_events = sum(len(s["events"]) for s in gold["sentences"])
    print(f"{'OK' if not problems else 'PROBLEMS'}: {len(gold['sentences'])} sentences, "
          f"{len(gold['entities'])} entities, {n_events} event labels")
    return 0 if not problems else 1


def build(pass_dir: str, out: str) -> int:
    records = load_segmented()
    failures = 0
    with open(out, "w", encoding="utf-8") as handle:
        for path in sorted(Path(pass_dir).glob("*.json")):
            annotation = json.loads(path.read_text(encoding="utf-8"))
            gold, problems = to_gold(records[annotation["id"]], annotation)
            if problems:
                failures += 1
                print(path.name, problems[:3])
            handle.write(json.dumps(gold, ensure_ascii=False) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit({"segment": segment, "check": check, "build": build}[command](*args) or 0)
