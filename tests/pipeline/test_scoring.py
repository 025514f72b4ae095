"""The scorer on small hand-made gold/prediction pairs; expected figures computed by hand."""
from __future__ import annotations

import pytest

from pipeline.scoring import score_entities, score_events

TEXT = "Bessent met Akazawa. Tariffs of 25 percent on cars stay."
#       0         1         2         3         4         5
GOLD = {
    "id": "d1", "text": TEXT,
    "entities": [
        {"start": 0, "end": 7, "label": "OFFICIAL"},        # Bessent
        {"start": 12, "end": 19, "label": "OFFICIAL"},      # Akazawa
        {"start": 32, "end": 42, "label": "TARIFF_RATE"},   # 25 percent
        {"start": 46, "end": 50, "label": "COMMODITY"},     # cars
    ],
    "sentences": [{"start": 0, "end": 20, "events": ["MEETING"]},
                  {"start": 21, "end": 56, "events": ["TARIFF_IMPOSITION", "THREAT"]}],
}
PRED = {
    "id": "d1",
    "entities": [
        {"start": 0, "end": 7, "label": "OFFICIAL"},        # exact
        {"start": 12, "end": 20, "label": "OFFICIAL"},      # overlaps Akazawa: lenient only
        {"start": 35, "end": 42, "label": "TARIFF_RATE"},   # overlaps: lenient only
        {"start": 21, "end": 28, "label": "COMMODITY"},     # false positive
    ],
    # MEETING predicted on a span mostly inside sentence 1; TARIFF_IMPOSITION correct;
    # PAUSE false positive; THREAT missed
    "events": [{"type": "MEETING", "sentence": {"start": 0, "end": 22}},
               {"type": "TARIFF_IMPOSITION", "sentence": {"start": 21, "end": 56}},
               {"type": "PAUSE", "sentence": {"start": 18, "end": 56}}],
}


def test_entity_scores_by_hand():
    report = score_entities([GOLD], [PRED]).report()
    strict, lenient = report["strict"], report["lenient"]
    assert strict["OFFICIAL"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2, "predicted": 2}
    assert strict["TARIFF_RATE"]["f1"] == 0.0
    assert lenient["OFFICIAL"]["f1"] == 1.0
    assert lenient["TARIFF_RATE"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1, "predicted": 1}
    assert strict["COMMODITY"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "predicted": 1}
    # micro strict: 1 correct of 4 predicted and 4 gold
    assert strict["micro"]["precision"] == 0.25 and strict["micro"]["recall"] == 0.25
    # micro lenient: 3 of 4 predictions overlap gold, 3 of 4 gold found
    assert lenient["micro"]["f1"] == 0.75


def test_event_scores_by_hand():
    report = score_events([GOLD], [PRED]).report()
    sentence = report["sentence"]
    assert sentence["MEETING"]["f1"] == 1.0
    assert sentence["TARIFF_IMPOSITION"]["f1"] == 1.0
    assert sentence["THREAT"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1, "predicted": 0}
    assert sentence["PAUSE"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 1}
    # micro: TP 2, FP 1 (PAUSE), FN 1 (THREAT) -> P = R = 2/3
    assert sentence["micro"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert sentence["micro"]["f1"] == pytest.approx(0.6667, abs=1e-4)
    # macro over labels present in gold or prediction: MEETING 1, TI 1, THREAT 0, PAUSE 0
    assert sentence["macro"]["f1"] == 0.5
    document = report["document"]
    assert document["micro"]["precision"] == pytest.approx(0.6667, abs=1e-4)


def test_grouped_scores_split_the_same_predictions_by_source():
    from pipeline.evaluate import grouped_scores

    other = {**GOLD, "id": "d2", "collection": "wikipedia"}
    groups = grouped_scores([{**GOLD, "collection": "whitehouse"}, other], [PRED, {**PRED, "id": "d2"}])
    assert list(groups) == ["whitehouse", "wikipedia"]
    alone = score_events([GOLD], [PRED]).report()
    for group in groups.values():
        assert group["documents"] == 1 and group["sentences"] == 2
        assert group["events"] == alone
