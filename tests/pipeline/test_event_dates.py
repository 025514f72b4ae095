"""tariffscope_event_dates: event dates resolved inside the pipeline against doc._.ts_date."""
from __future__ import annotations

import spacy

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.components.event_dates import event_dates
from pipeline.extensions import register_extensions


def blank_with_dates():
    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("tariffscope_event_dates")
    return nlp


def doc_with_events(nlp, date):
    doc = nlp.make_doc("Japan met the U.S. on Thursday. The pause runs until early July.")
    doc._.ts_date = date
    doc._.ts_events = [
        {"type": "MEETING", "confidence": 0.9, "start": 0, "end": 31, "arguments": {"countries": ["JP", "US"]},
         "date_expressions": [["Thursday", "on"]]},
        {"type": "PAUSE", "confidence": 0.8, "start": 32, "end": 64, "arguments": {},
         "date_expressions": [["early July", "until"]]},
    ]
    return doc


def test_dates_resolve_against_the_document_date():
    nlp = blank_with_dates()
    meeting, pause = nlp(doc_with_events(nlp, "2025-05-01"))._.ts_events
    assert (meeting["date"], meeting["arguments"]["dates"]) == ("2025-05-01", ["2025-05-01"])  # a Thursday
    assert meeting["arguments"]["countries"] == ["JP", "US"]  # other arguments untouched
    # "until early July" is a limit: listed, but the event's date is the document's
    assert (pause["date"], pause["arguments"]["dates"]) == ("2025-05-01", ["2025-07"])


def test_without_a_document_date_relative_dates_stay_unresolved():
    nlp = blank_with_dates()
    meeting, pause = nlp(doc_with_events(nlp, None))._.ts_events
    assert (meeting["date"], meeting["arguments"]["dates"]) == (None, [])
    assert event_dates([["April 16, 2025", "on"]], None) == ("2025-04-16", ["2025-04-16"])


def test_round_trip_and_two_processes(tmp_path):
    nlp = blank_with_dates()
    nlp.to_disk(tmp_path / "saved")
    reloaded = spacy.load(tmp_path / "saved")
    assert reloaded.pipe_names == ["tariffscope_event_dates"]
    docs = [doc_with_events(nlp, "2025-05-01"), doc_with_events(nlp, "2025-05-08")]
    one = [doc._.ts_events for doc in nlp.pipe([d.copy() for d in docs], n_process=1)]
    two = [doc._.ts_events for doc in reloaded.pipe([d.copy() for d in docs], n_process=2)]
    assert one == two
    assert [events[0]["date"] for events in two] == ["2025-05-01", "2025-05-08"]
