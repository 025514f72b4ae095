"""Adjudicated annotation files -> corpus/{train,dev,test}.jsonl (LABELS.md section 3).

  python corpus/tools/build_corpus.py corpus/work/final corpus corpus/work/passA2 corpus/work/passA3

Further folders after OUT_DIR hold documents annotated in one pass only (rounds 2 and 3): they go to
OUT_DIR/silver.jsonl (round 2, split "silver") and OUT_DIR/silver_round3.jsonl (round 3, split
"silver_round3"): training data only, not part of the gold splits.

The split of each document was fixed at selection time (select_documents.py) and is stored
in every record; this script only groups by it. Synthetic train sentences, when present,
come from corpus/synthetic/*.jsonl (marked "synthetic": true).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, "corpus/tools")
from annotation import load_segmented, to_gold  # noqa: E402


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
    for synthetic in sorted(Path(out_dir, "synthetic").glob("*.jsonl")):
        for line in synthetic.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            assert record["synthetic"] is True and record["split"] == "train"
            splits["train"].append(record)
    for split, docs in splits.items():
        with open(Path(out_dir) / f"{split}.jsonl", "w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
        print(f"{split}: {len(docs)} documents, {sum(len(d['sentences']) for d in docs)} sentences")


if __name__ == "__main__":
    main(*sys.argv[1:])
