"""tariffscope_sentence_breaks: sentence starts after paragraph and list-item breaks."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..text import hard_break_offsets


class SentenceBreaks:
    """Marks tokens after paragraph and list-item breaks as sentence starts (the sentence
    recognizer that follows keeps them)."""

    def __call__(self, doc: Doc) -> Doc:
        starts = set(hard_break_offsets(doc.text))
        if starts:
            for token in doc:
                if token.idx in starts and token.i > 0:
                    token.is_sent_start = True
        return doc


@Language.factory("tariffscope_sentence_breaks", assigns=["token.is_sent_start"])
def make_sentence_breaks(nlp: Language, name: str) -> SentenceBreaks:
    return SentenceBreaks()
