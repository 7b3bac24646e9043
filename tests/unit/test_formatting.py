"""German and English output of support/formatting.py (babel, de_DE / en_GB)."""
from datetime import date, datetime, timedelta

import pytest

from support.formatting import (
    clock,
    day_name,
    days,
    days_range,
    duration,
    join,
    long_date,
    minutes_clock,
    months,
    weekday_and_time,
)

DURATION_CASES = [
    # (span, German, English)
    (timedelta(0), "0 Minuten", "0 minutes"),
    (timedelta(seconds=29), "0 Minuten", "0 minutes"),  # rounded to minutes
    (timedelta(seconds=31), "1 Minute", "1 minute"),
    (timedelta(minutes=1), "1 Minute", "1 minute"),
    (timedelta(minutes=45), "45 Minuten", "45 minutes"),
    (timedelta(minutes=59, seconds=40), "1 Stunde", "1 hour"),
    (timedelta(hours=1), "1 Stunde", "1 hour"),
    (timedelta(hours=1, minutes=30), "1 Stunde und 30 Minuten", "1 hour and 30 minutes"),
    (timedelta(hours=7, minutes=30), "7 Stunden und 30 Minuten", "7 hours and 30 minutes"),
    (timedelta(hours=9), "9 Stunden", "9 hours"),
    (timedelta(days=1), "1 Tag", "1 day"),
    (timedelta(days=1, hours=1), "1 Tag und 1 Stunde", "1 day and 1 hour"),
    (timedelta(hours=43), "1 Tag und 19 Stunden", "1 day and 19 hours"),
    (timedelta(hours=60), "2 Tage und 12 Stunden", "2 days and 12 hours"),
    (timedelta(days=1, minutes=30), "1 Tag", "1 day"),  # minutes are left out once there are days
    (timedelta(days=2, hours=3, minutes=20), "2 Tage und 3 Stunden", "2 days and 3 hours"),
    (timedelta(hours=-3), "0 Minuten", "0 minutes"),  # never negative
]


@pytest.mark.parametrize("span, german, english", DURATION_CASES, ids=[str(c[0]) for c in DURATION_CASES])
def test_duration(span, german, english):
    assert duration(span, "de") == german
    assert duration(span, "en") == english


LONG_DATE_CASES = [
    (date(2026, 3, 29), "29. März 2026", "29 March 2026"),
    (date(2025, 1, 1), "1. Januar 2025", "1 January 2025"),
    (date(2026, 11, 25), "25. November 2026", "25 November 2026"),
    (date(2024, 2, 29), "29. Februar 2024", "29 February 2024"),
    (date(2026, 12, 31), "31. Dezember 2026", "31 December 2026"),
]


@pytest.mark.parametrize("value, german, english", LONG_DATE_CASES, ids=[c[0].isoformat() for c in LONG_DATE_CASES])
def test_long_date(value, german, english):
    assert long_date(value, "de") == german
    assert long_date(value, "en") == english


def test_unknown_language_falls_back_to_german():
    assert long_date(date(2026, 3, 29), "fr") == "29. März 2026"
    assert duration(timedelta(hours=2), "fr") == "2 Stunden"


DAYS_RANGE_CASES = [
    (("mon", "tue", "wed", "thu", "fri"), "Montag bis Freitag", "Monday to Friday"),
    (("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "täglich", "daily"),
    (("mon", "tue", "wed"), "Montag bis Mittwoch", "Monday to Wednesday"),
    (("thu", "fri", "sat", "sun"), "Donnerstag bis Sonntag", "Thursday to Sunday"),
    (("mon", "tue"), "Montag und Dienstag", "Monday and Tuesday"),  # two days are listed, not a range
    (("sat", "sun"), "Samstag und Sonntag", "Saturday and Sunday"),
    (("mon", "wed"), "Montag und Mittwoch", "Monday and Wednesday"),
    (("mon", "wed", "fri"), "Montag, Mittwoch und Freitag", "Monday, Wednesday and Friday"),
    (("sun",), "Sonntag", "Sunday"),
    (None, None, None),
    ((), None, None),
]


@pytest.mark.parametrize("codes, german, english", DAYS_RANGE_CASES, ids=[str(c[0]) for c in DAYS_RANGE_CASES])
def test_days_range(codes, german, english):
    assert days_range(codes, "de") == german
    assert days_range(codes, "en") == english


def test_days_range_accepts_a_list_and_a_generator():
    assert days_range(["mon", "tue", "wed", "thu", "fri"], "en") == "Monday to Friday"
    assert days_range((c for c in ("sat", "sun")), "de") == "Samstag und Sonntag"


JOIN_CASES = [
    ([], "", ""),
    (["Italien"], "Italien", "Italien"),
    (["A", "B"], "A und B", "A and B"),
    (["A", "B", "C"], "A, B und C", "A, B and C"),  # en_GB: no serial comma
    (["Italien", "Spanien", "Frankreich", "Polen"], "Italien, Spanien, Frankreich und Polen", "Italien, Spanien, Frankreich and Polen"),
]


@pytest.mark.parametrize("items, german, english", JOIN_CASES, ids=[str(len(c[0])) for c in JOIN_CASES])
def test_join(items, german, english):
    assert join(items, "de") == german
    assert join(items, "en") == english


def test_join_accepts_a_generator():
    assert join((x for x in ("Reparaturen", "Austausch")), "de") == "Reparaturen und Austausch"


@pytest.mark.parametrize(
    "code, german, english",
    [("mon", "Montag", "Monday"), ("sat", "Samstag", "Saturday"), ("sun", "Sonntag", "Sunday")],
)
def test_day_name(code, german, english):
    assert (day_name(code, "de"), day_name(code, "en")) == (german, english)


def test_units_and_clock():
    assert (days(1, "de"), days(30, "de"), days(1, "en"), days(30, "en")) == ("1 Tag", "30 Tage", "1 day", "30 days")
    assert (months(24, "de"), months(1, "de"), months(1, "en"), months(6, "en")) == ("24 Monate", "1 Monat", "1 month", "6 months")
    assert clock(datetime(2026, 1, 1, 8, 5), "de") == "08:05"
    assert clock(datetime(2026, 1, 1, 20, 0), "en") == "20:00"
    assert weekday_and_time(datetime(2026, 11, 30, 8, 0), "de") == "Montag 08:00"
    assert weekday_and_time(datetime(2026, 11, 30, 8, 0), "en") == "Monday 08:00"
    assert (minutes_clock(480), minutes_clock(65), minutes_clock(1440)) == ("08:00", "01:05", "24:00")
