"""Headline detection (pipeline.sentences.is_headline), which decides the classifier's input."""
from __future__ import annotations

import pytest

from pipeline.events.model import HEADLINE_PREFIX, model_text
from pipeline.sentences import is_headline

WIRE = "U.S. hits Canadian lumber with 20 pct duties\n\nOTTAWA, Feb 11 - The duties took effect on Monday."


@pytest.mark.parametrize("text,start,end,expected", [
    (WIRE, 0, 44, True),                        # a headline line before the dateline
    (WIRE, 46, len(WIRE), False),               # a sentence ending in a full stop
    ("China vows to hit back", 0, 22, True),    # a headline alone
    ("China vows to hit back.", 0, 23, False),
    ("Tariffs rise\nacross the board", 0, 29, False),   # a hard-wrapped sentence is no headline
    ("Talks go on in Geneva and more words follow here", 0, 20, False),  # text continues on the line
    (" ".join(["word"] * 25), 0, 25 * 5 - 1, False),    # too long for a headline
])
def test_is_headline(text, start, end, expected):
    assert is_headline(text, start, end) is expected


def test_model_text_marks_headlines_only_for_models_trained_so():
    assert model_text("China  vows\nto hit back", True, True) == HEADLINE_PREFIX + "China vows to hit back"
    assert model_text("China vows to hit back", True, False) == "China vows to hit back"
    assert model_text("China vowed to hit back.", False, True) == "China vowed to hit back."
