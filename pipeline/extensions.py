"""Span extension attributes (prefix ``ts_``), registered once per process.

They hold only plain values (strings, floats), so they survive ``Doc.to_bytes`` and
``nlp.pipe(n_process=2)``.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_ATTRIBUTES: dict[str, object] = {
    "ts_canonical": None,  # OFFICIAL, AGENCY, COMMODITY
    "ts_title": None,  # OFFICIAL
    "ts_country": None,  # OFFICIAL, AGENCY (ISO 3166-1 alpha-2, "EU" or "INT")
    "ts_value": None,  # TARIFF_RATE
    "ts_value_max": None,  # TARIFF_RATE ranges ("12 to 15 per cent")
    "ts_unit": None,  # TARIFF_RATE
    "ts_hs_chapter": None,  # COMMODITY
}
DOC_ATTRIBUTES: dict[str, object] = {
    "ts_date": None,  # the document's date (ISO 8601), set by the caller; event dates resolve against it
    # [{"type", "confidence", "start", "end", "arguments", "date_expressions", "date"}]: the event
    # classifier, then tariffscope_event_arguments and tariffscope_event_dates
    "ts_events": None,
}


def register_extensions() -> None:
    for name, default in SPAN_ATTRIBUTES.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name, default in DOC_ATTRIBUTES.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_extensions()
