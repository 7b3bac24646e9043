"""The moment a user asks a hotline's hours for ("morgen früh um 8", "tmrw at 8")."""
from datetime import date

import pytest

from support.moments import Moment, asked_moment

TUESDAY = date(2026, 12, 1)


@pytest.mark.parametrize("text, day, minutes", [
    ("und morgen frueh um 8 in italien, geht das?", date(2026, 12, 2), 8 * 60),
    ("and tmrw at 8 before work?", date(2026, 12, 2), 8 * 60),
    ("samstag 10 uhr offen?", date(2026, 12, 5), 10 * 60),
    ("open at 8 on sat?", date(2026, 12, 5), 8 * 60),
    ("is it open at 7pm", TUESDAY, 19 * 60),
    ("kann ich um 19:30 noch anrufen", TUESDAY, 19 * 60 + 30),
    ("abends um 7?", TUESDAY, 19 * 60),
    ("8.30 uhr", TUESDAY, 8 * 60 + 30),
    ("übermorgen um 9", date(2026, 12, 3), 9 * 60),
    ("do 9 uhr", date(2026, 12, 3), 9 * 60),  # "do" (Donnerstag) only right before a time
    ("next monday at 9:15", date(2026, 12, 7), 9 * 60 + 15),
    ("dienstag um 10", TUESDAY, 10 * 60),  # today's weekday is today
])
def test_a_clock_time_and_its_day(text, day, minutes):
    assert asked_moment(text, TUESDAY) == Moment(day, minutes)


@pytest.mark.parametrize("text", [
    "gekauft am 10.03.2025", "am 10.3.25", "10.03.", "bought 3/10/25", "hotline 0800 223 11 44",
    "vor 3 tagen gekauft", "in 2 hours", "xiaomi 14, 24 monate?", "is the india line open rn?", "hotline DE?",
    "ist mein saugroboter von vor 2 jahren noch in garantie", "vor 3 monaten gekauft",
    "is it open now? its 10 pm here", "jetzt noch offen? bei mir ist es 19 uhr",  # now, the user's own clock told
])
def test_no_clock_time(text):
    assert asked_moment(text, TUESDAY) is None
