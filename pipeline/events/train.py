"""Fine-tune the event classifier on the corpus train split, pick the epoch and the decision
thresholds on dev. Seeded: a rerun on the same machine reproduces the figures."""
from __future__ import annotations

import copy
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from confection import Config

from ..corpus import iter_sentences, read_split, training_documents
from ..labels import EVENT_LABELS
from ..scoring import f1_of_counts
from .model import SETTINGS_FILE, EventModel, input_lengths, model_text, normalize_sentence, probabilities


def f1_table(gold: np.ndarray, predicted: np.ndarray, labels: list[str]) -> dict[str, float]:
    table: dict[str, float] = {}
    for index, label in enumerate(labels):
        column_gold, column_predicted = gold[:, index], predicted[:, index]
        table[label] = f1_of_counts(int((column_gold & column_predicted).sum()), int(column_predicted.sum()),
                                    int(column_gold.sum()))
    table["micro"] = f1_of_counts(int((gold & predicted).sum()), int(predicted.sum()), int(gold.sum()))
    return table


THRESHOLD_GRID = [round(float(x), 2) for x in np.arange(0.1, 0.91, 0.05)]
# "global": one threshold for every label, the grid value with the best dev micro-F1;
# "per_label": each label's own best dev F1 (labels with too few dev positives keep 0.5).
# On dev documents held out from the tuning, per-label thresholds scored below a fixed 0.5
# (benchmarks/thresholds.py): with 0-160 positives a label, they fit dev's own documents.
THRESHOLD_RULES = ("global", "per_label")
DEFAULT_THRESHOLD_RULE = "per_label"  # for configs without a threshold_rule


def threshold_rule_of(settings: dict[str, Any]) -> str:
    return settings.get("threshold_rule", DEFAULT_THRESHOLD_RULE)


def tune_thresholds(gold: np.ndarray, probs: np.ndarray, min_positives: int, grid: list[float]) -> list[float]:
    """Per-label threshold maximizing that label's dev F1; 0.5 where dev has too few positives
    to tune on."""
    return [best_threshold(gold[:, [index]], probs[:, [index]], grid) if gold[:, index].sum() >= min_positives else 0.5
            for index in range(gold.shape[1])]


def best_threshold(gold: np.ndarray, probs: np.ndarray, grid: list[float]) -> float:
    """The grid threshold (first of equals) with the best F1 over all of ``gold``'s cells: one
    label's column, or every label (micro-F1, the "global" rule)."""
    best, best_f1 = 0.5, -1.0
    for threshold in grid:
        predicted = probs >= threshold
        f1 = f1_of_counts(int((gold & predicted).sum()), int(predicted.sum()), int(gold.sum()))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = threshold, f1
    return round(best, 3)


def choose_thresholds(gold: np.ndarray, probs: np.ndarray, rule: str, min_positives: int = 5,
                      grid: list[float] = THRESHOLD_GRID) -> list[float]:
    """Decision thresholds from dev gold and probabilities by ``rule`` (THRESHOLD_RULES)."""
    if rule == "global":
        return [best_threshold(gold, probs, grid)] * gold.shape[1]
    if rule == "per_label":
        return tune_thresholds(gold, probs, min_positives, grid)
    raise ValueError(f"unknown threshold rule {rule!r}: use one of {THRESHOLD_RULES}")


def sentence_arrays(rows: list[dict[str, Any]], with_context: bool,
                    mark_headlines: bool = False) -> tuple[list[str], list[str] | None, np.ndarray]:
    """Model inputs of gold sentence rows: texts (headlines marked when the model reads them
    so), previous sentences (when the model reads them) and the 0/1 label matrix."""
    texts = [model_text(r["text"], r["headline"], mark_headlines) for r in rows]
    contexts = [normalize_sentence(r["previous"]) for r in rows] if with_context else None
    return texts, contexts, np.array([r["labels"] for r in rows], dtype=bool)


