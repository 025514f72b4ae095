"""Inference settings of the event classifier, decided on dev (never on test): int8 dynamic
quantization (all Linear layers, feed-forward only, none), max tokens x sentence batch size, and
the runtime (torch or ONNX Runtime, fp32 or int8), each with dev micro-F1 and sentences/s.
Uses the shipped model (trained on train + silver; dev chose its epoch and threshold).

  python benchmarks/event_inference.py [--output benchmarks/results/event_inference.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from provenance import provenance

from pipeline.corpus import iter_sentences, read_split
from pipeline.events.model import EventModel, load_event_model
from pipeline.events.train import f1_table


def quantized(model: EventModel, mode: str) -> EventModel:
    if mode == "none":
        return model
    names = {name for name, module in model.network.named_modules() if isinstance(module, torch.nn.Linear)
             and (mode == "all" or "intermediate" in name or (name.endswith("output.dense") and "attention" not in name))}
    model.network = torch.ao.quantization.quantize_dynamic(model.network, names, dtype=torch.qint8)
    return model


def measure(model: EventModel, texts: list[str], gold: np.ndarray, batch_size: int) -> dict[str, float]:
    model.predict(texts[:32], batch_size=batch_size)
    started = time.perf_counter()
    probs = model.predict(texts, batch_size=batch_size)
    seconds = time.perf_counter() - started
    f1 = f1_table(gold, probs >= np.array(model.settings.thresholds), model.settings.labels)["micro"]
    return {"dev_micro_f1": round(f1, 4), "sentences_per_second": round(len(texts) / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="models/event-classifier")
    parser.add_argument("--output")
    args = parser.parse_args()
    run_provenance = provenance(["python", *sys.argv])  # before the run: the code that ran
    rows = list(iter_sentences(read_split("dev")))
    # the model's own inputs: headlines marked when it was trained so
    texts = [EventModel.load(args.model).input_text(r["text"], r["headline"]) for r in rows]
    gold = np.array([r["labels"] for r in rows], dtype=bool)
    results: dict = {"model": args.model, "sentences": len(texts), "torch_threads": torch.get_num_threads()}
    for mode in ("none", "ffn", "all"):
        results[f"quantize_{mode}_128x64"] = measure(quantized(EventModel.load(args.model), mode), texts, gold, 64)
    for max_length, batch_size in ((128, 64), (128, 16), (96, 64), (96, 16), (96, 8), (64, 16)):
        model = load_event_model(args.model, "torch", max_length=max_length)
        results[f"fp32_{max_length}x{batch_size}"] = measure(model, texts, gold, batch_size)
    # ONNX Runtime; int8: per-channel dynamic quantization of the graph, some layers kept in fp32
    for name, quantize, fp32_layers in (("fp32", False, ()), ("int8", True, ()), ("int8_fp32layer0", True, (0,)),
                                        ("int8_fp32layer5", True, (5,)), ("int8_fp32layers0and5", True, (0, 5))):
        model = load_event_model(args.model, "onnxruntime", quantize=quantize, fp32_layers=fp32_layers, max_length=96)
        for batch_size in (16, 8):
            results[f"onnxruntime_{name}_96x{batch_size}"] = measure(model, texts, gold, batch_size)
    for name, row in results.items():
        if isinstance(row, dict):
            print(f"{name:22} dev micro-F1 {row['dev_micro_f1']:.4f}  {row['sentences_per_second']:>7.1f} sentences/s")
    if args.output:
        results["provenance"] = run_provenance
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
