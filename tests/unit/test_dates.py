"""Purchase dates from free text (support/dates.py), with a fixed today.

TODAY is Wednesday 25 November 2026. German reads day first, English month
first unless the first number cannot be a month. Expected dates are written
out by hand.
"""
from datetime import date

import pytest

from support.dates import EARLIEST_PURCHASE, DateProblem, parse_purchase_date

TODAY = date(2026, 11, 25)

# (text, lang, expected date, approximate)
VALID_CASES = [
    # German
    ("10.03.2025", "de", date(2025, 3, 10), False),
    ("am 3.10.", "de", date(2026, 10, 3), False),
    ("am 3.10", "de", date(2026, 10, 3), False),
    ("3.10.", "de", date(2026, 10, 3), False),
    ("3.10.25", "de", date(2025, 10, 3), False),  # two-digit year
    ("am 10.3.2025 gekauft", "de", date(2025, 3, 10), False),
    ("so um 10.3.2025", "de", date(2025, 3, 10), False),
    ("10.3.2025?", "de", date(2025, 3, 10), False),
    ("25.11.", "de", date(2026, 11, 25), False),  # today
    ("24.11.", "de", date(2026, 11, 24), False),
    ("26.11.", "de", date(2025, 11, 26), False),  # no year and later than today: last year
    ("1.12.", "de", date(2025, 12, 1), False),
    ("im Januar 2026", "de", date(2026, 1, 1), True),
    ("Dezember 2025", "de", date(2025, 12, 1), True),
    ("ca. März 2025", "de", date(2025, 3, 1), True),
    ("letzten Monat", "de", date(2026, 10, 25), True),
    ("vor zwei Jahren", "de", date(2024, 11, 25), False),
    ("vor 2 Jahren", "de", date(2024, 11, 25), False),
    ("vor 3 Wochen", "de", date(2026, 11, 4), False),
    ("vor einem Monat", "de", date(2026, 10, 25), False),
    ("am 10. März 2025", "de", date(2025, 3, 10), False),
    ("10. März 2025", "de", date(2025, 3, 10), False),
    ("03/10/2025", "de", date(2025, 10, 3), False),  # German: day first
    ("25/03/2025", "de", date(2025, 3, 25), False),
    ("gestern", "de", date(2026, 11, 24), False),
    ("vorgestern", "de", date(2026, 11, 23), False),
    ("heute", "de", date(2026, 11, 25), False),
    ("letzten Juni", "de", date(2026, 6, 1), True),  # the most recent June
    ("letzten Dezember", "de", date(2025, 12, 1), True),
    ("anfang 2025", "de", date(2025, 1, 1), True),
    ("mitte 2025", "de", date(2025, 6, 1), True),
    ("ende 2024", "de", date(2024, 12, 31), True),
    ("ende 2024 gekauft", "de", date(2024, 12, 31), True),
    ("Anfang Oktober 2025", "de", date(2025, 10, 1), True),
    ("Mitte Oktober 2025", "de", date(2025, 10, 15), True),
    ("mitte Dezember", "de", date(2025, 12, 15), True),
    ("1.1.2010", "de", date(2010, 1, 1), False),  # EARLIEST_PURCHASE itself is fine
    ("anfang letzten jahres", "de", date(2025, 1, 1), True),
    ("ende letzten Jahres", "de", date(2025, 12, 31), True),
    ("anfang des jahres", "de", date(2026, 1, 1), True),
    ("im sommer 2024", "de", date(2024, 7, 1), True),
    ("weihnachten letzten jahres", "de", date(2025, 12, 24), True),
    ("8 monate her", "de", date(2026, 3, 25), False),
    ("ist 2 jahre her", "de", date(2024, 11, 25), False),
    ("vor nem jahr", "de", date(2025, 11, 25), False),
    ("vor ca. einem jahr", "de", date(2025, 11, 25), False),
    ("so vor 8 monaten", "de", date(2026, 3, 25), False),
    ("vor knapp 2 jahren", "de", date(2024, 11, 25), False),
    ("im märz letzten jahres", "de", date(2025, 3, 1), True),
    ("kurz vor ostern", "de", date(2026, 4, 1), True),
    ("vor nem halben jahr", "de", date(2026, 5, 25), False),
    # English
    ("last June", "en", date(2026, 6, 1), True),
    ("early last year", "en", date(2025, 1, 1), True),  # not November: the part names the year's start
    ("at the end of 2023", "en", date(2023, 12, 31), True),
    ("end of last year", "en", date(2025, 12, 31), True),
    ("in mid 2024", "en", date(2024, 6, 1), True),
    ("summer of 2024", "en", date(2024, 7, 1), True),
    ("around christmas last year", "en", date(2025, 12, 24), True),
    ("8 months back", "en", date(2026, 3, 25), False),
    ("a year back", "en", date(2025, 11, 25), False),
    ("on the 3rd of may", "en", date(2026, 5, 3), False),
    ("about a year ago", "en", date(2025, 11, 25), False),
    ("a couple of months ago", "en", date(2026, 9, 25), False),
    ("in november last year", "en", date(2025, 11, 1), True),
    ("march of last year", "en", date(2025, 3, 1), True),
    ("last November", "en", date(2025, 11, 1), True),  # this month does not count as "last"
    ("on 1 August 2026", "en", date(2026, 8, 1), False),
    ("1 August 2026", "en", date(2026, 8, 1), False),
    ("August 1st 2026", "en", date(2026, 8, 1), False),
    ("2 weeks ago", "en", date(2026, 11, 11), False),
    ("two years ago", "en", date(2024, 11, 25), False),
    ("a week ago", "en", date(2026, 11, 18), False),
    ("03/10/2025", "en", date(2025, 3, 10), False),  # English: month first
    ("10.03.2025", "en", date(2025, 10, 3), False),
    ("11/30/2025", "en", date(2025, 11, 30), False),
    ("25/03/2025", "en", date(2025, 3, 25), False),  # 25 cannot be a month: day first
    ("25/12", "en", date(2025, 12, 25), False),
    ("12/25", "en", date(2025, 12, 25), False),
    ("3/10", "en", date(2026, 3, 10), False),
    ("yesterday", "en", date(2026, 11, 24), False),
    ("today", "en", date(2026, 11, 25), False),
    ("last month", "en", date(2026, 10, 25), True),
    ("in January 2026", "en", date(2026, 1, 1), True),
    ("May 2025", "en", date(2025, 5, 1), True),
    ("early 2025", "en", date(2025, 1, 1), True),
    ("mid 2025", "en", date(2025, 6, 1), True),
    ("end of 2024", "en", date(2024, 12, 31), True),
    ("late 2024", "en", date(2024, 12, 31), True),
    ("mid October 2025", "en", date(2025, 10, 15), True),
    ("10 March 2025", "en", date(2025, 3, 10), False),
    ("10th March 2025", "en", date(2025, 3, 10), False),
    ("on the 3rd of May", "en", date(2026, 5, 3), False),
]


