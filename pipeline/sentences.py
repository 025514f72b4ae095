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


# A headline: a short line with no closing punctuation that ends its line (or the text). Wire
# stories open with one, and archives of headlines are lines of them.
HEADLINE_MAX_WORDS = 20
SENTENCE_CLOSERS = tuple('.!?:;"\'”’)')


def is_headline(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] reads as a headline: one line of at most HEADLINE_MAX_WORDS words,
    no closing punctuation, and a line break (or the end of the text) right after it."""
    sentence = text[start:end].rstrip()
    if (not sentence or sentence.endswith(SENTENCE_CLOSERS) or "\n" in sentence or "\r" in sentence
            or len(sentence.split()) > HEADLINE_MAX_WORDS):
        return False
    following = text[end : end + 3].lstrip(" \t")
    return not following or following.startswith(("\n", "\r"))


@lru_cache(maxsize=1)
def _segmenter() -> Language:
    from .base import load_base_pipeline

    nlp = load_base_pipeline(exclude=["ner", "lemmatizer", "attribute_ruler"])
    nlp.add_pipe("tariffscope_sentence_breaks", before="parser")
    return nlp


def sentence_spans_for_text(text: str) -> list[tuple[int, int]]:
    return sentence_spans(_segmenter()(text))
