"""tariffscope_event_dates: resolve each event's date expressions against the document date
(``doc._.ts_date``), so that ``nlp(text)`` users get the dates the JSONL output carries.

An event's ``date`` is the first date its sentence gives that is not a limit or a background date
("until early July", "since 2018"), else the document date; ``arguments["dates"]`` lists every
resolvable date of the sentence once, in order.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..dates import NOT_EVENT_DATE_WORDS, resolve_date
from ..extensions import register_extensions


class EventDates:
    def __init__(self, name: str) -> None:
        register_extensions()
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def predict(self, docs: list[Doc]) -> list[list[tuple[str | None, list[str]]]]:
        """For each document, each event's (date, resolved dates of its sentence)."""
        return [[event_dates(event.get("date_expressions", []), doc._.ts_date) for event in doc._.ts_events or []]
                for doc in docs]

    def set_annotations(self, docs: list[Doc], dates: list[list[tuple[str | None, list[str]]]]) -> None:
        for doc, doc_dates in zip(docs, dates):
            for event, (date, resolved) in zip(doc._.ts_events or [], doc_dates):
                event["date"] = date
                event.setdefault("arguments", {})["dates"] = resolved


def event_dates(expressions: list[Any], document_date: str | None) -> tuple[str | None, list[str]]:
    """(the event's date, every resolved date) of a sentence's [expression, word before] pairs."""
    dates: list[str] = []
    event_date = None
    for expression, previous in expressions:
        resolved = resolve_date(expression, document_date)
        if resolved is None:
            continue
        if resolved not in dates:
            dates.append(resolved)
        words = expression.split()
        first_word = words[0].lower() if words else ""
        if event_date is None and previous not in NOT_EVENT_DATE_WORDS and first_word not in NOT_EVENT_DATE_WORDS:
            event_date = resolved
    return event_date or document_date, dates


@Language.factory(
    "tariffscope_event_dates",
    requires=["doc._.ts_events", "doc._.ts_date"],
    assigns=["doc._.ts_events"],
    default_config={},
)
def make_event_dates(nlp: Language, name: str) -> EventDates:
    return EventDates(name)
