"""Opening hours (support/hours.py) at fixed moments, across time zones and DST.

Hours come from the real knowledge data (knowledge/countries.yml, article
lines 24-26 and 35-38). Expected values are written out by hand: local wall
time plus UTC offset, so a wrong zone or DST offset fails.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from support.hours import next_opening, open_on, status, until, weekday_code
from support.knowledge import Hours, load_knowledge

KB = load_knowledge()
UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
JAKARTA = ZoneInfo("Asia/Jakarta")
MANILA = ZoneInfo("Asia/Manila")


def hotline(code):
    country = KB.countries[code]
    return country.hotline.hours, country.time_zone


def wall(value):
    """(wall clock, UTC offset in hours, zone key) of an aware datetime."""
    return value.replace(tzinfo=None), value.utcoffset() / timedelta(hours=1), value.tzinfo.key


# --- the data the tests rely on (guards against testing the wrong thing) ----

def test_knowledge_hours_are_what_the_article_says():
    de, tz = hotline("DE")
    assert (de.days, de.open, de.close, tz) == (("mon", "tue", "wed", "thu", "fri"), 8 * 60, 20 * 60, "Europe/Berlin")
    india, tz = hotline("IN")
    assert (len(india.days), india.open, india.close, tz) == (7, 8 * 60, 23 * 60, "Asia/Kolkata")
    indonesia, tz = hotline("ID")
    assert (indonesia.days, indonesia.open, indonesia.close, tz) == (None, 9 * 60, 18 * 60, "Asia/Jakarta")
    philippines, _ = hotline("PH")
    assert (philippines.days, philippines.open, philippines.close) == (None, None, None)
    uk, tz = hotline("GB")
    assert (uk.open, uk.close, tz) == (9 * 60, 18 * 60, "Europe/London")


# --- status: open now / closed now -------------------------------------------

# (country, now, open_now, closes_at (local wall, utc offset) or None, next_open or None)
STATUS_CASES = [
    # Germany Mon-Fri 08:00-20:00, Monday 23 Nov 2026 (CET, UTC+1)
    pytest.param("DE", datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN), True, (datetime(2026, 11, 23, 20, 0), 1.0), None, id="DE-mon-08:00-sharp-open"),
    pytest.param("DE", datetime(2026, 11, 23, 7, 59, tzinfo=BERLIN), False, None, (datetime(2026, 11, 23, 8, 0), 1.0), id="DE-mon-07:59-closed"),
    pytest.param("DE", datetime(2026, 11, 23, 19, 59, tzinfo=BERLIN), True, (datetime(2026, 11, 23, 20, 0), 1.0), None, id="DE-mon-19:59-open"),
    pytest.param("DE", datetime(2026, 11, 23, 20, 0, tzinfo=BERLIN), False, None, (datetime(2026, 11, 24, 8, 0), 1.0), id="DE-mon-20:00-sharp-closed"),
    pytest.param("DE", datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN), False, None, (datetime(2026, 11, 30, 8, 0), 1.0), id="DE-fri-evening-to-monday"),
    pytest.param("DE", datetime(2026, 11, 28, 11, 0, tzinfo=BERLIN), False, None, (datetime(2026, 11, 30, 8, 0), 1.0), id="DE-saturday-closed"),
    pytest.param("DE", datetime(2026, 11, 29, 11, 0, tzinfo=BERLIN), False, None, (datetime(2026, 11, 30, 8, 0), 1.0), id="DE-sunday-closed"),
    # UTC input that is another local day: Sunday 23:30 UTC is Monday 00:30 in Berlin
    pytest.param("DE", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), False, None, (datetime(2026, 11, 23, 8, 0), 1.0), id="DE-sun-23:30Z-is-mon-00:30"),
    # Friday 19:30 UTC is 20:30 in Berlin: closed although 19:30 < 20:00
    pytest.param("DE", datetime(2026, 11, 27, 19, 30, tzinfo=UTC), False, None, (datetime(2026, 11, 30, 8, 0), 1.0), id="DE-fri-19:30Z-is-20:30-closed"),
    # Monday 07:30 UTC in winter is 08:30 CET: open
    pytest.param("DE", datetime(2026, 11, 23, 7, 30, tzinfo=UTC), True, (datetime(2026, 11, 23, 20, 0), 1.0), None, id="DE-mon-07:30Z-winter-open"),
    # summer (CEST, UTC+2): 06:00 UTC is 08:00 sharp, 05:59 UTC is 07:59
    pytest.param("DE", datetime(2026, 6, 1, 6, 0, tzinfo=UTC), True, (datetime(2026, 6, 1, 20, 0), 2.0), None, id="DE-summer-06:00Z-is-08:00"),
    pytest.param("DE", datetime(2026, 6, 1, 5, 59, tzinfo=UTC), False, None, (datetime(2026, 6, 1, 8, 0), 2.0), id="DE-summer-05:59Z-is-07:59"),
    # DST weekends: the next opening carries the offset after the change
    pytest.param("DE", datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), False, None, (datetime(2026, 3, 30, 8, 0), 2.0), id="DE-spring-change-weekend"),
    pytest.param("DE", datetime(2026, 3, 29, 1, 30, tzinfo=UTC), False, None, (datetime(2026, 3, 30, 8, 0), 2.0), id="DE-spring-change-sunday-03:30-CEST"),
    pytest.param("DE", datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), False, None, (datetime(2026, 10, 26, 8, 0), 1.0), id="DE-autumn-change-weekend"),
    # India daily 08:00-23:00 IST (UTC+05:30)
    pytest.param("IN", datetime(2026, 11, 22, 2, 30, tzinfo=UTC), True, (datetime(2026, 11, 22, 23, 0), 5.5), None, id="IN-sunday-02:30Z-is-08:00-open"),
    pytest.param("IN", datetime(2026, 11, 22, 2, 29, tzinfo=UTC), False, None, (datetime(2026, 11, 22, 8, 0), 5.5), id="IN-sunday-02:29Z-is-07:59-closed"),
    pytest.param("IN", datetime(2026, 11, 22, 17, 29, tzinfo=UTC), True, (datetime(2026, 11, 22, 23, 0), 5.5), None, id="IN-22:59-open"),
    pytest.param("IN", datetime(2026, 11, 22, 17, 30, tzinfo=UTC), False, None, (datetime(2026, 11, 23, 8, 0), 5.5), id="IN-23:00-sharp-closed"),
    pytest.param("IN", datetime(2026, 11, 21, 20, 0, tzinfo=UTC), False, None, (datetime(2026, 11, 22, 8, 0), 5.5), id="IN-sat-20:00Z-is-sun-01:30"),
    # Indonesia 09:00-18:00 WIB (UTC+7), weekdays unknown: every day has those times
    pytest.param("ID", datetime(2026, 11, 22, 2, 0, tzinfo=UTC), True, (datetime(2026, 11, 22, 18, 0), 7.0), None, id="ID-sunday-09:00-open"),
    pytest.param("ID", datetime(2026, 11, 21, 11, 0, tzinfo=UTC), False, None, (datetime(2026, 11, 22, 9, 0), 7.0), id="ID-sat-18:00-next-sunday"),
    # UK Mon-Fri 09:00-18:00, London; UK changes to BST on 29 Mar 2026 too
    pytest.param("GB", datetime(2026, 3, 27, 8, 30, tzinfo=UTC), False, None, (datetime(2026, 3, 27, 9, 0), 0.0), id="GB-winter-08:30Z-is-08:30-GMT"),
    pytest.param("GB", datetime(2026, 3, 30, 8, 30, tzinfo=UTC), True, (datetime(2026, 3, 30, 18, 0), 1.0), None, id="GB-summer-08:30Z-is-09:30-BST"),
    pytest.param("GB", datetime(2026, 3, 27, 18, 0, tzinfo=UTC), False, None, (datetime(2026, 3, 30, 9, 0), 1.0), id="GB-fri-18:00-next-monday-BST"),
]


@pytest.mark.parametrize("code, now, open_now, closes_at, next_open", STATUS_CASES)
def test_status(code, now, open_now, closes_at, next_open):
    hours, tz = hotline(code)
    result = status(hours, tz, now)
    assert result.times_known is True
    assert result.days_known is (code != "ID")
    assert result.open_now is open_now
    assert result.local_now == now  # same instant ...
    assert result.local_now.tzinfo.key == tz  # ... shown in the country's zone
    if closes_at is None:
        assert result.closes_at is None
    else:
        assert wall(result.closes_at) == (closes_at[0], closes_at[1], tz)
    if next_open is None:
        assert result.next_open is None
    else:
        assert wall(result.next_open) == (next_open[0], next_open[1], tz)


def test_status_local_now_is_the_local_wall_time():
    hours, tz = hotline("DE")
    result = status(hours, tz, datetime(2026, 11, 22, 23, 30, tzinfo=UTC))
    assert wall(result.local_now) == (datetime(2026, 11, 23, 0, 30), 1.0, "Europe/Berlin")
    assert weekday_code(result.local_now.date()) == "mon"


def test_status_philippines_has_no_times():
    hours, tz = hotline("PH")
    result = status(hours, tz, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    assert (result.times_known, result.days_known) == (False, False)
    assert result.open_now is None
    assert result.closes_at is None
    assert result.next_open is None
    assert wall(result.local_now) == (datetime(2026, 11, 23, 10, 0), 8.0, "Asia/Manila")


def test_status_indonesia_days_unknown_times_known():
    hours, tz = hotline("ID")
    result = status(hours, tz, datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    assert (result.times_known, result.days_known, result.open_now) == (True, False, True)


@pytest.mark.parametrize("now", [datetime(2026, 11, 23, 10, 0), datetime(2026, 3, 29, 2, 30)])
def test_status_rejects_naive_datetime(now):
    hours, tz = hotline("DE")
    with pytest.raises(ValueError):
        status(hours, tz, now)


def test_status_with_closing_at_midnight():
    """close=1440 ("24:00", like Indonesia's WhatsApp) is midnight of the next day."""
    hours = Hours(days=None, open=9 * 60, close=24 * 60, text="09:00-24:00")
    before = status(hours, "Asia/Jakarta", datetime(2026, 11, 23, 23, 59, tzinfo=JAKARTA))
    assert before.open_now is True
    assert wall(before.closes_at) == (datetime(2026, 11, 24, 0, 0), 7.0, "Asia/Jakarta")
    at_midnight = status(hours, "Asia/Jakarta", datetime(2026, 11, 24, 0, 0, tzinfo=JAKARTA))
    assert at_midnight.open_now is False
    assert wall(at_midnight.next_open) == (datetime(2026, 11, 24, 9, 0), 7.0, "Asia/Jakarta")


# --- next_opening ------------------------------------------------------------

NEXT_CASES = [
    # strictly after now: at 08:00 sharp the next opening is the next working day
    pytest.param("DE", datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN), datetime(2026, 11, 24, 8, 0), 1.0, id="DE-mon-08:00-sharp-is-tuesday"),
    pytest.param("DE", datetime(2026, 11, 23, 7, 0, tzinfo=BERLIN), datetime(2026, 11, 23, 8, 0), 1.0, id="DE-mon-07:00-same-day"),
    pytest.param("DE", datetime(2026, 11, 27, 10, 0, tzinfo=BERLIN), datetime(2026, 11, 30, 8, 0), 1.0, id="DE-fri-open-next-is-monday"),
    pytest.param("DE", datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN), datetime(2026, 11, 30, 8, 0), 1.0, id="DE-fri-20:00-monday"),
    pytest.param("DE", datetime(2026, 11, 22, 23, 30, tzinfo=UTC), datetime(2026, 11, 23, 8, 0), 1.0, id="DE-sun-23:30Z-monday-same-local-day"),
    pytest.param("DE", datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), datetime(2026, 3, 30, 8, 0), 2.0, id="DE-spring-change"),
    pytest.param("DE", datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), datetime(2026, 10, 26, 8, 0), 1.0, id="DE-autumn-change"),
    pytest.param("IN", datetime(2026, 11, 21, 18, 0, tzinfo=UTC), datetime(2026, 11, 22, 8, 0), 5.5, id="IN-saturday-night-sunday-open"),
    pytest.param("ID", datetime(2026, 11, 21, 12, 0, tzinfo=UTC), datetime(2026, 11, 22, 9, 0), 7.0, id="ID-every-day-when-days-unknown"),
    pytest.param("GB", datetime(2026, 10, 23, 17, 0, tzinfo=UTC), datetime(2026, 10, 26, 9, 0), 0.0, id="GB-fri-18:00-BST-to-monday-GMT"),
]


