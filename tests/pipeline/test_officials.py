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


def officials_of(doc):
    return [(e.text, e._.ts_country) for e in ents(doc, "OFFICIAL")]


def test_title_with_of_complement_and_comma(nlp):
    # "President of Belarus NAME", "Speaker of the House NAME", "The Prime Minister of Australia, NAME"
    doc = nlp("President of Belarus Alexander Lukashenko refused to attend the summit in Moscow.")
    assert officials_of(doc) == [("Alexander Lukashenko", "BY")]
    assert ents(doc, "OFFICIAL")[0]._.ts_title == "President of Belarus"
    assert [e.text for e in ents(nlp("Speaker of the House Paul Ryan said he was worried about the tariffs."),
                                  "OFFICIAL")] == ["Paul Ryan"]
    doc = nlp("The Prime Minister of Australia, Malcolm Turnbull, said his country would open up trade.")
    assert officials_of(doc) == [("Malcolm Turnbull", "AU")]
    doc = nlp("Jacques Chirac, the president of France, said he opposed the proposal.")
    assert officials_of(doc) == [("Jacques Chirac", "FR")]


def test_company_titles_with_complement_are_not_official(nlp):
    assert ents(nlp("The President of Toyota Koji Sato warned of higher costs."), "OFFICIAL") == []
    assert ents(nlp("Toyota's chairman, Akio Toyoda, said the company would raise prices."), "OFFICIAL") == []


def test_counterpart_and_country_leader(nlp):
    doc = nlp("Vladimir Putin warns in a letter to his Ukrainian counterpart Petro Poroshenko that Moscow will restrict trade.")
    assert officials_of(doc) == [("Vladimir Putin", "RU"), ("Petro Poroshenko", "UA")]
    assert officials_of(nlp("Cuban leader Raúl Castro makes his first visit to Beijing.")) == [("Raúl Castro", "CU")]
    # "leader" names an official only after a country word (titles.tsv needs_country)
    assert ents(nlp("Hong Kong protest leader Joshua Wong was detained."), "OFFICIAL") == []


def test_former_officials_and_case_names_are_not_official(nlp):
    assert ents(nlp("The advertisement featured former U.S. president Ronald Reagan criticizing tariffs."), "OFFICIAL") == []
    doc = nlp("The Supreme Court ruled in Learning Resources v. Trump that the tariffs were unlawful.")
    assert ents(doc, "OFFICIAL") == []


def test_title_of_the_next_name_is_no_appositive(nlp):
    doc = nlp("In a message on Twitter, U.S. President Donald Trump says the U.S. will apply a tax.")
    assert [e.text for e in ents(doc, "OFFICIAL")] == ["Donald Trump"]


def test_person_span_is_cut_at_a_possessive(nlp):
    # the base NER reads "Trump’s Section" as a person; "Section" must not become a linked surname
    doc = nlp("American steel is surging past rival economies—thanks to President Trump’s Section 232 tariffs "
              "program. Steel, aluminum, or copper will no longer be subject to Section 232 metals tariffs.")
    assert [e.text for e in ents(doc, "OFFICIAL")] == ["Trump"]


def test_other_person_with_a_known_surname_is_not_linked(nlp):
    doc = nlp("Cuban leader Raúl Castro visited Beijing after succeeding Fidel Castro.")
    assert [e.text for e in ents(doc, "OFFICIAL")] == ["Raúl Castro"]
