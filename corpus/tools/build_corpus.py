"""Adjudicated annotation files -> corpus/{train,dev,test}.jsonl (LABELS.md section 3).

  python corpus/tools/build_corpus.py corpus/work/final corpus corpus/work/passA2 corpus/work/passA3

Further folders after OUT_DIR hold documents annotated in one pass only (rounds 2 and 3): they go to
OUT_DIR/silver.jsonl (round 2, split "silver") and OUT_DIR/silver_round3.jsonl (round 3, split
"silver_round3"): training data only, not part of the gold splits.

The split of each document was fixed at selection time (select_documents.py) and is stored
in every record; this script only groups by it. Then:
- sentences re-read under amended LABELS.md rules take their new events
  (corpus/work/relabel/decisions/, see relabel.py);
- the Wikipedia news items (adjudicated, corpus/work/news/final/) join train, dev and test by
  their ISO-week split, and the CRS and USTR documents (single pass, corpus/work/news/reports/)
  join train (see news.py);
- synthetic train documents come from corpus/synthetic/*.jsonl (marked "synthetic": true).
Every record gets "collection": whitehouse, seed, wikipedia, crs, ustr or synthetic.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, "corpus/tools")
from annotation import load_segmented, to_gold  # noqa: E402
from news import gold_records as news_gold_records  # noqa: E402
from relabel import decisions as relabel_decisions  # noqa: E402

NEWS_FINAL = Path("corpus/work/news/final")
NEWS_REPORTS = Path("corpus/work/news/reports")
COLLECTION_PREFIXES = {"wh-": "whitehouse", "seed-": "seed", "wpce-": "wikipedia", "crs-": "crs", "ustr-": "ustr",
                       "synthetic-": "synthetic"}


def collection_of(doc_id: str) -> str:
    return next(name for prefix, name in COLLECTION_PREFIXES.items() if doc_id.startswith(prefix))


def apply_relabels(docs: list[dict], changes: dict[str, dict]) -> int:
    applied = 0
    for doc in docs:
        for n, sentence in enumerate(doc["sentences"]):
            change = changes.get(f"{doc['id']}#{n}")
            if change:
                assert sentence["events"] == change["before"], f"{doc['id']}#{n} changed since review"
                sentence["events"] = change["events"]
                applied += 1
    return applied


def main(final_dir: str, out_dir: str, *single_pass_dirs: str) -> None:
    records = load_segmented()
    splits: dict[str, list[dict]] = {"train": [], "dev": [], "test": [], "silver": [], "silver_round3": []}
    paths = sorted(Path(final_dir).glob("*.json"))
    for folder in single_pass_dirs:
        paths += sorted(Path(folder).glob("*.json"))
    for path in paths:
        annotation = json.loads(path.read_text(encoding="utf-8"))
        gold, problems = to_gold(records[annotation["id"]], annotation)
        if problems:
            raise SystemExit(f"{path}: {problems[:3]}")
        round_number = records[annotation["id"]].get("round", 1)
        if round_number >= 2:
            assert gold["split"] == "train", "later-round documents are train only"
            gold["split"] = "silver" if round_number == 2 else f"silver_round{round_number}"
            gold["annotation"] = f"single pass (round {round_number})"
        splits[gold["split"]].append(gold)
    missing = set(records) - {g["id"] for docs in splits.values() for g in docs}
    if missing:
        raise SystemExit(f"documents without adjudicated annotation: {sorted(missing)}")
    changes = relabel_decisions()
    applied = sum(apply_relabels(docs, changes) for docs in splits.values())
    assert applied == len(changes), f"{len(changes) - applied} relabel decisions match no sentence"
    print(f"relabelled under amended rules: {applied} sentences")
    adjudicated = news_gold_records(NEWS_FINAL)
    for gold in adjudicated.values():
        gold["annotation"] = "two passes, adjudicated"
        splits[gold["split"]].append(gold)
    # reports annotated in one pass; the two that also fell in a double-annotated task keep the
    # adjudicated version
    for gold in news_gold_records(NEWS_REPORTS).values():
        assert gold["split"] == "train", "reports are train only"
        if gold["id"] not in adjudicated:
            gold["annotation"] = "single pass"
            splits["train"].append(gold)
    for synthetic in sorted(Path(out_dir, "synthetic").glob("*.jsonl")):
        for line in synthetic.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert record["synthetic"] is True and record["split"] == "train"
            splits["train"].append(record)
    for split, docs in splits.items():
        for doc in docs:
            doc["collection"] = collection_of(doc["id"])
        with open(Path(out_dir) / f"{split}.jsonl", "w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
        print(f"{split}: {len(docs)} documents, {sum(len(d['sentences']) for d in docs)} sentences")


if __name__ == "__main__":
    main(*sys.argv[1:])