@pytest.mark.parametrize("code, now, expected, offset", NEXT_CASES)
def test_next_opening(code, now, expected, offset):
    hours, tz = hotline(code)
    assert wall(next_opening(hours, tz, now)) == (expected, offset, tz)


def test_next_opening_unknown_without_times():
    hours, tz = hotline("PH")
    assert next_opening(hours, tz, datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) is None


def test_next_opening_none_when_no_day_opens():
    hours = Hours(days=(), open=9 * 60, close=18 * 60, text="never")
    assert next_opening(hours, "Europe/Berlin", datetime(2026, 11, 23, 2, 0, tzinfo=UTC)) is None


# --- open_on -----------------------------------------------------------------

OPEN_ON_CASES = [
    ("DE", "mon", True),
    ("DE", "fri", True),
    ("DE", "sat", False),
    ("DE", "sun", False),
    ("GB", "wed", True),
    ("GB", "sun", False),
    ("IN", "sat", True),
    ("IN", "sun", True),
    ("ID", "mon", None),  # the article gives no weekdays
    ("ID", "sun", None),
    ("MY", "sat", None),
    ("PH", "mon", None),  # the article gives neither days nor times
]


@pytest.mark.parametrize("code, day, expected", OPEN_ON_CASES)
def test_open_on(code, day, expected):
    hours, _ = hotline(code)
    assert open_on(hours, day) is expected


