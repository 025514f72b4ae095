"""Words/s of the vanilla base pipeline and the tariffscope entity pipeline on the same
texts, in one run (single process, batch 32, after a warm-up pass).

  python benchmarks/speed.py [--texts corpus/train.jsonl ...] [--output benchmarks/results/speed.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import spacy

REPO = Path(__file__).resolve().parent.parent


def load_texts(paths: list[str]) -> list[str]:
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def words_per_second(nlp: spacy.language.Language, texts: list[str], repeats: int) -> dict[str, float]:
    for _ in nlp.pipe(texts[:5], batch_size=32):
        pass  # warm-up
    words = sum(len(t.split()) for t in texts)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        best = min(best, time.perf_counter() - started)
    return {"words": words, "seconds": round(best, 2), "words_per_second": round(words / best, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    default = [str(p) for p in sorted((REPO / "corpus").glob("*.jsonl"))] or [str(REPO / "corpus/samples/whitehouse_sample.jsonl")]
    parser.add_argument("--texts", nargs="+", default=default)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output")
    args = parser.parse_args()
    from pipeline.api import load_pipeline
    from pipeline.base import base_package_path

    texts = load_texts(args.texts)
    vanilla = spacy.load(base_package_path())  # exactly as shipped: stock tokenizer, no custom components
    results = {
        "texts": args.texts, "documents": len(texts), "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(), "spacy": spacy.__version__,
        "vanilla_base": words_per_second(vanilla, texts, args.repeats),
        "tariffscope_entities": words_per_second(load_pipeline(), texts, args.repeats),
    }
    results["ratio"] = round(results["tariffscope_entities"]["words_per_second"] / results["vanilla_base"]["words_per_second"], 3)
    print(f"{'pipeline':24}{'words':>10}{'seconds':>10}{'words/s':>10}")
    for name in ("vanilla_base", "tariffscope_entities"):
        row = results[name]
        print(f"{name:24}{row['words']:>10}{row['seconds']:>10}{row['words_per_second']:>10,.0f}")
    print(f"ratio {results['ratio']}")
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
