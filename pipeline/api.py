"""The Python API: load a pipeline, make documents with their dates, turn texts into records.

    from pipeline.api import load_pipeline, document, extract_texts
    nlp = load_pipeline("models/tariffscope")
    doc = document(nlp, text, date="2025-05-01")   # doc.ents, doc._.ts_events (dates resolved)
    records = extract_texts(nlp, [text], dates=["2025-05-01"])   # the JSONL records
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .extract.inputs import InputRecord
from .extract.results import Failed
from .loading import ModelNotFoundError, load_pipeline, model_folder

if TYPE_CHECKING:  # spaCy itself is first imported by load_pipeline (without torch)
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["ModelNotFoundError", "document", "extract_texts", "load_pipeline", "model_folder"]


def document(nlp: Language, text: str, date: str | None = None) -> Doc:
    """``nlp`` run on ``text`` whose date (ISO 8601) anchors relative event dates."""
    from .extensions import register_extensions
    from .extract.batches import dated_doc

    register_extensions()
    return nlp(dated_doc(nlp, text, date))


def extract_texts(nlp: Language, texts: Sequence[str], dates: Sequence[str | None] | None = None,
                  ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The output record of each text (as `tariffscope extract` writes it); a text that cannot
    be processed raises ValueError with the reason."""
    from .extract.batches import process_records

    records = [InputRecord(ids[i] if ids else str(i), text, date=dates[i] if dates else None)
               for i, text in enumerate(texts)]
    out = []
    for result in process_records(nlp, records):
        if isinstance(result, Failed):
            raise ValueError(f"document {result.id}: {result.error['reason']}")
        out.append(result.record)
    return out