def repeat_collections(rows: list[dict[str, Any]], repeats: dict[str, int]) -> list[dict[str, Any]]:
    """Training rows with each row of a collection in ``repeats`` taken that many times (an
    epoch sees them that often): a scarce register weighs more without changing the others."""
    for name, times in repeats.items():
        if times < 1 or int(times) != times:
            raise ValueError(f"repeat_collections.{name} must be a whole number >= 1, not {times!r}")
    return [row for row in rows for _ in range(int(repeats.get(row["collection"], 1)))]


def selection_mask(rows: list[dict[str, Any]], collections: list[str]) -> np.ndarray:
    """Dev rows that choose the epoch, the temperature and the thresholds: those of
    ``collections`` (all rows when empty)."""
    mask = np.array([not collections or r["collection"] in collections for r in rows], dtype=bool)
    if not mask.any():
        raise ValueError(f"dev has no sentences of the selection collections {collections}")
    return mask


def collection_f1(rows: list[dict[str, Any]], gold: np.ndarray, predicted: np.ndarray, labels: list[str]) -> dict[str, float]:
    """Micro-F1 of each collection's dev sentences."""
    names = sorted({str(r["collection"]) for r in rows})
    out = {}
    for name in names:
        mask = np.array([str(r["collection"]) == name for r in rows], dtype=bool)
        out[name] = round(f1_table(gold[mask], predicted[mask], labels)["micro"], 4)
    return out


