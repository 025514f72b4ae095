from __future__ import annotations

import pytest

from pipeline.dates import resolve_date

DOC_DATE = "2025-05-01"  # a Thursday

CASES = [
    ("on Thursday", "2025-05-01"),
    ("Thursday", "2025-05-01"),
    ("on Wednesday", "2025-04-30"),
    ("Monday", "2025-04-28"),
    ("last Thursday", "2025-04-24"),
    ("next Tuesday", "2025-05-06"),
    ("coming Friday", "2025-05-02"),
    ("April 16", "2025-04-16"),
    ("on April 16", "2025-04-16"),
    ("16 April", "2025-04-16"),
    ("Apr. 16", "2025-04-16"),
    ("until early July", "2025-07"),
    ("early July", "2025-07"),
    ("mid-July", "2025-07"),
    ("late June", "2025-06"),
    ("in March", "2025-03"),
    ("March", "2025-03"),
    ("December", "2024-12"),
    ("January 15", "2025-01-15"),
    ("November 3", "2024-11-03"),
    ("April 2, 2025", "2025-04-02"),
    ("April 2 2025", "2025-04-02"),
    ("2 April 2025", "2025-04-02"),
    ("July 9, 2018", "2018-07-09"),
    ("May 2019", "2019-05"),
    ("September, 2024", "2024-09"),
    ("Sept. 2024", "2024-09"),
    ("in 2024", "2024"),
    ("2024", "2024"),
    ("fiscal 2026", "2026"),
    ("2025-07-09", "2025-07-09"),
    ("today", "2025-05-01"),
    ("yesterday", "2025-04-30"),
    ("tomorrow", "2025-05-02"),
    ("last year", "2024"),
    ("next year", "2026"),
    ("this year", "2025"),
    ("last month", "2025-04"),
    ("next month", "2025-06"),
    ("two weeks ago", "2025-04-17"),
    ("two days ago", "2025-04-29"),
    ("a year earlier", "2024"),
    ("three months ago", "2025-02"),
    ("the first quarter of 2025", "2025"),
    ("90 days", None),
    ("recent months", None),
    ("the past decade", None),
    ("last week", None),
    ("February 30", None),
]


@pytest.mark.parametrize("expression,expected", CASES)
def test_resolve_date(expression, expected):
    assert resolve_date(expression, DOC_DATE) == expected


def test_at_least_forty_expressions():
    assert len(CASES) >= 40


def test_without_document_date_only_absolute_dates_resolve():
    assert resolve_date("April 2, 2025", None) == "2025-04-02"
    assert resolve_date("on Thursday", None) is None
    assert resolve_date("in March", None) is None
