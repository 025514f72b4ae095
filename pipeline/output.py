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


def events_of(doc: Doc, document_date: str | None, offset: int = 0) -> list[dict[str, Any]]:
    """Event records (LABELS.md section 4): sentence offsets into the input text, arguments,
    resolved dates; the event's date is the first date the sentence gives that is not a limit
    or background ("until early July", "since 2018"), else the document date."""
    from .dates import NOT_EVENT_DATE_WORDS, resolve_date

    records = []
    for event in doc._.ts_events or []:
        arguments = dict(event.get("arguments") or {})
        dates: list[str] = []
        event_date = None
        for expression, previous in event.get("date_expressions", []):
            resolved = resolve_date(expression, document_date)
            if resolved is None:
                continue
            if resolved not in dates:
                dates.append(resolved)
            first_word = expression.split()[0].lower() if expression.split() else ""
            if event_date is None and previous not in NOT_EVENT_DATE_WORDS and first_word not in NOT_EVENT_DATE_WORDS:
                event_date = resolved
        arguments["dates"] = dates
        records.append({"type": event["type"], "confidence": event["confidence"],
                        "sentence": {"start": event["start"] + offset, "end": event["end"] + offset},
                        "date": event_date or document_date, "arguments": arguments})
    return records


def document_record(doc_id: str, date: str | None, entities: list[dict[str, Any]], events: list[dict[str, Any]],
                    title: str | None = None, source: str | None = None) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "id": doc_id, "date": date, "title": title, "source": source,
            "entities": entities, "events": events}