def test_open_on_days_without_times_is_unknown():
    assert open_on(Hours(days=("mon",), open=None, close=None, text="Mo"), "mon") is None


# --- until: real elapsed time through UTC --------------------------------------

UNTIL_CASES = [
    # Friday 20:00 -> Monday 08:00, ordinary weekend: 60 h
    pytest.param(datetime(2026, 11, 27, 20, 0, tzinfo=BERLIN), datetime(2026, 11, 30, 8, 0, tzinfo=BERLIN), timedelta(hours=60), id="DE-ordinary-weekend-60h"),
    # spring change (clocks go forward 29 Mar 2026): Sat 12:00 -> Mon 08:00 is 43 h, not 44
    pytest.param(datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), datetime(2026, 3, 30, 8, 0, tzinfo=BERLIN), timedelta(hours=43), id="DE-spring-43h"),
    # autumn change (clocks go back 25 Oct 2026): Sat 12:00 -> Mon 08:00 is 45 h, not 44
    pytest.param(datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), datetime(2026, 10, 26, 8, 0, tzinfo=BERLIN), timedelta(hours=45), id="DE-autumn-45h"),
    # mixed zones: Sunday 23:30 UTC -> Monday 08:00 Berlin (07:00 UTC)
    pytest.param(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN), timedelta(hours=7, minutes=30), id="UTC-to-Berlin"),
    # India: 23:00 IST -> 08:00 IST next day
    pytest.param(datetime(2026, 11, 22, 17, 30, tzinfo=UTC), datetime(2026, 11, 23, 8, 0, tzinfo=KOLKATA), timedelta(hours=9), id="IN-overnight-9h"),
    # UK: Fri 18:00 GMT -> Mon 09:00 BST (08:00 UTC) = 62 h
    pytest.param(datetime(2026, 3, 27, 18, 0, tzinfo=LONDON), datetime(2026, 3, 30, 9, 0, tzinfo=LONDON), timedelta(hours=62), id="GB-spring-62h"),
    # a moment in the past gives a negative span
    pytest.param(datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN), datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN), timedelta(hours=-1), id="past-negative"),
]


