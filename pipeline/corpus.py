"""The gold corpus as Hugging Face datasets and as spaCy training data."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import DocBin
from spacy.training import Example

from .labels import EVENT_LABELS
from .sentences import is_headline

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
SPLITS = ("train", "dev", "test")
# Single-pass (not adjudicated) annotations, train-only: training data, but not part of the gold
# corpus whose splits are scored. Round 2 is "silver", round 3 "silver_round3" (kept apart so a
# config chooses each round on its own). See corpus/README.md.
SILVER = "silver"
SILVER_ROUND3 = "silver_round3"
SILVER_SPLITS = (SILVER, SILVER_ROUND3)


def split_path(split: str, corpus_dir: str | Path = CORPUS_DIR) -> Path:
    if split not in (*SPLITS, *SILVER_SPLITS):
        raise ValueError(f"unknown split {split!r}; expected one of {(*SPLITS, *SILVER_SPLITS)}")
    return Path(corpus_dir) / f"{split}.jsonl"


def training_documents(splits: list[str], corpus_dir: str | Path = CORPUS_DIR) -> list[dict[str, Any]]:
    """The documents of ``splits`` in one fixed order: real documents (in split order, then file
    order), then synthetic ones, so the order (and a seeded run) does not depend on which file
    holds which documents."""
    if "test" in splits:
        raise ValueError("the test split is never training data")
    docs = [doc for split in splits for doc in read_split(split, corpus_dir)]
    return sorted(docs, key=lambda doc: bool(doc.get("synthetic")))  # stable: file order kept


def read_split(split: str, corpus_dir: str | Path = CORPUS_DIR) -> list[dict[str, Any]]:
    with open(split_path(split, corpus_dir), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def iter_sentences(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One row per gold sentence: text, the previous sentence ("" for the first), whether it
    reads as a headline, ten 0/1 labels, its document, its collection and whether it is
    synthetic."""
    for doc in docs:
        previous = ""
        for index, sentence in enumerate(doc["sentences"]):
            events = set(sentence["events"])
            text = doc["text"][sentence["start"] : sentence["end"]]
            yield {"doc_id": doc["id"], "sentence_index": index, "text": text, "previous": previous,
                   "headline": is_headline(doc["text"], sentence["start"], sentence["end"]),
                   "labels": [int(label in events) for label in EVENT_LABELS],
                   "collection": doc.get("collection"), "synthetic": bool(doc.get("synthetic", False))}
            previous = text


def load_dataset(split: str, level: str = "document", corpus_dir: str | Path = CORPUS_DIR) -> Any:
    """A split as a ``datasets.Dataset``: one row per document (level="document", the gold
    records as they are) or per sentence (level="sentence", for the event classifier)."""
    import datasets

    docs = read_split(split, corpus_dir)
    if level == "document":
        rows = [{"id": d["id"], "date": d.get("date"), "text": d["text"], "synthetic": bool(d.get("synthetic", False)),
                 "entities": d["entities"], "sentences": d["sentences"]} for d in docs]
        return datasets.Dataset.from_list(rows)
    if level == "sentence":
        return datasets.Dataset.from_list(list(iter_sentences(docs)))
    raise ValueError(f"level must be 'document' or 'sentence', not {level!r}")


def to_examples(nlp: Language, docs: list[dict[str, Any]]) -> list[Example]:
    """spaCy ``Example``s with gold entities (``doc.ents``), sentence starts and, as
    ``doc.cats``, the events of single-sentence documents ("any event" labels otherwise)."""
    examples = []
    for record in docs:
        predicted = nlp.make_doc(record["text"])
        entities = [(e["start"], e["end"], e["label"]) for e in record["entities"]]
        sent_starts = [0] * len(predicted)
        for sentence in record["sentences"]:
            span = predicted.char_span(sentence["start"], sentence["end"], alignment_mode="expand")
            if span is not None:
                sent_starts[span.start] = 1
        events = {label for s in record["sentences"] for label in s["events"]}
        cats = {label: float(label in events) for label in EVENT_LABELS}
        example = Example.from_dict(predicted, {"entities": _aligned(predicted, entities), "sent_starts": sent_starts, "cats": cats})
        examples.append(example)
    return examples


def _aligned(doc: Any, entities: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Entity offsets snapped to token boundaries (a gold span may end inside a token)."""
    out = []
    for start, end, label in entities:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None and not any(span.start_char < e and s < span.end_char for s, e, _ in out):
            out.append((span.start_char, span.end_char, label))
    return out


def to_docbin(nlp: Language, docs: list[dict[str, Any]]) -> DocBin:
    docbin = DocBin(store_user_data=True)
    for example in to_examples(nlp, docs):
        docbin.add(example.reference)
    return docbin
