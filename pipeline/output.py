"""Doc -> output record (LABELS.md section 4). Only reads what the pipeline's components set."""
from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span

from .labels import ARGUMENT_ROLES, ENTITY_ATTRIBUTES, ENTITY_LABELS, SCHEMA_VERSION


def entity_record(span: Span, offset: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = {"start": span.start_char + offset, "end": span.end_char + offset,
                              "label": span.label_, "text": span.text}
    for name in ENTITY_ATTRIBUTES[span.label_]:
        value = getattr(span._, f"ts_{name}")
        if value is not None:
            record[name] = value
    return record


def entities_of(doc: Doc, offset: int = 0) -> list[dict[str, Any]]:
    return [entity_record(ent, offset) for ent in doc.ents if ent.label_ in ENTITY_LABELS]


def events_of(doc: Doc, offset: int = 0) -> list[dict[str, Any]]:
    """Event records: sentence offsets into the input text, arguments in contract order, and
    the date tariffscope_event_dates resolved."""
    records = []
    for event in doc._.ts_events or []:
        found = event.get("arguments") or {}
        arguments = {role: list(found.get(role, [])) for role in ARGUMENT_ROLES}
        records.append({"type": event["type"], "confidence": event["confidence"],
                        "sentence": {"start": event["start"] + offset, "end": event["end"] + offset},
                        "date": event.get("date"), "arguments": arguments})
    return records


def document_record(doc_id: str, date: str | None, entities: list[dict[str, Any]], events: list[dict[str, Any]],
                    title: str | None = None, source: str | None = None) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "id": doc_id, "date": date, "title": title, "source": source,
            "entities": entities, "events": events}
