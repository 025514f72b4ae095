"""`tariffscope evaluate`: run a pipeline over gold documents and score it."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .defaults import MODEL_DIR
from .jsonl import dumps_line
from .labels import ENTITY_LABELS, EVENT_LABELS
from .scoring import score_entities, score_events

NAIVE_MAPPING = {"PERSON": "OFFICIAL", "ORG": "AGENCY", "PERCENT": "TARIFF_RATE", "PRODUCT": "COMMODITY"}


def read_gold(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def predict(gold_docs: list[dict[str, Any]], model: str | None,
            overrides: tuple[tuple[str, Any], ...] = ()) -> list[dict[str, Any]]:
    """Output records for the gold texts from ``model``: a pipeline folder (default:
    models/tariffscope), "baseline:naive" (the base pipeline with
    NAIVE_MAPPING), or "baseline:keywords" / "baseline:tfidf" / "baseline:textcat" (the entity
    pipeline with that sentence event classifier on its sentences)."""
    texts = [doc["text"] for doc in gold_docs]
    if model is not None and model.removeprefix("baseline:") in ("keywords", "tfidf", "textcat"):
        return _predict_with_baseline_events(gold_docs, model.removeprefix("baseline:"))
    if model == "baseline:naive":
        from .base import load_base_pipeline

        nlp = load_base_pipeline()
        predictions = []
        for doc, gold in zip(nlp.pipe(texts, batch_size=16), gold_docs):
            entities = [{"start": e.start_char, "end": e.end_char, "label": NAIVE_MAPPING[e.label_], "text": e.text}
                        for e in doc.ents if e.label_ in NAIVE_MAPPING]
            predictions.append({"id": gold["id"], "entities": entities, "events": []})
        return predictions
    from .extract import Failed, InputRecord, process_records
    from .loading import load_pipeline

    nlp = load_pipeline(model, overrides=overrides)
    records = [InputRecord(doc["id"], doc["text"], date=doc.get("date")) for doc in gold_docs]
    predictions = []
    for result in process_records(nlp, records, batch_size=16):
        if isinstance(result, Failed):
            raise RuntimeError(f"evaluation document failed: {result.id}: {result.error['reason']}")
        predictions.append(result.record)
    return predictions


def _predict_with_baseline_events(gold_docs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    import numpy as np

    from .defaults import ENTITY_MODEL_DIR
    from .events.baselines import BASELINES
    from .events.model import normalize_sentence
    from .loading import load_pipeline
    from .output import entities_of
    from .sentences import sentence_spans

    classifier = BASELINES[name]()
    nlp = load_pipeline(str(ENTITY_MODEL_DIR))
    predictions = []
    for doc, gold in zip(nlp.pipe([d["text"] for d in gold_docs], batch_size=16), gold_docs):
        spans = sentence_spans(doc)
        text = doc.text  # Doc.text joins every token on each access
        probs = classifier.predict([normalize_sentence(text[s:e]) for s, e in spans]) if spans else np.zeros((0, 10))
        events = [{"type": label, "confidence": float(p), "sentence": {"start": s, "end": e}}
                  for (s, e), row in zip(spans, probs)
                  for label, p, threshold in zip(classifier.labels, row, classifier.thresholds) if p >= threshold]
        predictions.append({"id": gold["id"], "entities": entities_of(doc), "events": events})
    return predictions


# Groupings `evaluate --by` knows: each names the function giving a gold document's group.
GROUPINGS = ("source",)


def source_of(doc: dict[str, Any]) -> str:
    """The collection a gold document comes from (corpus/README.md: whitehouse, wikipedia, crs,
    ustr, seed, synthetic); records without one fall back to their ``source`` field."""
    return str(doc.get("collection") or doc.get("source") or "unknown")


def grouped_scores(gold_docs: list[dict[str, Any]], predictions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Entity and event scores of each source's documents, from the same predictions."""
    groups: dict[str, list[int]] = {}
    for index, doc in enumerate(gold_docs):
        groups.setdefault(source_of(doc), []).append(index)
    out = {}
    for name in sorted(groups):
        gold = [gold_docs[i] for i in groups[name]]
        predicted = [predictions[i] for i in groups[name]]
        out[name] = {"documents": len(gold), "sentences": sum(len(d["sentences"]) for d in gold),
                     "entities": score_entities(gold, predicted).report(),
                     "events": score_events(gold, predicted).report()}
    return out


