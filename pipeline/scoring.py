"""Scores for entities and events against gold records (LABELS.md sections 3 and 4).

Pure functions over plain dicts: the evaluator, the agreement measurement and the tests all
use these.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .labels import ENTITY_LABELS, EVENT_LABELS

__all__ = ["ENTITY_LABELS", "EVENT_LABELS", "f1_of_counts", "precision_recall_f1", "score_entities", "score_events"]


def precision_recall_f1(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> tuple[float, float, float]:
    """The one definition of precision, recall and F1 in tariffscope: ``tp_pred`` of ``n_pred``
    predictions are correct, ``tp_gold`` of ``n_gold`` gold items are found (the two differ
    under lenient matching); 0.0 where a denominator is 0."""
    precision = tp_pred / n_pred if n_pred else 0.0
    recall = tp_gold / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def f1_of_counts(tp: int, n_pred: int, n_gold: int) -> float:
    """F1 where a true positive counts once on both sides (exact matching, label cells)."""
    return precision_recall_f1(tp, n_pred, tp, n_gold)[2]


@dataclass
class Counts:
    tp_pred: int = 0  # predictions that count as correct
    tp_gold: int = 0  # gold items found
    n_pred: int = 0
    n_gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp_pred += other.tp_pred
        self.tp_gold += other.tp_gold
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold

    def as_dict(self) -> dict[str, float | int]:
        precision, recall, f1 = precision_recall_f1(self.tp_pred, self.n_pred, self.tp_gold, self.n_gold)
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                "support": self.n_gold, "predicted": self.n_pred}


@dataclass
class Mismatch:
    doc_id: str
    kind: str  # "false_positive" | "false_negative"
    label: str
    start: int
    end: int
    text: str
    context: str


@dataclass
class EntityScore:
    strict: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    lenient: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[Mismatch] = field(default_factory=list)

    def report(self, labels: Sequence[str] = ENTITY_LABELS) -> dict[str, dict]:
        return {"strict": _label_table(self.strict, labels), "lenient": _label_table(self.lenient, labels)}


def _label_table(table: dict[str, Counts], labels: Sequence[str]) -> dict[str, dict]:
    """Per-label rows plus the micro row summing their counts."""
    micro = Counts()
    rows: dict[str, dict] = {}
    for label in labels:
        rows[label] = table[label].as_dict()
        micro.add(table[label])
    rows["micro"] = micro.as_dict()
    return rows


def _context(text: str, start: int, end: int, width: int = 60) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    return " ".join(f"{left}[[{text[start:end]}]]{right}".split())


def score_entities(gold_docs: Iterable[dict], pred_docs: Iterable[dict], labels: Sequence[str] = ENTITY_LABELS) -> EntityScore:
    """Strict (same span and label) and lenient (overlapping span, same label) counts."""
    score = EntityScore()
    predictions = {doc["id"]: doc for doc in pred_docs}
    for gold in gold_docs:
        pred = predictions.get(gold["id"], {"entities": []})
        text = gold["text"]
        for label in labels:
            gold_spans = {(e["start"], e["end"]) for e in gold["entities"] if e["label"] == label}
            pred_spans = {(e["start"], e["end"]) for e in pred.get("entities", []) if e["label"] == label}
            exact = gold_spans & pred_spans
            score.strict[label].add(Counts(len(exact), len(exact), len(pred_spans), len(gold_spans)))

            def overlaps(span: tuple[int, int], others: set[tuple[int, int]]) -> bool:
                return any(span[0] < b and a < span[1] for a, b in others)

            lenient_pred = sum(overlaps(p, gold_spans) for p in pred_spans)
            lenient_gold = sum(overlaps(g, pred_spans) for g in gold_spans)
            score.lenient[label].add(Counts(lenient_pred, lenient_gold, len(pred_spans), len(gold_spans)))
            for a, b in sorted(pred_spans - exact):
                score.errors.append(Mismatch(gold["id"], "false_positive", label, a, b, text[a:b], _context(text, a, b)))
            for a, b in sorted(gold_spans - exact):
                score.errors.append(Mismatch(gold["id"], "false_negative", label, a, b, text[a:b], _context(text, a, b)))
    return score


def assign_to_gold_sentence(gold_sentences: Sequence[dict], start: int, end: int) -> int | None:
    """Index of the gold sentence holding most of the span [start, end), or None."""
    best, best_overlap = None, 0
    for index, sentence in enumerate(gold_sentences):
        overlap = min(end, sentence["end"]) - max(start, sentence["start"])
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    return best


@dataclass
class EventScore:
    sentence: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    document: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[Mismatch] = field(default_factory=list)

    def report(self, labels: Sequence[str] = EVENT_LABELS) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for level, table in (("sentence", self.sentence), ("document", self.document)):
            rows = _label_table(table, labels)
            # macro over the labels that occur in gold or predictions
            f1s = [rows[label]["f1"] for label in labels if table[label].n_gold or table[label].n_pred]
            rows["macro"] = {"f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0}
            out[level] = rows
        return out


def predicted_sentence_labels(gold: dict, pred: dict) -> list[set[str]]:
    """Predicted event labels per gold sentence: each predicted event counts for the gold
    sentence that holds most of its sentence span."""
    labels: list[set[str]] = [set() for _ in gold["sentences"]]
    for event in pred.get("events", []):
        sentence = event.get("sentence") or {}
        index = assign_to_gold_sentence(gold["sentences"], sentence.get("start", 0), sentence.get("end", 0))
        if index is not None:
            labels[index].add(event["type"])
    return labels


def score_events(gold_docs: Iterable[dict], pred_docs: Iterable[dict], labels: Sequence[str] = EVENT_LABELS) -> EventScore:
    score = EventScore()
    predictions = {doc["id"]: doc for doc in pred_docs}
    for gold in gold_docs:
        pred = predictions.get(gold["id"], {"events": []})
        predicted = predicted_sentence_labels(gold, pred)
        doc_gold: set[str] = set()
        doc_pred: set[str] = set()
        for sentence, pred_labels in zip(gold["sentences"], predicted):
            gold_labels = set(sentence["events"])
            doc_gold |= gold_labels
            doc_pred |= pred_labels
            for label in labels:
                g, p = label in gold_labels, label in pred_labels
                score.sentence[label].add(Counts(int(g and p), int(g and p), int(p), int(g)))
                if p and not g:
                    kind = "false_positive"
                elif g and not p:
                    kind = "false_negative"
                else:
                    continue
                score.errors.append(Mismatch(gold["id"], kind, label, sentence["start"], sentence["end"],
                                             gold["text"][sentence["start"] : sentence["end"]], ""))
        for label in labels:
            g, p = label in doc_gold, label in doc_pred
            score.document[label].add(Counts(int(g and p), int(g and p), int(p), int(g)))
    return score


def gold_as_prediction(gold: dict) -> dict:
    """A gold record in the output shape, to score one annotation pass against another."""
    events = [{"type": label, "sentence": {"start": s["start"], "end": s["end"]}}
              for s in gold["sentences"] for label in s["events"]]
    return {"id": gold["id"], "entities": gold["entities"], "events": events}
