"""Purchase dates (support/dates.py): the span a text means, the problems
that make the bot ask, and whole chat messages. The table of everyday
expressions is tests/unit/date_expressions.yml (test_date_table.py).

TODAY is Wednesday 25 November 2026; expected spans are written out by hand.
"""
from datetime import date

import pytest

from support.dates import EARLIEST_PURCHASE, DateProblem, parse_purchase_date

TODAY = date(2026, 11, 25)
MARCH_2025 = (date(2025, 3, 1), date(2025, 3, 31))

# (text, lang, earliest, latest): whole messages as users send them
MESSAGES = [
    ("xiaomi 14 in deutschland gekauft 04/2025, noch garantie?", "de", date(2025, 4, 1), date(2025, 4, 30)),
    ("poco f5 in polen gekauft 4/2024", "de", date(2024, 4, 1), date(2024, 4, 30)),
    ("redmi 12 gekauft 4/2024 in deutschland", "de", date(2024, 4, 1), date(2024, 4, 30)),
    ("bought in germany jan. 2025", "en", date(2025, 1, 1), date(2025, 1, 31)),
    ("im juli 25", "de", date(2025, 7, 1), date(2025, 7, 31)),
    ("on the 12th of may 2025", "en", date(2025, 5, 12), date(2025, 5, 12)),
    ("maerz 2024", "de", date(2024, 3, 1), date(2024, 3, 31)),
    ("feb 25", "de", date(2025, 2, 1), date(2025, 2, 28)),
    ("Ich habe mein Xiaomi 13 Pro am 10. März 2025 in Italien gekauft", "de", date(2025, 3, 10), date(2025, 3, 10)),
    ("my Redmi Note 13 Pro+ from 3/10/25", "en", date(2025, 10, 3), date(2025, 10, 3)),
    ("mi 11 lite, gekauft vor 3 monaten", "de", date(2026, 9, 1), date(2026, 9, 30)),
    ("hab es um 18:30 uhr am 3.10. gekauft", "de", date(2026, 10, 3), date(2026, 10, 3)),
    ("das teil hat 299 euro gekostet, gekauft 2024", "de", date(2024, 1, 1), date(2024, 12, 31)),
    ("dezember 2026", "de", date(2026, 12, 1), date(2026, 12, 1)),
]


@pytest.mark.parametrize("text, lang, earliest, latest", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_messages(text, lang, earliest, latest):
    result = parse_purchase_date(text, lang, date(2026, 12, 1))
    assert result.problem is None, result
    assert (result.earliest, result.latest) == (earliest, latest)
    assert result.value == earliest
    assert result.approximate is (earliest != latest)


@pytest.mark.parametrize("text, lang", [
    ("3/10/2025", "de"), ("3/10/2025", "en"), ("03.10.2025", "en"), ("3.10.25", "de"),
])
def test_numbers_are_day_first_in_both_languages(text, lang):
    result = parse_purchase_date(text, lang, TODAY)
    assert (result.earliest, result.latest) == (date(2025, 10, 3), date(2025, 10, 3))


def test_month_first_only_where_day_first_is_impossible():
    assert parse_purchase_date("3/25/25", "en", TODAY).earliest == date(2025, 3, 25)


@pytest.mark.parametrize("text, lang", [
    ("vor ein paar monaten", "de"),
    ("a few months ago", "en"),
    ("märz oder april 2025", "de"),
    ("ende 2024 anfang 2025", "de"),
    ("vor über einem jahr", "de"),
    ("almost 2 years ago", "en"),
    ("kurz vor weihnachten", "de"),
    ("black friday", "en"),  # moves every year, no rule for it here
    ("im november", "de"),  # this month: this year's or last year's?
])
def test_ambiguous_texts_make_the_bot_ask(text, lang):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.AMBIGUOUS == "ambiguous"
    assert result.value is None


@pytest.mark.parametrize("text, lang", [
    ("blabla", "de"), ("", "de"), ("   ", "en"), (None, "en"), ("keine ahnung", "de"), ("no idea", "en"),
    ("30.2.2025", "de"), ("29.02.2025", "de"), ("13/13/2025", "en"), ("31.04.2025", "de"),
])
def test_unparseable(text, lang):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.UNPARSEABLE == "unparseable"
    assert result.value is None


@pytest.mark.parametrize("text, lang, expected", [
    ("morgen", "de", date(2026, 11, 26)),
    ("31.12.2030", "de", date(2030, 12, 31)),
    ("anfang 2027", "de", date(2027, 1, 1)),
    ("tomorrow", "en", date(2026, 11, 26)),
    ("12/31/2030", "en", date(2030, 12, 31)),
])
def test_future(text, lang, expected):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.FUTURE == "future"
    assert result.value == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("1.1.2005", "de", date(2005, 1, 1)),
    ("1.1.05", "de", date(2005, 1, 1)),
    ("31.12.2009", "de", date(2009, 12, 31)),
    ("1/1/2005", "en", date(2005, 1, 1)),
])
def test_too_old(text, lang, expected):
    result = parse_purchase_date(text, lang, TODAY)
    assert result.problem == DateProblem.TOO_OLD == "too_old"
    assert result.value == expected


def test_earliest_purchase():
    assert EARLIEST_PURCHASE == date(2010, 1, 1)
    assert parse_purchase_date("1.1.2010", "de", TODAY).problem is None


def test_a_span_ends_today_at_the_latest():
    result = parse_purchase_date("november 2026", "en", TODAY)
    assert (result.earliest, result.latest) == (date(2026, 11, 1), TODAY)


@pytest.mark.parametrize("text, lang", [("im März letzten Jahres", "de"), ("march of last year", "en"),
                                        ("letztes jahr im märz", "de"), ("mrz 2025", "de"), ("Mar. 2025", "en")])
def test_month_of_a_year_named_in_words(text, lang):
    result = parse_purchase_date(text, lang, TODAY)
    assert (result.earliest, result.latest, result.precision) == (*MARCH_2025, "month")


def test_today_is_a_parameter():
    assert parse_purchase_date("gestern", "de", date(2026, 1, 1)).value == date(2025, 12, 31)
    assert parse_purchase_date("3.10.", "de", date(2026, 10, 2)).value == date(2025, 10, 3)


@pytest.mark.parametrize("text, lang", [("letzten Freitag", "de"), ("last friday", "en")])
def test_last_weekday_is_last_week(text, lang):
    assert parse_purchase_date(text, lang, TODAY).value == date(2026, 11, 20)


def test_words_that_only_look_like_dates_are_not_dates():
    for text in ("may I ask something", "mein geburtstag", "14 pro max", "kostet 199 euro"):
        assert parse_purchase_date(text, "en", TODAY).problem == DateProblem.UNPARSEABLE, text


@pytest.mark.parametrize("text, earliest, latest", [
    ("may 25", date(2025, 5, 1), date(2026, 5, 25)),  # May 2025 or 25 May 2026
    ("12/24", date(2024, 12, 1), date(2025, 12, 24)),  # December 2024 or 24 December 2025
])
def test_two_readings_in_english_keep_both(text, earliest, latest):
    result = parse_purchase_date(text, "en", date(2026, 12, 1))
    assert (result.problem, result.precision, result.earliest, result.latest) == (None, "either", earliest, latest)
