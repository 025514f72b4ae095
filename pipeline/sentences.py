"""Sentence boundaries shared by the gold corpus and the pipeline: the base parser's
sentences, with forced starts at paragraph and list-item breaks."""
from __future__ import annotations

from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc



def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``doc`` without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    doc_text: str | None = None  # Doc.text joins every token on each access: read it at most once
    for sent in doc.sents:
        text = sent.text
        stripped = text.strip()
        if not stripped:
            continue
        start = sent.start_char + (len(text) - len(text.lstrip()))
        if not any(char.isalnum() for char in stripped):
            # A closing quote or markup split off by the parser belongs to the sentence before
            # it when nothing but spaces separates them; otherwise it is not a sentence.
            doc_text = doc.text if doc_text is None else doc_text
            if spans and not doc_text[spans[-1][1] : start].strip(" "):
                spans[-1] = (spans[-1][0], start + len(stripped))
            continue
        spans.append((start, start + len(stripped)))
    return spans


@lru_cache(maxsize=1)
def _segmenter() -> Language:
    from .base import load_base_pipeline

    nlp = load_base_pipeline(exclude=["ner", "lemmatizer", "attribute_ruler"])
    nlp.add_pipe("tariffscope_sentence_breaks", before="parser")
    return nlp


def sentence_spans_for_text(text: str) -> list[tuple[int, int]]:
    return sentence_spans(_segmenter()(text))
