"""Seconds per component of the vanilla base pipeline and of tariffscope's full pipeline on the
same texts (every document of the dev and test splits), one component at a time over all
documents, best of N passes: which costs are tariffscope's own and which the base package's.

  python benchmarks/component_compare.py [--repeats 2] [--output benchmarks/results/component_compare.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from provenance import provenance

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def component_seconds(nlp: Any, texts: list[str], repeats: int) -> dict[str, float]:
    best: dict[str, float] = {}
    for _ in range(repeats):
        started = time.perf_counter()
        docs = [nlp.make_doc(text) for text in texts]
        best["tokenizer"] = min(best.get("tokenizer", float("inf")), time.perf_counter() - started)
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            docs = list(component.pipe(docs, batch_size=32)) if hasattr(component, "pipe") else [component(d) for d in docs]
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    return {name: round(seconds, 2) for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--model", default="models/tariffscope")
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])
    import spacy

    from pipeline.base import base_package_path
    from pipeline.loading import load_pipeline

    texts = [json.loads(line)["text"] for split in ("dev", "test")
             for line in (REPO / "corpus" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    vanilla = component_seconds(spacy.load(base_package_path()), texts, args.repeats)
    ours = component_seconds(load_pipeline(args.model), texts, args.repeats)
    names = list(dict.fromkeys([*vanilla, *ours]))
    print(f"{'component':30}{'vanilla s':>10}{'tariffscope s':>15}")
    for name in names:
        print(f"{name:30}{vanilla.get(name, 0.0):>10.2f}{ours.get(name, 0.0):>15.2f}")
    print(f"{'total':30}{sum(vanilla.values()):>10.2f}{sum(ours.values()):>15.2f}")
    if args.output:
        Path(args.output).write_text(json.dumps({"documents": len(texts), "vanilla": vanilla, "tariffscope": ours,
                                                 "provenance": run_provenance}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
