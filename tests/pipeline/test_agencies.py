from __future__ import annotations

from tests.conftest import ents
from tests.pipeline.helpers import assert_round_trip, assert_same_with_two_processes

TEXTS = [
    "China's Commerce Ministry said it would file a complaint with the WTO.",
    "According to U.S. Agriculture Department data, exports fell. The Trump administration disagreed.",
    "Treasury Secretary Scott Bessent spoke to reporters at the White House. The White House said tariffs stay.",
]


def texts_of(doc, label="AGENCY"):
    return [e.text for e in ents(doc, label)]


def test_seed_agencies(nlp, seed_text):
    found = texts_of(nlp(seed_text))
    assert "U.S. Agriculture Department" in found
    assert "Trump administration" in found


def test_possessed_body_excludes_country(nlp):
    doc = nlp(TEXTS[0])
    assert texts_of(doc) == ["Commerce Ministry", "WTO"]
    ministry = ents(doc, "AGENCY")[0]
    assert ministry._.ts_country == "CN"
    assert ents(doc, "AGENCY")[1]._.ts_canonical == "World Trade Organization"


def test_white_house_place_versus_office(nlp):
    doc = nlp(TEXTS[2])
    agencies = ents(doc, "AGENCY")
    assert [e.text for e in agencies] == ["White House"]
    assert agencies[0].start_char > TEXTS[2].index("The White House said")
    assert "Treasury" not in texts_of(doc)  # part of the job title


def test_gazetteer_attributes(nlp):
    span = ents(nlp(TEXTS[1]), "AGENCY")[0]
    assert span._.ts_canonical == "Department of Agriculture"
    assert span._.ts_country == "US"


def test_round_trip(nlp, tmp_path):
    assert_round_trip(nlp, tmp_path, "tariffscope_agencies", "AGENCY", TEXTS)


def test_two_processes(nlp):
    assert_same_with_two_processes(nlp, TEXTS, "AGENCY")


def test_agencies_on_a_blank_pipeline():
    from tests.pipeline.helpers import blank_pipeline

    nlp = blank_pipeline("tariffscope_agencies", {"use_base_orgs": False})
    doc = nlp("The Commerce Department and the USTR met the WTO in Japan. The Trump administration said so.")
    found = {e.text: (e._.ts_canonical, e._.ts_country) for e in doc.ents}
    assert found == {"Commerce Department": ("Department of Commerce", "US"),
                     "USTR": ("Office of the United States Trade Representative", "US"),
                     "WTO": ("World Trade Organization", "INT"),
                     "Trump administration": ("Trump administration", "US")}


def test_country_word_before_a_body_is_part_of_its_name(nlp):
    assert texts_of(nlp("The Norwegian Ministry of Foreign Affairs confirmed the expulsion.")) == [
        "Norwegian Ministry of Foreign Affairs"]
    assert texts_of(nlp("The United States Senate voted to pass the bill.")) == ["United States Senate"]
    span = ents(nlp("The European Court of Justice ruled against the ban."), "AGENCY")[0]
    assert (span.text, span._.ts_canonical) == ("European Court of Justice", "Court of Justice of the European Union")


def test_possessive_country_stays_outside_a_listed_name(nlp):
    span = ents(nlp("China's Ministry of Commerce said it would restrict trade."), "AGENCY")[0]
    assert (span.text, span._.ts_canonical, span._.ts_country) == ("Ministry of Commerce", "Ministry of Commerce of China", "CN")


def test_bodies_named_by_country_and_function(nlp):
    assert texts_of(nlp("The Chinese commerce ministry imposed provisional duties on dairy products.")) == [
        "Chinese commerce ministry"]
    assert texts_of(nlp("Russian police detained protesters outside the German embassy.")) == [
        "Russian police", "German embassy"]
    # named by function alone, but not the bare "the ministry"
    assert texts_of(nlp("The finance ministry said it would cut the levy. The ministry gave no details.")) == [
        "finance ministry"]


def test_full_name_before_a_title_is_the_body_but_a_portfolio_word_is_not(nlp):
    doc = nlp("White House spokesman Kush Desai said the tariffs work. Treasury Secretary Scott Bessent agreed, "
              "and so did the Secretary of the Treasury.")
    assert texts_of(doc) == ["White House"]


def test_leader_regime_is_an_agency(nlp):
    assert texts_of(nlp("The Maduro regime poses a threat. The tariff regime stays.")) == ["Maduro regime"]
