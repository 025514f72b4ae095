from __future__ import annotations

import pytest
import spacy
from spacy.tokens import DocBin

from pipeline.corpus import SPLITS, load_dataset, read_split, to_docbin, to_examples
from pipeline.scoring import EVENT_LABELS

REAL_SENTENCES_MINIMUM = 4000


def test_corpus_sizes_and_splits():
    docs = {split: read_split(split) for split in SPLITS}
    real = [d for split in SPLITS for d in docs[split] if not d.get("synthetic")]
    assert len(real) >= 150
    assert sum(len(d["sentences"]) for d in real) >= REAL_SENTENCES_MINIMUM
    assert len(docs["test"]) / len(real) >= 0.25
    assert not any(d.get("synthetic") for d in docs["test"] + docs["dev"])
    assert all(d["split"] == split for split in SPLITS for d in docs[split])
    ids = [d["id"] for split in SPLITS for d in docs[split]]
    assert len(ids) == len(set(ids))
    train_events = {label: sum(label in s["events"] for d in docs["train"] for s in d["sentences"]) for label in EVENT_LABELS}
    assert all(count >= 60 for count in train_events.values()), train_events


def test_gold_records_are_well_formed():
    for split in SPLITS:
        for doc in read_split(split):
            text = doc["text"]
            previous_end = 0
            for sentence in doc["sentences"]:
                assert previous_end <= sentence["start"] < sentence["end"] <= len(text)
                assert set(sentence["events"]) <= set(EVENT_LABELS)
                previous_end = sentence["end"]
            spans = sorted((e["start"], e["end"]) for e in doc["entities"])
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), doc["id"]
            assert all(text[s:e].strip() == text[s:e] and e > s for s, e in spans)


def test_datasets_and_spacy_conversions():
    sentences = load_dataset("dev", level="sentence")
    documents = load_dataset("dev")
    dev = read_split("dev")
    assert len(documents) == len(dev)
    assert len(sentences) == sum(len(d["sentences"]) for d in dev)
    assert len(sentences[0]["labels"]) == len(EVENT_LABELS)
    nlp = spacy.blank("en")
    examples = to_examples(nlp, dev[:3])
    assert sum(len(e.reference.ents) for e in examples) >= 0.95 * sum(len(d["entities"]) for d in dev[:3])
    docbin = to_docbin(nlp, dev[:3])
    restored = list(DocBin().from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))
    assert [d.text for d in restored] == [d["text"] for d in dev[:3]]


@pytest.mark.parametrize("split,round_number", [("silver", 2), ("silver_round3", 3)])
def test_silver_documents_are_training_only_and_apart_from_the_gold_splits(split, round_number):
    from pipeline.corpus import SILVER_SPLITS, training_documents

    assert split in SILVER_SPLITS
    silver = read_split(split)
    assert silver and all(d["split"] == split and not d.get("synthetic") for d in silver)
    assert all(d["annotation"] == f"single pass (round {round_number})" for d in silver)
    gold_ids = {d["id"] for gold_split in SPLITS for d in read_split(gold_split)}
    other_silver = {d["id"] for other in SILVER_SPLITS if other != split for d in read_split(other)}
    assert not (gold_ids | other_silver) & {d["id"] for d in silver}
    docs = training_documents(["train", split])
    assert len(docs) == len(read_split("train")) + len(silver)
    flags = [bool(d.get("synthetic")) for d in docs]
    assert flags == sorted(flags)  # real documents first, synthetic last, whatever the files
    with pytest.raises(ValueError):
        training_documents(["train", "test"])


def test_wikipedia_items_are_split_by_iso_week_with_their_attribution():
    import datetime as dt

    items = [d for split in SPLITS for d in read_split(split) if d["collection"] == "wikipedia"]
    assert len(items) == 664
    weeks: dict[tuple[int, int], set[str]] = {}
    for item in items:
        year, week, _ = dt.date.fromisoformat(item["date"]).isocalendar()
        weeks.setdefault((year, week), set()).add(item["split"])
        assert item["url"].startswith("https://en.wikipedia.org/wiki/Portal:Current_events")
        assert "CC BY-SA" in item["license"]
        assert item["annotation"] == "two passes, adjudicated"
    assert all(len(splits) == 1 for splits in weeks.values())  # one story's items stay together
    shares = {split: sum(d["split"] == split for d in items) / len(items) for split in SPLITS}
    assert abs(shares["test"] - 0.4) < 0.03 and abs(shares["dev"] - 0.2) < 0.03, shares


def test_synthetic_text_is_train_only_and_marked():
    for split in SPLITS:
        for doc in read_split(split):
            assert doc["synthetic"] == (doc["collection"] == "synthetic"), doc["id"]
            if doc["synthetic"]:
                assert split == "train" and doc["entity_annotation"] is False and not doc["entities"]
    collections = {d["collection"] for d in read_split("test")}
    assert collections == {"whitehouse", "wikipedia"}