def evaluate(gold_path: str | Path, model: str | None = None, errors_path: str | Path | None = None,
             overrides: tuple[tuple[str, Any], ...] = (), by: str | None = None,
             predictions_path: str | Path | None = None) -> dict[str, Any]:
    """Scores of ``model`` on the gold documents; ``errors_path`` receives every mismatch and
    ``predictions_path`` the output records, whose paths the report then names (`tariffscope
    report` reads both to show the documents)."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"--by {by!r}: use one of {GROUPINGS}")
    gold_docs = read_gold(gold_path)
    started = time.perf_counter()
    predictions = predict(gold_docs, model, overrides)
    seconds = time.perf_counter() - started
    entity_score = score_entities(gold_docs, predictions)
    event_score = score_events(gold_docs, predictions)
    report = {
        "gold": str(gold_path),
        "model": model or str(MODEL_DIR),
        "overrides": {key: value for key, value in overrides},
        "documents": len(gold_docs),
        "sentences": sum(len(doc["sentences"]) for doc in gold_docs),
        "seconds": round(seconds, 2),
        "entities": entity_score.report(),
        "events": event_score.report(),
    }
    if by == "source":
        report["by_source"] = grouped_scores(gold_docs, predictions)
    if errors_path:
        with open(errors_path, "w", encoding="utf-8") as handle:
            for mismatch in entity_score.errors:
                handle.write(dumps_line({"scope": "entity", **asdict(mismatch)}))
            for mismatch in event_score.errors:
                handle.write(dumps_line({"scope": "event", **asdict(mismatch)}))
        report["errors"] = str(errors_path)
    if predictions_path:
        with open(predictions_path, "w", encoding="utf-8") as handle:
            handle.writelines(dumps_line(record) for record in predictions)
        report["predictions"] = str(predictions_path)
    return report


def format_report(report: dict[str, Any]) -> str:
    lines = [f"{report['model']} on {report['gold']}: {report['documents']} documents, "
             f"{report['sentences']} sentences, {report['seconds']} s"]
    header = f"{'':20}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"
    for mode in ("strict", "lenient"):
        lines += ["", f"Entities ({mode})", header]
        for label in (*ENTITY_LABELS, "micro"):
            row = report["entities"][mode][label]
            lines.append(f"{label:20}{row['precision']:8.3f}{row['recall']:8.3f}{row['f1']:8.3f}{row['support']:9d}")
    for level in ("sentence", "document"):
        lines += ["", f"Events ({level} level)", header]
        for label in (*EVENT_LABELS, "micro"):
            row = report["events"][level][label]
            lines.append(f"{label:20}{row['precision']:8.3f}{row['recall']:8.3f}{row['f1']:8.3f}{row['support']:9d}")
        lines.append(f"{'macro':20}{'':16}{report['events'][level]['macro']['f1']:8.3f}")
    if "by_source" in report:
        lines += ["", "By source", f"{'':14}{'documents':>10}{'sentences':>10}{'entity F1':>10}{'event F1':>10}{'macro':>8}"]
        for name, group in report["by_source"].items():
            events = group["events"]["sentence"]
            lines.append(f"{name:14}{group['documents']:10d}{group['sentences']:10d}"
                         f"{group['entities']['strict']['micro']['f1']:10.3f}{events['micro']['f1']:10.3f}{events['macro']['f1']:8.3f}")
    return "\n".join(lines)
