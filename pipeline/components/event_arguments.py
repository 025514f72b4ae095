"""tariffscope_event_arguments: attach the entities of each event's sentence as its arguments
(officials by canonical name, agencies, countries as ISO codes, rates, commodities) and keep
its date expressions for resolution against the document date (see pipeline.output)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..gazetteer import CountryTable
from .base import DataFilePipe

COUNTRY_ENTITY_LABELS = {"GPE", "NORP"}


class EventArguments(DataFilePipe):
    data_files = ("countries.tsv",)

    def __init__(self, nlp: Language, name: str, *, include_entity_countries: bool) -> None:
        super().__init__(nlp, name)
        self.include_entity_countries = include_entity_countries

    def compile(self) -> CountryTable:
        return CountryTable.from_text(self.data["countries.tsv"])

    def __call__(self, doc: Doc) -> Doc:
        events = doc._.ts_events
        if not events:
            return doc
        countries = self.compiled
        cache: dict[tuple[int, int], dict] = {}
        for event in events:
            key = (event["start"], event["end"])
            if key not in cache:
                span = doc.char_span(event["start"], event["end"], alignment_mode="expand")
                cache[key] = self._arguments(span, countries) if span is not None else _empty()
            event["arguments"] = {k: list(v) for k, v in cache[key]["arguments"].items()}
            event["date_expressions"] = list(cache[key]["date_expressions"])
        return doc

    def _arguments(self, sentence: Span, countries: CountryTable) -> dict:
        result = _empty()
        arguments = result["arguments"]

        def add(role: str, value: object) -> None:
            if value is not None and value not in arguments[role]:
                arguments[role].append(value)

        for ent in sentence.ents:
            label = ent.label_
            if label == "OFFICIAL":
                add("officials", ent._.ts_canonical or ent.text)
                if self.include_entity_countries and ent._.ts_country not in (None, "INT"):
                    add("countries", ent._.ts_country)
            elif label == "AGENCY":
                add("agencies", ent._.ts_canonical or ent.text)
                if self.include_entity_countries and ent._.ts_country not in (None, "INT"):
                    add("countries", ent._.ts_country)
            elif label == "TARIFF_RATE":
                add("rates", ent._.ts_value)
            elif label == "COMMODITY":
                add("commodities", ent._.ts_canonical or ent.text.lower())
            elif label in COUNTRY_ENTITY_LABELS:
                add("countries", countries.lookup(ent.text))
            elif label == "DATE":
                previous = sentence.doc[ent.start - 1].lower_ if ent.start > 0 else ""
                result["date_expressions"].append([ent.text, previous])
        arguments["countries"] = sorted(arguments["countries"])
        return result


def _empty() -> dict:
    return {"arguments": {"officials": [], "agencies": [], "countries": [], "rates": [], "commodities": []},
            "date_expressions": []}


@Language.factory(
    "tariffscope_event_arguments",
    requires=["doc._.ts_events", "doc.ents"],
    assigns=["doc._.ts_events"],
    default_config={"include_entity_countries": True},
)
def make_event_arguments(nlp: Language, name: str, include_entity_countries: bool) -> EventArguments:
    return EventArguments(nlp, name, include_entity_countries=include_entity_countries)
