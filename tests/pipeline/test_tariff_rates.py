from __future__ import annotations

import pytest

from pipeline.components.tariff_rates import parse_rate
from tests.conftest import ents
from tests.pipeline.helpers import assert_round_trip, assert_same_with_two_processes

TEXTS = [
    "Washington imposed a 25% duty on steel and a levy of $0.50 per pound on sugar.",
    "The tariffs will rise to 12 to 15 per cent next year, while GDP growth slowed to 2 percent.",
    "Both sides agreed to zero tariffs on cars, but zero-tariff treatment for rice was refused.",
]


def test_seed_rates(nlp, seed_text):
    rates = ents(nlp(seed_text), "TARIFF_RATE")
    values = sorted(span._.ts_value for span in rates)
    assert values == [10.0, 24.0, 25.0]
    assert all(span._.ts_unit == "percent" for span in rates)
    texts = [span.text for span in rates]
    assert "99 percent" not in texts and "11 percent" not in texts


def test_units_ranges_and_non_rates(nlp):
    first = ents(nlp(TEXTS[0]), "TARIFF_RATE")
    assert [(s.text, s._.ts_value, s._.ts_unit) for s in first] == [
        ("25%", 25.0, "percent"), ("$0.50 per pound", 0.5, "USD per pound")]
    second = ents(nlp(TEXTS[1]), "TARIFF_RATE")
    assert [(s.text, s._.ts_value, s._.ts_value_max) for s in second] == [("12 to 15 per cent", 12.0, 15.0)]


def test_zero_rate_but_not_zero_tariff_compound(nlp):
    rates = ents(nlp(TEXTS[2]), "TARIFF_RATE")
    assert [(s.text, s._.ts_value) for s in rates] == [("zero", 0.0)]


@pytest.mark.parametrize("text", [
    "Exports fell by 99 percent in March.",
    "Tokyo cut the tariff by 50 pct.",
    "Inflation rose 3 percent as tariffs bit.",
    "China accounts for 30 percent of imports.",
])
def test_not_a_rate(nlp, text):
    assert ents(nlp(text), "TARIFF_RATE") == []


@pytest.mark.parametrize("text,expected", [
    ("25 percent", (25.0, None, "percent")),
    ("100 pct", (100.0, None, "percent")),
    ("7.5%", (7.5, None, "percent")),
    ("$0.50 per pound", (0.5, None, "USD per pound")),
    ("12 to 15 per cent", (12.0, 15.0, "percent")),
    ("zero", (0.0, None, "percent")),
    ("fifty percent", (50.0, None, "percent")),
])
def test_parse_rate(text, expected):
    assert parse_rate(text) == expected


def test_round_trip(nlp, tmp_path):
    assert_round_trip(nlp, tmp_path, "tariffscope_tariff_rates", "TARIFF_RATE", TEXTS)


def test_two_processes(nlp):
    assert_same_with_two_processes(nlp, TEXTS, "TARIFF_RATE")


def test_rates_on_a_blank_pipeline():
    from tests.pipeline.helpers import blank_pipeline

    nlp = blank_pipeline("tariffscope_tariff_rates")
    doc = nlp("The United States imposed a 25 percent tariff on steel, and GDP grew 2 percent. "
              "Duties of $0.50 per pound apply.")
    rates = {e.text: (e._.ts_value, e._.ts_unit) for e in doc.ents}
    assert rates == {"25 percent": (25.0, "percent"), "$0.50 per pound": (0.5, "USD per pound")}  # not GDP's 2 percent


def test_a_rate_change_is_two_rates_not_a_range():
    from tests.pipeline.helpers import blank_pipeline

    nlp = blank_pipeline("tariffscope_tariff_rates")
    for text in ("The tariff on Chinese goods was cut from 145% to 30% in May.",
                 "The tariff on Chinese goods was cut to 30% from 145% in May."):
        rates = sorted((e._.ts_value, e._.ts_value_max) for e in nlp(text).ents)
        assert rates == [(30.0, None), (145.0, None)], text
    doc = nlp("The tariffs will rise to 12 to 15 per cent next year.")
    assert [(e.text, e._.ts_value, e._.ts_value_max) for e in doc.ents] == [("12 to 15 per cent", 12.0, 15.0)]


def rates_of(nlp, text):
    return [e.text for e in ents(nlp(text), "TARIFF_RATE")]


@pytest.mark.parametrize("text,expected", [
    # a unit written twice: two rates (guidelines A3)
    ("The United States imposes tariffs of 10% to 12.5% on imports from 60 trading partners.", ["10%", "12.5%"]),
    # a change between two rates, the tariff word beyond the window
    ("Canada will raise tariffs on Canadian steel and aluminium imports from 25% to 50%.", ["25%", "50%"]),
    ("We are going to raise tariffs on Chinese solar panels from 25 to 50 percent.", ["25", "50 percent"]),
    # a range written with its unit once stays one span
    ("The cylinders were dumped at rates ranging from 16.88 to 25.50 percent.", ["16.88 to 25.50 percent"]),
    # the next rate of a list
    ("The U.S. announces a tariff of 10% on European-made Airbus planes and 25% on a range of goods.", ["10%", "25%"]),
    # "by" before a rate that names its tariff
    ("The delay covers products affected by 10% import tariffs.", ["10%"]),
    ("Exports fell by 20 percent despite tariffs of 10 percent.", ["10 percent"]),
    ("They proposed a zero-for-zero tariff deal on all industrial goods.", []),
    ("The EU was set to increase tariffs on December 1st to 50 percent on iconic American companies.", ["50 percent"]),
])
def test_rate_changes_lists_and_ranges(nlp, text, expected):
    assert rates_of(nlp, text) == expected


def test_far_tariff_word_does_not_reach_into_another_clause(nlp):
    text = ("Tariffs protected the industry, and its capacity utilization rate rose between 2017 and 2019, "
            "from 40% to 61% during that period.")
    assert rates_of(nlp, text) == []