@pytest.mark.parametrize("text, lang, expected, approximate", VALID_CASES, ids=[f"{c[1]}:{c[0]}" for c in VALID_CASES])
def test_parse_valid(text, lang, expected, approximate):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem is None
    assert result.value == expected
    assert result.approximate is approximate


FUTURE_CASES = [
    ("morgen", "de", date(2026, 11, 26)),
    ("31.12.2030", "de", date(2030, 12, 31)),
    ("anfang 2027", "de", date(2027, 1, 1)),
    ("tomorrow", "en", date(2026, 11, 26)),
    ("12/31/2030", "en", date(2030, 12, 31)),
]


@pytest.mark.parametrize("text, lang, expected", FUTURE_CASES, ids=[f"{c[1]}:{c[0]}" for c in FUTURE_CASES])
def test_parse_future(text, lang, expected):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.FUTURE == "future"
    assert result.value == expected


@pytest.mark.parametrize("text, lang", [("next week", "en"), ("nächste Woche", "de")])
def test_parse_future_relative(text, lang):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == "future"
    assert TODAY < result.value <= date(2026, 12, 2)


UNPARSEABLE_CASES = [
    ("blabla", "de"),
    ("blabla", "en"),
    ("", "de"),
    ("", "en"),
    ("   ", "de"),
    (None, "en"),
    ("keine ahnung", "de"),
    ("keine ahnung", "en"),
    ("no idea", "en"),
    ("30.2.2025", "de"),  # no 30 February
    ("29.02.2025", "de"),  # 2025 is no leap year
    ("13/13/2025", "en"),
    ("06/31/2025", "en"),  # no 31 June
]


@pytest.mark.parametrize("text, lang", UNPARSEABLE_CASES, ids=[f"{c[1]}:{c[0]!r}" for c in UNPARSEABLE_CASES])
def test_parse_unparseable(text, lang):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.UNPARSEABLE == "unparseable"
    assert result.value is None


TOO_OLD_CASES = [
    ("1.1.2005", "de", date(2005, 1, 1)),
    ("1.1.05", "de", date(2005, 1, 1)),
    ("31.12.2009", "de", date(2009, 12, 31)),  # the day before EARLIEST_PURCHASE
    ("1/1/2005", "en", date(2005, 1, 1)),
]


@pytest.mark.parametrize("text, lang, expected", TOO_OLD_CASES, ids=[f"{c[1]}:{c[0]}" for c in TOO_OLD_CASES])
def test_parse_too_old(text, lang, expected):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.TOO_OLD == "too_old"
    assert result.value == expected


def test_earliest_purchase():
    assert EARLIEST_PURCHASE == date(2010, 1, 1)


def test_today_is_a_parameter():
    """The same text against another `today` gives another date."""
    assert parse_purchase_date("gestern", "de", date(2026, 1, 1)).value == date(2025, 12, 31)
    assert parse_purchase_date("3.10.", "de", date(2026, 10, 2)).value == date(2025, 10, 3)


# --- regressions: bugs found and fixed ----------------------------------------

@pytest.mark.parametrize(
    "text, lang, expected",
    [
        ("Ende Oktober 2025", "de", date(2025, 10, 31)),
        ("Ende Februar 2024", "de", date(2024, 2, 29)),
        ("end of October 2025", "en", date(2025, 10, 31)),
        ("late October 2025", "en", date(2025, 10, 31)),
    ],
)
def test_bug_end_of_month_is_the_last_day(text, lang, expected):
    result = parse_purchase_date(text, lang, TODAY)
    assert (result.value, result.problem, result.approximate) == (expected, None, True)


@pytest.mark.parametrize("text, lang", [("letzten Freitag", "de"), ("last friday", "en")])
def test_bug_last_weekday_is_last_week_not_last_year(text, lang):
    # TODAY is Wednesday 25 Nov 2026: the Friday before is 20 Nov 2026
    assert parse_purchase_date(text, lang, TODAY).value == date(2026, 11, 20)


def test_bug_us_style_full_date_is_not_approximate():
    result = parse_purchase_date("March 10, 2025", "en", TODAY)
    assert (result.value, result.approximate) == (date(2025, 3, 10), False)
