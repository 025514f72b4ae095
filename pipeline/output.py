"""Doc -> output record (LABELS.md section 4)."""
from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

from . import SCHEMA_VERSION
from .components.base import TARIFFSCOPE_LABELS

ATTRIBUTES = {
    "OFFICIAL": ("canonical", "title", "country"),
    "AGENCY": ("canonical", "country"),
    "TARIFF_RATE": ("value", "value_max", "unit"),
    "COMMODITY": ("canonical", "hs_chapter"),
}


def entity_record(span: Span, offset: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = {"start": span.start_char + offset, "end": span.end_char + offset,
                              "label": span.label_, "text": span.text}
    for name in ATTRIBUTES[span.label_]:
        value = getattr(span._, f"ts_{name}")
        if value is not None:
            record[name] = value
    return record


def entities_of(doc: Doc, offset: int = 0) -> list[dict[str, Any]]:
    return [entity_record(ent, offset) for ent in doc.ents if ent.label_ in TARIFFSCOPE_LABELS]


def document_record(doc_id: str, date: str | None, entities: list[dict[str, Any]], events: list[dict[str, Any]],
                    title: str | None = None, source: str | None = None) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "id": doc_id, "date": date, "title": title, "source": source,
            "entities": entities, "events": events}
