from __future__ import annotations

from tests.conftest import ents
from tests.pipeline.helpers import assert_round_trip, assert_same_with_two_processes

TEXTS = [
    "Treasury Secretary Scott Bessent met Chinese Vice Premier He Lifeng in Geneva. Bessent said talks were productive.",
    "Akazawa, Japan's minister in charge of economic revitalization, will visit Washington. Ryosei Akazawa said so.",
    "Analyst John Smith of Capital Economics said tariffs hurt growth.",
]


def test_seed_officials(nlp, seed_text):
    doc = nlp(seed_text)
    officials = ents(doc, "OFFICIAL")
    by_text = {}
    for span in officials:
        by_text.setdefault(span.text, span)
    akazawa = by_text["Ryosei Akazawa"]
    assert akazawa._.ts_canonical == "Ryosei Akazawa"
    assert "negotiator" in akazawa._.ts_title
    assert akazawa._.ts_country == "JP"
    assert by_text["Scott Bessent"]._.ts_title == "Treasury Secretary"
    assert "Howard Lutnick" in by_text and "Jamieson Greer" in by_text
    surnames = [s for s in officials if s.text == "Akazawa"]
    assert len(surnames) == seed_text.count("Akazawa") - 1  # every mention but the full name
    assert all(s._.ts_canonical == "Ryosei Akazawa" for s in surnames)


def test_trump_inside_administration_is_not_official(nlp):
    doc = nlp("The Trump administration imposed tariffs, and Trump said more would come.")
    assert [e.text for e in ents(doc, "OFFICIAL")] == ["Trump"]
    assert [e.text for e in ents(doc, "AGENCY")] == ["Trump administration"]


def test_appositive_title_and_country(nlp):
    doc = nlp(TEXTS[1])
    first = ents(doc, "OFFICIAL")[0]
    assert first.text == "Akazawa"
    assert first._.ts_canonical == "Ryosei Akazawa"
    assert first._.ts_title.startswith("minister in charge of")
    assert first._.ts_country == "JP"


def test_business_analyst_is_not_official(nlp):
    doc = nlp(TEXTS[2])
    assert ents(doc, "OFFICIAL") == []


def test_round_trip(nlp, tmp_path):
    assert_round_trip(nlp, tmp_path, "tariffscope_officials", "OFFICIAL", TEXTS)


def test_two_processes(nlp):
    assert_same_with_two_processes(nlp, TEXTS, "OFFICIAL")


def test_officials_on_a_blank_pipeline():
    from tests.pipeline.helpers import blank_pipeline

    nlp = blank_pipeline("tariffscope_officials")
    doc = nlp("Treasury Secretary Scott Bessent met Ryosei Akazawa. Bessent said talks went well.")
    found = [(e.text, e._.ts_canonical, e._.ts_title, e._.ts_country) for e in doc.ents]
    assert found == [("Scott Bessent", "Scott Bessent", "Treasury Secretary", "US"),
                     ("Ryosei Akazawa", "Ryosei Akazawa", None, "JP"),
                     ("Bessent", "Scott Bessent", "Treasury Secretary", "US")]  # the surname linked to the full name
