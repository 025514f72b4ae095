from __future__ import annotations

from pipeline.gazetteer import DEFAULT_DATA_DIR, read_tsv
from tests.conftest import ents
from tests.pipeline.helpers import assert_round_trip, assert_same_with_two_processes

TEXTS = [
    "Imports of tomatoes and frozen shrimp rose, while semiconductor makers lobbied.",
    "As a bargaining chip, Apple offered to buy American soybeans.",
    "Tariffs on passenger cars, auto parts and steel took effect.",
]


def commodities(doc):
    return [(e.text, e._.ts_canonical, e._.ts_hs_chapter) for e in ents(doc, "COMMODITY")]


def test_seed_commodities(nlp, seed_text):
    found = {(text, chapter) for text, _, chapter in commodities(nlp(seed_text))}
    for expected in [("corn", "10"), ("soybeans", "12"), ("rice", "10"), ("cars", "87"), ("auto parts", "87")]:
        assert expected in found


def test_plural_lemma_and_type_words(nlp):
    assert commodities(nlp(TEXTS[0])) == [
        ("tomatoes", "tomato", "07"), ("frozen shrimp", "frozen shrimp", "03"), ("semiconductor", "semiconductor", "85")]


def test_exclusions_and_company_names(nlp):
    assert commodities(nlp(TEXTS[1])) == [("soybeans", "soybean", "12")]


def test_longest_match(nlp):
    assert [c[0] for c in commodities(nlp(TEXTS[2]))] == ["passenger cars", "auto parts", "steel"]


def test_gazetteer_covers_at_least_300_goods_with_valid_chapters():
    rows = read_tsv((DEFAULT_DATA_DIR / "commodities.tsv").read_text(encoding="utf-8"))
    assert len(rows) >= 300
    chapters = [row["hs_chapter"] for row in rows if row["hs_chapter"]]
    assert all(len(c) == 2 and c.isdigit() and 1 <= int(c) <= 97 for c in chapters)
    canonicals = [row["canonical"] for row in rows]
    assert len(canonicals) == len(set(canonicals))
    assert all(c == c.lower() for c in canonicals)


def test_round_trip(nlp, tmp_path):
    assert_round_trip(nlp, tmp_path, "tariffscope_commodities", "COMMODITY", TEXTS)


def test_two_processes(nlp):
    assert_same_with_two_processes(nlp, TEXTS, "COMMODITY")


def test_commodities_on_a_blank_pipeline():
    from tests.pipeline.helpers import blank_pipeline

    nlp = blank_pipeline("tariffscope_commodities", {"match_lemmas": False})  # a blank pipeline has no lemmas
    doc = nlp("Tariffs on soybeans, steel and passenger cars rose, on goods and products alike.")
    found = {e.text: (e._.ts_canonical, e._.ts_hs_chapter) for e in doc.ents}
    assert found == {"soybeans": ("soybean", "12"), "steel": ("steel", "72"), "passenger cars": ("passenger car", "87")}


def spans_of(doc):
    return [(e.text, e._.ts_canonical) for e in ents(doc, "COMMODITY")]


def test_material_with_a_generic_word_is_the_material(nlp):
    doc = nlp("The proclamation covers steel articles and derivative aluminum articles.")
    assert spans_of(doc) == [("steel", "steel"), ("aluminum", "aluminum")]


def test_type_modifiers_are_part_of_the_span(nlp):
    doc = nlp("Imports of primary aluminum, commercial aircraft, alcoholic beverages and buffalo meat rose.")
    assert spans_of(doc) == [("primary aluminum", "aluminum"), ("commercial aircraft", "aircraft"),
                             ("alcoholic beverages", "alcoholic beverage"), ("buffalo meat", "meat")]
    # a modifier limited to some heads ("live" animals) leaves others alone
    doc = nlp("We are all seeing it on live television. Live cattle exports resumed.")
    assert ("Live cattle", "live animal") in spans_of(doc)
    assert not any(text.lower().startswith("live t") for text, _ in spans_of(doc))


def test_energy_as_a_good_not_as_a_sector(nlp):
    text = "The EU will purchase $750 billion in U.S. energy to ease the energy crisis."
    assert [(e.text, e.start_char) for e in ents(nlp(text), "COMMODITY")] == [("energy", text.index("energy"))]


def test_no_commodity_inside_a_web_address(nlp):
    text = "China has [encouraged](https://www.carbonbrief.org/analysis-clean-energy-steel-report) investment in steel."
    assert [(e.text, e.start_char) for e in ents(nlp(text), "COMMODITY")] == [("steel", text.rindex("steel"))]


def test_modifiers_on_a_blank_pipeline():
    from tests.pipeline.helpers import blank_pipeline

    nlp = blank_pipeline("tariffscope_commodities", {"match_lemmas": False})
    doc = nlp("Tariffs on unwrought aluminum and genetically modified corn rose.")
    assert [(e.text, e._.ts_canonical) for e in doc.ents] == [("unwrought aluminum", "aluminum"),
                                                              ("genetically modified corn", "corn")]
