"""The normalizing tokenizer: spaCy's English tokenizer run on normalized text (see
:func:`pipeline.text.normalize_text`), registered as ``tariffscope.NormalizingTokenizer.v1``."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

from .text import normalize_text


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
