"""Warranty rules (support/warranty.py) over the real knowledge data.

Article line 14: 24 months (mandatory) in the EU, usually 12 months in India
and South-East Asia, usually 6 months for accessories; the EU rule lets a
device bought in one EU country be serviced anywhere in the EU.
"""
from datetime import date

import pytest

from support.knowledge import load_knowledge
from support.warranty import (
    Period,
    check,
    check_span,
    end_of_warranty,
    period_for,
    period_for_region,
    serviced_across_eu,
    warranty_region,
)

KB = load_knowledge()
LINE_14_EU = "In der Europäischen Union hält sich Xiaomi an die obligatorischen 24-monatigen Schutzregeln."
LINE_14_GLOBAL = "In globalen Märkten wie Indien und Südostasien gilt dagegen normalerweise eine 12-monatige Standardgarantie."
LINE_14_ACCESSORY = "Für Zubehör gilt in der Regel eine 6-monatige Garantiezeit."


# --- period_for: devices -----------------------------------------------------

DEVICE_CASES = [
    # countries in countries.yml
    ("DE", (24, "mandatory", "eu")),
    ("FR", (24, "mandatory", "eu")),
    ("IT", (24, "mandatory", "eu")),
    ("ES", (24, "mandatory", "eu")),
    ("PL", (24, "mandatory", "eu")),
    ("IN", (12, "usually", "india")),
    ("ID", (12, "usually", "sea")),
    ("MY", (12, "usually", "sea")),
    ("PH", (12, "usually", "sea")),
    ("GB", None),  # covered country, but the article has no warranty rule for it
    ("CN", None),
    # EU members that countries.yml does not cover: the EU rule still applies
    ("AT", (24, "mandatory", "eu")),
    ("NL", (24, "mandatory", "eu")),
    ("BE", (24, "mandatory", "eu")),
    ("SE", (24, "mandatory", "eu")),
    ("IE", (24, "mandatory", "eu")),
    # outside the EU and not covered: no rule, no guess
    ("US", None),
    ("CH", None),
    ("NO", None),
    ("JP", None),
    (None, None),
    ("", None),
]


@pytest.mark.parametrize("code, expected", DEVICE_CASES)
def test_period_for_device(code, expected):
    period = period_for(KB, code, "device")
    if expected is None:
        assert period is None
    else:
        assert (period.months, period.qualifier, period.basis) == expected
        assert period.source.line == 14


@pytest.mark.parametrize("code, quote", [("DE", LINE_14_EU), ("AT", LINE_14_EU), ("IN", LINE_14_GLOBAL), ("PH", LINE_14_GLOBAL)])
def test_period_for_device_cites_line_14(code, quote):
    assert period_for(KB, code, "device").source.quote == quote


# --- period_for: accessories -----------------------------------------------------

@pytest.mark.parametrize("code", ["DE", "AT", "GB", "IN", "ID", "PH", "CN", "US", "CH", None])
def test_period_for_accessory_is_six_months_usually_anywhere(code):
    period = period_for(KB, code, "accessory")
    assert (period.months, period.qualifier, period.basis) == (6, "usually", "accessory")
    assert (period.source.line, period.source.quote) == (14, LINE_14_ACCESSORY)


# --- regions -------------------------------------------------------------------

@pytest.mark.parametrize(
    "code, region",
    [("DE", "eu"), ("ES", "eu"), ("AT", "eu"), ("IN", "india"), ("MY", "sea"), ("GB", None), ("CN", None), ("US", None), (None, None)],
)
def test_warranty_region(code, region):
    assert warranty_region(KB, code) == region


@pytest.mark.parametrize("region, expected", [("eu", (24, "mandatory")), ("india", (12, "usually")), ("sea", (12, "usually")), ("china", None), ("north_america", None), (None, None)])
def test_period_for_region(region, expected):
    period = period_for_region(KB, region)
    if expected is None:
        assert period is None
    else:
        assert (period.months, period.qualifier, period.basis) == (*expected, region)


# --- end_of_warranty: "the same day `months` later, or the month's last day" -----

END_CASES = [
    (date(2024, 11, 25), 24, date(2026, 11, 25)),
    (date(2025, 5, 15), 12, date(2026, 5, 15)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),  # 31 Feb does not exist: last day of February
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2023, 12, 31), 2, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),  # the same day exists again
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2024, 3, 31), 6, date(2024, 9, 30)),
    (date(2025, 10, 31), 1, date(2025, 11, 30)),
    (date(2025, 12, 31), 6, date(2026, 6, 30)),
    (date(2025, 7, 31), 12, date(2026, 7, 31)),
]


@pytest.mark.parametrize("purchase, months, expected", END_CASES)
def test_end_of_warranty(purchase, months, expected):
    assert end_of_warranty(purchase, months) == expected


# --- check -----------------------------------------------------------------------