def _binned_gap(correct: np.ndarray, confidence: np.ndarray, bins: int) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins on [0.5, 1], weighted by
    their cells."""
    if not len(confidence):
        return 0.0
    edges = np.linspace(0.5, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        in_bin = index == b
        if in_bin.any():
            total += in_bin.sum() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return round(float(total / len(confidence)), 4)


def expected_calibration_error(gold: np.ndarray, probs: np.ndarray, bins: int = 10) -> float:
    """ECE over every (sentence, label) cell. Confidence is max(p, 1 - p), the probability of
    the decision taken at 0.5."""
    p = probs.ravel()
    correct = ((p >= 0.5) == gold.ravel().astype(bool)).astype(float)
    return _binned_gap(correct, np.maximum(p, 1 - p), bins)


def positive_ece(gold: np.ndarray, probs: np.ndarray, bins: int = 10) -> float:
    """ECE of the cells the model calls positive (p >= 0.5): how far an emitted event's
    confidence is from the share of such events that are right (what output users read)."""
    p = probs.ravel()
    emitted = p >= 0.5
    return _binned_gap(gold.ravel().astype(bool)[emitted].astype(float), p[emitted], bins)


TEMPERATURE_GRID = [round(float(t), 2) for t in np.arange(0.5, 4.01, 0.05)]


def fit_temperature(gold: np.ndarray, logits: np.ndarray, grid: list[float] = TEMPERATURE_GRID) -> float:
    """The temperature (logits / T) with the lowest binary cross-entropy on dev."""
    best, best_loss = 1.0, float("inf")
    y = gold.astype(float)
    for temperature in grid:
        z = logits / temperature
        loss = float(np.mean(np.logaddexp(0, z) - y * z))
        if loss < best_loss - 1e-12:
            best, best_loss = temperature, loss
    return best


def epoch_batches(lengths: list[int], batch_size: int, pool_batches: int, rng: np.random.RandomState) -> list[np.ndarray]:
    """One epoch's batches of train positions. With ``pool_batches`` > 0, a shuffled order is cut
    into pools of that many batches, each pool is sorted by length and cut into batches, and the
    batches are shuffled: each batch pads to similar lengths (dynamic padding wastes less), while
    every epoch still sees different batches. 0: plain shuffled batches."""
    order = rng.permutation(len(lengths))
    if pool_batches > 0:
        pool = batch_size * pool_batches
        order = np.concatenate([sorted(order[begin : begin + pool], key=lambda i: lengths[i])
                                for begin in range(0, len(order), pool)]).astype(int)
    batches = [order[begin : begin + batch_size] for begin in range(0, len(order), batch_size)]
    if pool_batches > 0:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def teacher_targets(teacher_folder: str | Path, texts: list[str], contexts: list[str] | None, context: str,
                    headline_inputs: bool, labels: list[str], log: Any) -> np.ndarray:
    """The teacher's probabilities (raw logits, no calibration temperature) for the training
    inputs; the teacher must read the same inputs as the student."""
    teacher = EventModel.load(teacher_folder)
    if teacher.settings.labels != labels:
        raise ValueError(f"teacher {teacher_folder} has labels {teacher.settings.labels}, not {labels}")
    if teacher.uses_context != (context == "previous") or teacher.marks_headlines != headline_inputs:
        raise ValueError(f"teacher {teacher_folder} reads other inputs (context, headline marks) than this config")
    started = time.perf_counter()
    logits = teacher.logits(texts, contexts, batch_size=64)
    log(f"teacher {teacher_folder}: {len(texts)} training inputs scored in {time.perf_counter() - started:.0f} s")
    return probabilities(logits)


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)


def train(config_path: str | Path, output: str | Path | None = None, log: Any = None) -> dict[str, Any]:
    import torch
    from transformers import get_linear_schedule_with_warmup

    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    config = Config().from_disk(config_path)
    settings = config["training"]
    output = Path(output or config["paths"]["output"])
    distill_weight = float(settings.get("distill_weight", 0.0))
    if distill_weight > 0 and not (Path(settings["distill_from"]) / SETTINGS_FILE).is_file():
        # a student's config names its teacher's folder; say so before reading the corpus
        raise FileNotFoundError(f"distill_from {settings['distill_from']} holds no trained event model: train the "
                                "teacher first (make train trains configs/event_classifier_teacher.cfg, then the student)")
    seed_everything(settings["seed"])
    torch.set_num_threads(settings["threads"])
    labels = list(EVENT_LABELS)

    # "train_splits" lets a final model also learn from dev once epochs and thresholds are fixed
    # by a dev-selected run ("thresholds_from"); the test split is never a choice here.
    train_splits = list(settings.get("train_splits", ["train"]))
    if "test" in train_splits:
        raise ValueError("the test split is never used for training")
    # a refit: dev is training data, so the last epoch is kept and the thresholds come from the
    # dev-selected run; dev figures are in-sample
    refit = "dev" in train_splits
    train_rows = repeat_collections(list(iter_sentences(training_documents(train_splits, config["paths"]["corpus"]))),
                                    dict(settings.get("repeat_collections", {})))
    dev_rows = list(iter_sentences(read_split("dev", config["paths"]["corpus"])))
    context = settings.get("context", "none")
    headline_inputs = bool(settings.get("headline_inputs", False))
    selection = list(settings.get("selection_collections", []))
    train_texts, train_contexts, train_gold = sentence_arrays(train_rows, context == "previous", headline_inputs)
    dev_texts, dev_contexts, dev_gold = sentence_arrays(dev_rows, context == "previous", headline_inputs)
    selected = selection_mask(dev_rows, selection)

    encoder_layers = list(settings.get("encoder_layers") or []) or None  # None: all pretrained layers
    model = EventModel.from_pretrained_encoder(labels, settings["max_length"], settings["dropout"], context, encoder_layers)
    model.settings.extra["headline_inputs"] = headline_inputs
    if encoder_layers:
        model.settings.extra["encoder_layers"] = encoder_layers
    teacher_probs = None
    if distill_weight > 0:
        teacher_probs = teacher_targets(settings["distill_from"], train_texts, train_contexts, context, headline_inputs, labels, log)
        model.settings.extra["distilled_from"] = str(settings["distill_from"])
    positives = train_gold.sum(0)
    # class imbalance: weight positives by sqrt(negatives / positives), capped
    pos_weight = np.clip(np.sqrt((len(train_gold) - positives) / np.maximum(positives, 1)), 1.0, settings["pos_weight_cap"])
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float32))
    soft_loss_fn = torch.nn.BCEWithLogitsLoss()  # against the teacher's probabilities
    optimizer = torch.optim.AdamW(model.network.parameters(), lr=settings["learning_rate"], weight_decay=settings["weight_decay"])
    steps_per_epoch = (len(train_texts) + settings["batch_size"] - 1) // settings["batch_size"]
    total = steps_per_epoch * settings["epochs"]
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total * settings["warmup_ratio"]), total)
    log(f"train {len(train_texts)} sentences ({int(sum(r['synthetic'] for r in train_rows))} synthetic), dev {len(dev_texts)}; "
        f"{settings['epochs']} epochs of {steps_per_epoch} steps; pos_weight {np.round(pos_weight, 2).tolist()}")

    history: list[dict[str, Any]] = []
    best_state, best_f1, best_epoch = None, -1.0, 0
    started = time.perf_counter()
    rng = np.random.RandomState(settings["seed"])
    # configs without length_pool_batches train on plain shuffled batches
    pool_batches = int(settings.get("length_pool_batches", 0))
    lengths = input_lengths(train_texts, train_contexts)
    for epoch in range(1, settings["epochs"] + 1):
        model.network.train()
        epoch_loss = 0.0
        for step, index in enumerate(epoch_batches(lengths, settings["batch_size"], pool_batches, rng)):
            batch = model.encode([train_texts[i] for i in index],
                                 [train_contexts[i] for i in index] if train_contexts else None)
            logits = model.network(batch["input_ids"], batch["attention_mask"])
            loss = loss_fn(logits, torch.tensor(train_gold[index], dtype=torch.float32))
            if teacher_probs is not None:
                # a student learns the gold labels and the teacher's confidences together
                soft = soft_loss_fn(logits, torch.tensor(teacher_probs[index], dtype=torch.float32))
                loss = (1.0 - distill_weight) * loss + distill_weight * soft
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.network.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            epoch_loss += float(loss.detach())
            if (step + 1) % 25 == 0 or step + 1 == steps_per_epoch:
                log(f"  epoch {epoch} step {step + 1}/{steps_per_epoch} loss {epoch_loss / (step + 1):.4f} "
                    f"({time.perf_counter() - started:.0f} s)")
        probs = model.predict(dev_texts, dev_contexts, batch_size=64)
        dev_f1 = f1_table(dev_gold[selected], probs[selected] >= 0.5, labels)
        by_collection = collection_f1(dev_rows, dev_gold, probs >= 0.5, labels)
        history.append({"epoch": epoch, "loss": round(epoch_loss / steps_per_epoch, 4),
                        "dev_f1": {k: round(v, 4) for k, v in dev_f1.items()},
                        "dev_micro_f1_by_collection": by_collection,
                        "seconds": round(time.perf_counter() - started, 1)})
        in_sample = " (in-sample: dev is training data here)" if refit else ""
        log(f"epoch {epoch}: loss {epoch_loss / steps_per_epoch:.4f}, selection dev micro-F1 {dev_f1['micro']:.4f}{in_sample} "
            f"{by_collection} (" + ", ".join(f"{k} {v:.2f}" for k, v in dev_f1.items() if k != "micro") + ")")
        if not refit and dev_f1["micro"] > best_f1:  # a refit keeps its last epoch: no copies
            best_f1, best_epoch = dev_f1["micro"], epoch
            best_state = copy.deepcopy(model.network.state_dict())
    threshold_rule = threshold_rule_of(settings)
    tuned: dict[str, float] | None = None
    if refit:
        best_epoch = settings["epochs"]
        best_f1 = history[-1]["dev_f1"]["micro"]  # the kept epoch's (in-sample) figure
        thresholds_file = Path(settings["thresholds_from"])
        model.settings.thresholds = json.loads(thresholds_file.read_text(encoding="utf-8"))["thresholds"]
        log(f"dev is in training: last epoch kept, thresholds from {thresholds_file}")
        probs = model.predict(dev_texts, dev_contexts, batch_size=64)
        tuned = f1_table(dev_gold, probs >= np.array(model.settings.thresholds), labels)
    else:
        assert best_state is not None
        model.network.load_state_dict(best_state)
        model.settings.thresholds = [0.5] * len(labels)  # tuned below, on the weights as saved
    model.settings.extra["best_epoch"] = best_epoch
    if tuned:
        model.settings.extra["dev_micro_f1_tuned"] = round(tuned["micro"], 4)
    report = {"config": str(config_path), "seed": settings["seed"], "best_epoch": best_epoch,
              "dev_micro_f1_at_0.5": round(best_f1, 4),
              "dev_f1_tuned": {k: round(v, 4) for k, v in tuned.items()} if tuned else None,
              "thresholds": dict(zip(labels, model.settings.thresholds)), "history": history,
              "train_sentences": len(train_texts), "seconds": round(time.perf_counter() - started, 1),
              "torch_threads": settings["threads"], "context": context, "train_splits": train_splits,
              "length_pool_batches": pool_batches, "headline_inputs": headline_inputs,
              "repeat_collections": dict(settings.get("repeat_collections", {})),
              "selection_collections": selection, "threshold_rule": threshold_rule,
              "encoder_layers": encoder_layers,
              "distill_from": str(settings["distill_from"]) if teacher_probs is not None else None,
              "distill_weight": distill_weight}
    model.save(output)
    (output / "training_report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if refit:
        # the run that chose the thresholds (and the recipe) travels with the model that uses them
        selected_report = Path(settings["thresholds_from"]).parent / "training_report.json"
        if selected_report.exists():
            (output / "dev_selected_training_report.json").write_text(selected_report.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        # The saved weights are fp16, and they are what every later load runs: the thresholds
        # are tuned on them, not on the fp32 weights in memory.
        report = retune_thresholds(output, config_path, log)
    kept = "last epoch (in-sample dev figures)" if refit else "best epoch"
    log(f"{kept} {best_epoch}: dev micro-F1 {best_f1:.4f} at 0.5, {report['dev_f1_tuned']['micro']:.4f} with "
        f"the thresholds; saved to {output} ({report['seconds']:.0f} s)")
    return report


# The event classifier's settings in a pipeline config that the thresholds are tuned under.
INFERENCE_KEYS = ("runtime", "quantize", "fp32_layers", "max_length", "sentence_batch_size", "num_threads")


def inference_settings(settings: dict[str, Any]) -> dict[str, Any] | None:
    """The inference settings of the pipeline config named by ``tune_on_pipeline`` (its
    ``[components.event_classifier]``), or None to tune on the torch weights. int8 outputs move
    with the weights' quantization: thresholds tuned on them fit what the pipeline runs."""
    source = settings.get("tune_on_pipeline")
    if not source:
        return None
    component = dict(Config().from_disk(source, interpolate=False)["components"]["event_classifier"])
    return {key: component[key] for key in INFERENCE_KEYS}


