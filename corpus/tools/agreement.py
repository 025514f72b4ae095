"""Agreement between two independent annotation passes on the same documents.

  python corpus/tools/agreement.py corpus/work/passA corpus/work/passB [--json OUT]

Entity strict F1 and sentence-level event F1, treating pass A as reference (F1 is symmetric).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, ".")
sys.path.insert(0, "corpus/tools")
from annotation import load_segmented, to_gold  # noqa: E402

from pipeline.scoring import gold_as_prediction, score_entities, score_events  # noqa: E402


def main(dir_a: str, dir_b: str, out: str | None = None) -> dict:
    records = load_segmented()
    ids = sorted({p.stem for p in Path(dir_b).glob("*.json")} & {p.stem for p in Path(dir_a).glob("*.json")})
    gold_a, gold_b = [], []
    for doc_id in ids:
        for folder, target in ((dir_a, gold_a), (dir_b, gold_b)):
            annotation = json.loads((Path(folder) / f"{doc_id}.json").read_text(encoding="utf-8"))
            target.append(to_gold(records[doc_id], annotation)[0])
    entities = score_entities(gold_a, [gold_as_prediction(g) for g in gold_b]).report()
    events = score_events(gold_a, [gold_as_prediction(g) for g in gold_b]).report()
    result = {"documents": len(ids), "sentences": sum(len(g["sentences"]) for g in gold_a),
              "entities_strict": entities["strict"], "entities_lenient": entities["lenient"],
              "events_sentence": events["sentence"]}
    print(f"{len(ids)} documents, {result['sentences']} sentences")
    for name in ("entities_strict", "entities_lenient", "events_sentence"):
        print(name)
        for label, row in result[name].items():
            print(f"  {label:18} F1 {row['f1']:.3f}" + (f"  (A {row['support']}, B {row['predicted']})" if "support" in row else ""))
    if out:
        Path(out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    args = sys.argv[1:]
    out = None
    if "--json" in args:
        i = args.index("--json")
        out = args[i + 1]
        args = args[:i] + args[i + 2 :]
    main(*args, out=out)
