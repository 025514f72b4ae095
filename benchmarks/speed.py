"""Throughput of the vanilla base pipeline, the entity pipeline and the full pipeline (entities +
events) on the same texts in one run, and the event classifier's sentences/s; single process,
best and median of N interleaved passes after a warm-up, model loading timed on its own.

  python benchmarks/speed.py [--texts corpus/*.jsonl] [--repeats 3] [--output benchmarks/results/speed.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import spacy
from provenance import provenance

REPO = Path(__file__).resolve().parent.parent


def load_texts(paths: list[str]) -> list[str]:
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def best_of(run: callable, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def pipelines_speed(pipelines: dict[str, spacy.language.Language], texts: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """Best of ``repeats`` passes of each pipeline, the passes interleaved (pass 1 of every
    pipeline, then pass 2, each round in a rotated order): this machine's speed drifts over
    minutes, and pipelines run one after another would each get a different share of it."""
    for nlp in pipelines.values():
        for _ in nlp.pipe(texts[:5], batch_size=32):
            pass  # warm-up (and lazy model loading)
    words = sum(len(t.split()) for t in texts)
    names = list(pipelines)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(repeats):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            for _ in pipelines[name].pipe(texts, batch_size=32):
                pass
            seconds[name].append(time.perf_counter() - started)
    return {name: {"words": words, "documents": len(texts), "seconds": round(min(runs), 2),
                   "words_per_second": round(words / min(runs), 1), "median_seconds": round(statistics.median(runs), 2),
                   "words_per_second_median": round(words / statistics.median(runs), 1),
                   "passes_seconds": [round(r, 2) for r in runs]}
            for name, runs in seconds.items()}


def classifier_speed(model_dir: Path, sentences: list[str], runtime: str, quantize: bool, repeats: int,
                     max_length: int = 96, batch_size: int = 16, fp32_layers: tuple[int, ...] = ()) -> dict[str, Any]:
    """The classifier alone (by default 96 tokens, batches of 16 sentences; the pipeline ships
    batches of 8, configs/tariffscope.cfg)."""
    from pipeline.events.model import load_event_model

    model = load_event_model(model_dir, runtime, quantize=quantize, fp32_layers=fp32_layers, max_length=max_length)
    model.predict(sentences[:64], batch_size=batch_size)
    seconds = best_of(lambda: model.predict(sentences, batch_size=batch_size), repeats)
    return {"sentences": len(sentences), "runtime": runtime, "int8": quantize, "fp32_layers": list(fp32_layers), "max_length": max_length,
            "batch_size": batch_size, "seconds": round(seconds, 2), "sentences_per_second": round(len(sentences) / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    default = [str(p) for p in sorted((REPO / "corpus").glob("*.jsonl"))]
    parser.add_argument("--texts", nargs="+", default=default)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    import torch

    from pipeline.base import base_package_path
    from pipeline.defaults import ENTITY_MODEL_DIR, EVENT_MODEL_DIR, MODEL_DIR
    from pipeline.events.model import normalize_sentence
    from pipeline.loading import load_pipeline
    from pipeline.sentences import sentence_spans

    texts = load_texts(args.texts)
    results: dict = {"texts": args.texts, "documents": len(texts), "machine": platform.machine(),
                     "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(), "spacy": spacy.__version__}
    loaders = {"vanilla_base": lambda: spacy.load(base_package_path()),  # as shipped: stock tokenizer, no custom components
               "tariffscope_entities": lambda: load_pipeline(str(ENTITY_MODEL_DIR))}
    if (EVENT_MODEL_DIR / "event_model.json").exists():
        loaders["tariffscope_full"] = lambda: load_pipeline(str(MODEL_DIR))
    rows, load_seconds = {}, {}
    for name, load in loaders.items():  # loading is timed on its own, not in the passes
        started = time.perf_counter()
        rows[name] = load()
        load_seconds[name] = round(time.perf_counter() - started, 2)
    results.update(pipelines_speed(rows, texts, args.repeats))
    vanilla = results["vanilla_base"]["words_per_second"]
    vanilla_median = results["vanilla_base"]["words_per_second_median"]
    for name in rows:
        results[name]["load_seconds"] = load_seconds[name]  # the classifier loads on first use: in its warm-up
        results[name]["ratio_to_vanilla"] = round(results[name]["words_per_second"] / vanilla, 3)
        results[name]["ratio_to_vanilla_median"] = round(results[name]["words_per_second_median"] / vanilla_median, 3)
    if "tariffscope_full" in rows:
        sentences = [normalize_sentence(doc.text[s:e]) for doc in rows["tariffscope_entities"].pipe(texts)
                     for s, e in sentence_spans(doc)]
        results["event_classifier_torch_fp32"] = classifier_speed(EVENT_MODEL_DIR, sentences, "torch", False, args.repeats)
        results["event_classifier_onnxruntime_fp32"] = classifier_speed(EVENT_MODEL_DIR, sentences, "onnxruntime", False, args.repeats)
        results["event_classifier_onnxruntime_int8"] = classifier_speed(EVENT_MODEL_DIR, sentences, "onnxruntime", True, args.repeats)
        # encoder layer 0 kept in fp32, for comparison
        results["event_classifier_onnxruntime_int8_layer0_fp32"] = classifier_speed(
            EVENT_MODEL_DIR, sentences, "onnxruntime", True, args.repeats, fp32_layers=(0,))
    print(f"{'pipeline':24}{'words':>10}{'best s':>8}{'x vanilla':>11}{'median s':>10}{'x vanilla':>11}{'load s':>8}")
    for name in rows:
        row = results[name]
        print(f"{name:24}{row['words']:>10}{row['seconds']:>8}{row['ratio_to_vanilla']:>11}{row['median_seconds']:>10}"
              f"{row['ratio_to_vanilla_median']:>11}{row['load_seconds']:>8}")
    for name in ("event_classifier_torch_fp32", "event_classifier_onnxruntime_fp32", "event_classifier_onnxruntime_int8",
                 "event_classifier_onnxruntime_int8_layer0_fp32"):
        if name in results:
            row = results[name]
            print(f"{name:24}{row['sentences']:>10} sentences {row['seconds']:>8} s {row['sentences_per_second']:>10,.0f} sentences/s")
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
