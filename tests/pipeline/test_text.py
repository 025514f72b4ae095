from __future__ import annotations

from pipeline.extract.chunks import split_for_processing
from pipeline.text import hard_break_offsets, normalize_text


def test_normalize_keeps_length_and_paragraphs():
    text = "Treasury Secretary Scott\nBessent met.\n\n-   First item goes\n    on.\n-   Second.\u00a0Done"
    normalized = normalize_text(text)
    assert len(normalized) == len(text)
    assert "Scott Bessent" in normalized
    assert "\n\n-   First" in normalized and "\n-   Second" in normalized
    assert "\u00a0" not in normalized


def test_hard_breaks_at_paragraphs_and_list_items():
    text = "One.\n\nTwo goes\non.\n- three\nfour"
    starts = [text[o:o + 3] for o in hard_break_offsets(text)]
    assert starts == ["Two", "- t"]


def test_split_for_processing_covers_text():
    text = ("word " * 30 + "\n\n") * 200
    pieces = split_for_processing(text, limit=1000)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 1000 for _, piece in pieces)
    assert all(text[offset:offset + len(piece)] == piece for offset, piece in pieces)
