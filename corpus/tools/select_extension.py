"""Further selection rounds (2, 3, ...): the next trade-densest White House documents, all for
train (single-pass silver data).

The first round (select_documents.py) fixed train/dev/test once; dev and test stay exactly as
they are. This round adds documents to train only, so the test split is untouched. It appends to
corpus/work/selected.jsonl and segmented.jsonl and writes annotation tasks for the new
documents only (the first round's sentence boundaries are never recomputed).

Run: python corpus/tools/select_extension.py ../shared/data/whitehouse/whitehouse_trade.jsonl 70 2
(round 2: 70 documents; round 3 took the next 60: ... 60 3)
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, "corpus/tools")
sys.path.insert(0, ".")
import select_documents  # noqa: E402

MAX_WORDS = 600  # shorter passages than round 1: more documents for the same annotation effort
MAX_OVERLAP = 0.2  # share of a passage's 8-word shingles already in a corpus passage


def shingles(text: str, n: int = 8) -> set[int]:
    words = re.findall(r"\w+", text.lower())
    return {hash(tuple(words[i:i + n])) for i in range(max(0, len(words) - n + 1))}
WORK = Path("corpus/work")


def main(source: str, n_documents: str = "70", round_number: str = "2") -> None:
    from pipeline.sentences import sentence_spans_for_text

    with open(WORK / "selected.jsonl", encoding="utf-8") as handle:
        selected = [json.loads(line) for line in handle]
    taken = {record["id"] for record in selected}
    scored = []
    with open(source, encoding="utf-8") as handle:
        for doc in map(json.loads, handle):
            if doc["id"] in taken:
                continue
            start, end, hits, words = select_documents.best_window(doc["text"], MAX_WORDS)
            if words < select_documents.MIN_WORDS:
                continue
            scored.append((hits / words * min(words, 400), doc, start, end))
    scored.sort(key=lambda row: -row[0])
    # Near-duplicates (the source repeats documents under other ids, and orders share long
    # boilerplate) must not enter train: against dev/test text they would leak test text.
    seen_shingles = set().union(*(shingles(record["text"]) for record in selected))
    new_records = []
    for _, doc, start, end in scored:
        if len(new_records) == int(n_documents):
            break
        if doc["id"] in taken:
            continue
        if len(doc["text"][start:end].split()) > MAX_WORDS:
            continue  # one paragraph longer than a passage (tables, lists run together)
        passage_shingles = shingles(doc["text"][start:end])
        if len(passage_shingles & seen_shingles) > MAX_OVERLAP * len(passage_shingles):
            continue
        seen_shingles |= passage_shingles
        taken.add(doc["id"])
        record = {
            "id": doc["id"], "date": doc["date"], "source": "whitehouse.gov", "title": doc["title"],
            "category": doc["category"], "url": doc["url"], "passage_offset": start,
            "text": doc["text"][start:end], "split": "train", "synthetic": False, "round": int(round_number),
        }
        new_records.append(record)
    tasks = WORK / "tasks"
    with open(WORK / "selected.jsonl", "a", encoding="utf-8") as sel, \
            open(WORK / "segmented.jsonl", "a", encoding="utf-8") as seg:
        for record in new_records:
            sel.write(json.dumps(record, ensure_ascii=False) + "\n")
            spans = sentence_spans_for_text(record["text"])
            segmented = dict(record, sentences=[{"start": s, "end": e} for s, e in spans])
            seg.write(json.dumps(segmented, ensure_ascii=False) + "\n")
            lines = [f"# {record['id']} | {record['date']} | {record['title']}"]
            lines += [f"[{n}] " + " ".join(record["text"][s:e].split()) for n, (s, e) in enumerate(spans)]
            (tasks / f"{record['id']}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_sentences = sum(len(sentence_spans_for_text(r["text"])) for r in new_records)
    print(f"added {len(new_records)} train documents, {n_sentences} sentences")


if __name__ == "__main__":
    main(*sys.argv[1:])
