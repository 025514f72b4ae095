"""What the report shows besides scores: the mismatches of an evaluation and the confusion of
event labels. Counts come from pipeline/scoring.py's own matching, never from a second one."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..labels import EVENT_LABELS
from ..scoring import predicted_sentence_labels, score_entities, score_events

NO_GOLD_EVENT = "none"  # the confusion column of false positives on sentences without a gold event
KINDS: tuple[str, ...] = ("false_positive", "false_negative")


def mismatches_of(gold_docs: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every false positive and negative, as the records `tariffscope evaluate --errors` writes:
    entities first, then events."""
    records = [asdict(mismatch) for mismatch in score_entities(gold_docs, predictions).errors]
    return records + [asdict(mismatch) for mismatch in score_events(gold_docs, predictions).errors]


def is_event_mismatch(mismatch: dict[str, Any]) -> bool:
    """An errors file's records say only false_positive/false_negative; the label tells
    entities from events (the two label sets are disjoint)."""
    return mismatch["label"] in EVENT_LABELS


def by_document(mismatches: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for mismatch in mismatches:
        grouped.setdefault(str(mismatch["doc_id"]), []).append(mismatch)
    return grouped


def kind_counts(mismatches: Iterable[dict[str, Any]]) -> dict[str, Counter[str]]:
    """{"entities"|"events": Counter of kinds}."""
    counts: dict[str, Counter[str]] = {"entities": Counter(), "events": Counter()}
    for mismatch in mismatches:
        counts["events" if is_event_mismatch(mismatch) else "entities"][mismatch["kind"]] += 1
    return counts


@dataclass
class EventConfusion:
    """For each predicted event label, its false positives (sentences) and, in ``gold``, the
    gold labels those sentences carried (NO_GOLD_EVENT when they carried none). A sentence with
    two gold labels counts under both, so a row of ``gold`` can sum to more than its total."""

    false_positives: Counter[str] = field(default_factory=Counter)
    gold: dict[str, Counter[str]] = field(default_factory=lambda: {label: Counter() for label in EVENT_LABELS})


def event_confusion(gold_docs: Sequence[dict[str, Any]], predictions: Sequence[dict[str, Any]]) -> EventConfusion:
    by_id = {pred["id"]: pred for pred in predictions}
    confusion = EventConfusion()
    for gold in gold_docs:
        # the scorer's own assignment of predicted events to gold sentences
        predicted = predicted_sentence_labels(gold, by_id.get(gold["id"], {"events": []}))
        for sentence, labels in zip(gold["sentences"], predicted):
            gold_labels = set(sentence["events"])
            for label in sorted(labels - gold_labels):
                if label in confusion.gold:
                    confusion.false_positives[label] += 1
                    confusion.gold[label].update(sorted(gold_labels) or [NO_GOLD_EVENT])
    return confusion