@pytest.mark.parametrize("now, moment, expected", UNTIL_CASES)
def test_until(now, moment, expected):
    assert until(moment, now) == expected


@pytest.mark.parametrize(
    "code, now, expected",
    [
        pytest.param("DE", datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), timedelta(hours=43), id="DE-spring"),
        pytest.param("DE", datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), timedelta(hours=45), id="DE-autumn"),
        pytest.param("DE", datetime(2026, 3, 29, 1, 30, tzinfo=UTC), timedelta(hours=28, minutes=30), id="DE-sunday-after-change"),
        pytest.param("IN", datetime(2026, 11, 22, 17, 30, tzinfo=UTC), timedelta(hours=9), id="IN"),
    ],
)
def test_until_next_opening_end_to_end(code, now, expected):
    hours, tz = hotline(code)
    assert until(status(hours, tz, now).next_open, now) == expected


def test_latest_closing_keeps_ties_and_skips_unknown_times():
    from support.hours import latest_closing
    from support.knowledge import knowledge

    hotlines = {code: c.hotline.hours for code, c in knowledge().countries.items() if c.hotline}
    assert latest_closing({k: hotlines[k] for k in ("FR", "IT", "ES", "DE", "GB", "PL")}) == ["ES"]  # 21:00
    assert latest_closing({k: hotlines[k] for k in ("FR", "IT")}) == ["FR", "IT"]  # both 20:00
    assert latest_closing({"PH": hotlines["PH"]}) == []  # "business hours": no time to compare


def test_asks_latest():
    from support.followups import asks_latest

    assert asks_latest("welche hotline in europa hat abends am laengsten auf?")
    assert asks_latest("which one is open latest")
    assert asks_latest("welche hat abends laenger")
    assert not asks_latest("wie lange habe ich garantie")