def pipeline_logits(folder: Path, rows: list[dict[str, Any]], texts: list[str], contexts: list[str] | None,
                    inference: dict[str, Any]) -> np.ndarray:
    """Logits as the pipeline computes them: on its runtime, each document's sentences batched on
    their own (int8 activations are scaled per batch)."""
    from .model import load_event_model

    model = load_event_model(folder, inference["runtime"], threads=int(inference["num_threads"]),
                             quantize=bool(inference["quantize"]), fp32_layers=tuple(inference["fp32_layers"]),
                             max_length=int(inference["max_length"]))
    documents: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        documents.setdefault(row["doc_id"], []).append(index)
    out = np.zeros((len(texts), len(model.settings.labels)), dtype=np.float32)
    for index in documents.values():
        out[index] = model.logits([texts[i] for i in index], [contexts[i] for i in index] if contexts else None,
                                  batch_size=int(inference["sentence_batch_size"]))
    return out


def retune_thresholds(model_folder: str | Path, config_path: str | Path, log: Any = None) -> dict[str, Any]:
    """Set the thresholds of a trained model by the config's ``threshold_rule`` on dev, as
    training would have, without training again: only the model's settings file and its
    training report change (the weights are not rewritten)."""
    log = log or (lambda message: print(message, file=sys.stderr, flush=True))
    config = Config().from_disk(config_path)
    settings = config["training"]
    folder = Path(model_folder)
    report_path = folder / "training_report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    if "dev" in report.get("train_splits", []):
        raise ValueError(f"{folder} was trained on dev: its thresholds cannot be tuned on dev")
    seed_everything(settings["seed"])
    model = EventModel.load(folder)
    rows = list(iter_sentences(read_split("dev", config["paths"]["corpus"])))
    texts, contexts, all_gold = sentence_arrays(rows, model.uses_context, model.marks_headlines)
    selected = selection_mask(rows, list(settings.get("selection_collections", [])))
    inference = inference_settings(settings)
    # raw: the temperature is refitted below
    logits = (model.logits(texts, contexts, batch_size=64) if inference is None
              else pipeline_logits(folder, rows, texts, contexts, inference))
    gold = all_gold[selected]
    calibration: dict[str, Any] = {}
    temperature = 1.0
    if settings.get("calibrate", False):
        # One temperature for all labels (monotone: it moves the thresholds, not the ranking),
        # fitted on the candidate cells (raw probability >= calibration_floor): the mass of
        # easy negatives would otherwise set it, and the confidences users read are those of
        # emitted events.
        raw = probabilities(logits[selected])
        floor = float(settings.get("calibration_floor", 0.0))
        candidates = raw >= floor
        temperature = fit_temperature(gold[candidates], logits[selected][candidates])
        calibrated = probabilities(logits[selected], temperature)
        calibration = {"temperature": temperature, "fitted_on": f"selection dev cells with raw probability >= {floor}",
                       "ece_before": expected_calibration_error(gold, raw), "ece_after": expected_calibration_error(gold, calibrated),
                       "positive_ece_before": positive_ece(gold, raw), "positive_ece_after": positive_ece(gold, calibrated)}
    all_probs = probabilities(logits, temperature)
    probs = all_probs[selected]
    rule = threshold_rule_of(settings)
    previous = list(model.settings.thresholds)
    thresholds = choose_thresholds(gold, probs, rule, settings["min_dev_positives"])
    tuned = f1_table(gold, probs >= np.array(thresholds), model.settings.labels)
    settings_path = folder / SETTINGS_FILE
    saved = json.loads(settings_path.read_text(encoding="utf-8"))
    saved.update({"thresholds": thresholds, "dev_micro_f1_tuned": round(tuned["micro"], 4), "temperature": temperature})
    settings_path.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    report.update({"threshold_rule": rule, "thresholds": dict(zip(model.settings.labels, thresholds)),
                   "dev_f1_tuned": {k: round(v, 4) for k, v in tuned.items()},
                   "dev_micro_f1_tuned_by_collection": collection_f1(rows, all_gold, all_probs >= np.array(thresholds),
                                                                     model.settings.labels),
                   "calibration": calibration or None,
                   "tuned_on": ("torch, batches of 64" if inference is None
                                else {k: v for k, v in inference.items() if k != "num_threads"})})
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    log(f"{folder}: thresholds by rule {rule!r}: {previous} -> {thresholds}; dev micro-F1 {tuned['micro']:.4f}")
    return report