EU = period_for(KB, "DE", "device")
INDIA = period_for(KB, "IN", "device")
ACCESSORY = period_for(KB, "DE", "accessory")

CHECK_CASES = [
    # (period, purchase, today, end, covered, days_left, days_expired)
    pytest.param(EU, date(2024, 11, 25), date(2026, 11, 25), date(2026, 11, 25), True, 0, 0, id="eu-covered-on-end-day"),
    pytest.param(EU, date(2024, 11, 25), date(2026, 11, 26), date(2026, 11, 25), False, 0, 1, id="eu-expired-day-after"),
    pytest.param(EU, date(2024, 11, 25), date(2026, 11, 1), date(2026, 11, 25), True, 24, 0, id="eu-24-days-left"),
    pytest.param(EU, date(2024, 11, 25), date(2024, 11, 25), date(2026, 11, 25), True, 730, 0, id="eu-bought-today"),
    pytest.param(EU, date(2024, 2, 29), date(2026, 2, 28), date(2026, 2, 28), True, 0, 0, id="eu-leap-day-end"),
    pytest.param(EU, date(2024, 2, 29), date(2026, 3, 1), date(2026, 2, 28), False, 0, 1, id="eu-leap-day-expired"),
    pytest.param(INDIA, date(2025, 2, 28), date(2026, 11, 25), date(2026, 2, 28), False, 0, 270, id="india-expired-270-days"),
    pytest.param(INDIA, date(2025, 12, 25), date(2026, 11, 25), date(2026, 12, 25), True, 30, 0, id="india-30-days-left"),
    pytest.param(ACCESSORY, date(2026, 5, 25), date(2026, 11, 25), date(2026, 11, 25), True, 0, 0, id="accessory-end-day"),
    pytest.param(ACCESSORY, date(2026, 5, 31), date(2026, 11, 25), date(2026, 11, 30), True, 5, 0, id="accessory-month-end"),
    pytest.param(ACCESSORY, date(2025, 11, 25), date(2026, 11, 25), date(2026, 5, 25), False, 0, 184, id="accessory-expired"),
]


@pytest.mark.parametrize("period, purchase, today, end, covered, days_left, days_expired", CHECK_CASES)
def test_check(period, purchase, today, end, covered, days_left, days_expired):
    result = check(period, purchase, today)
    assert result.period is period
    assert result.purchase == purchase
    assert result.end == end
    assert result.covered is covered
    assert result.days_left == days_left
    assert result.days_expired == days_expired


def test_check_uses_the_period_months():
    custom = Period(months=3, qualifier="usually", basis="test", source=EU.source)
    result = check(custom, date(2026, 1, 31), date(2026, 4, 30))
    assert (result.end, result.covered, result.days_left) == (date(2026, 4, 30), True, 0)


# --- the EU rule -------------------------------------------------------------------

@pytest.mark.parametrize(
    "bought, service, expected",
    [
        ("ES", "DE", True),
        ("FR", "IT", True),
        ("DE", "DE", True),
        ("AT", "FR", True),  # EU members outside countries.yml count too
        ("PL", "NL", True),
        ("GB", "DE", None),  # UK is not in the EU: the rule says nothing
        ("DE", "GB", None),
        ("DE", "CH", None),
        ("IN", "DE", None),
        ("US", "FR", None),
        (None, "DE", None),
        ("DE", None, None),
        ("", "DE", None),
    ],
)
def test_serviced_across_eu(bought, service, expected):
    assert serviced_across_eu(KB, bought, service) is expected


# --- a purchase date known only as a span ------------------------------------------

TODAY = date(2026, 12, 1)


def test_a_span_covered_long_after_today_gives_the_verdict_of_its_first_day():
    result = check_span(EU, date(2025, 4, 1), date(2025, 4, 30), TODAY)
    assert result.verdict is not None and result.verdict.purchase == date(2025, 4, 1) and result.ends_between is None


def test_a_span_whose_end_days_reach_today_is_covered_but_the_day_decides_how_long():
    # December 2024 + 24 months: bought on the 1st, today is the last day; on the 31st, 30 days are left
    result = check_span(EU, date(2024, 12, 1), date(2024, 12, 31), TODAY)
    assert result.verdict is None and result.last_expired is None
    assert result.ends_between == (date(2026, 12, 1), date(2026, 12, 31))


def test_a_span_that_straddles_the_end_names_where_the_verdict_changes():
    result = check_span(EU, date(2024, 11, 1), date(2024, 11, 30), date(2026, 11, 25))
    assert (result.verdict, result.last_expired, result.first_covered) == (None, date(2024, 11, 24), date(2024, 11, 25))


def test_a_span_expired_on_every_day_gives_the_most_recent_expiry():
    result = check_span(EU, date(2024, 10, 1), date(2024, 10, 31), TODAY)
    assert result.verdict is not None and not result.verdict.covered and result.verdict.end == date(2026, 10, 31)
