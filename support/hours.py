"""Opening hours: is a hotline open at a given moment, and when does it open next.

Pure functions over `support.knowledge.Hours`; times are computed in the
country's IANA time zone with zoneinfo, so weekends, midnight and daylight
saving changes follow the local calendar.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from support.knowledge import WEEKDAYS, Hours

DAY = 24 * 60


@dataclass(frozen=True)
class OpenStatus:
    local_now: datetime
    times_known: bool  # the source gives opening and closing times
    days_known: bool  # the source gives the weekdays
    open_now: Optional[bool]  # None when the source gives no times
    closes_at: Optional[datetime]  # local, when open now
    next_open: Optional[datetime]  # local, when closed now and it can be known


def weekday_code(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= DAY:
        day, minutes = day + timedelta(days=1), minutes - DAY
    naive = datetime.combine(day, time(minutes // 60, minutes % 60))
    # fold=0: an ambiguous wall time (autumn DST change) is its first occurrence.
    return naive.replace(tzinfo=zone)


def open_on(hours: Hours, day_code: str) -> Optional[bool]:
    """Whether the hotline opens on that weekday; None when the source does not say."""
    if hours.days is None or hours.open is None:
        return None
    return day_code in hours.days


def _open_on_date(hours: Hours, day: date) -> bool:
    return hours.days is None or weekday_code(day) in hours.days


def status(hours: Hours, time_zone: str, now: datetime) -> OpenStatus:
    """The hotline's state at `now` (any aware datetime) in its own time zone.

    Where the source gives times but no weekdays, every day is treated as
    having those times and `days_known` is False, so the answer can say so.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    times_known = hours.open is not None and hours.close is not None
    days_known = hours.days is not None
    if not times_known:
        return OpenStatus(local, False, days_known, None, None, None)
    today = local.date()
    opens, closes = _at(today, hours.open, zone), _at(today, hours.close, zone)
    if _open_on_date(hours, today) and opens <= local < closes:
        return OpenStatus(local, True, days_known, True, closes, None)
    return OpenStatus(local, True, days_known, False, None, next_opening(hours, time_zone, now))


def next_opening(hours: Hours, time_zone: str, now: datetime) -> Optional[datetime]:
    """The next local opening time strictly after `now`, or None if unknowable."""
    if hours.open is None:
        return None
    zone = ZoneInfo(time_zone)
    local = now.astimezone(zone)
    for offset in range(0, 8):
        day = local.date() + timedelta(days=offset)
        if not _open_on_date(hours, day):
            continue
        candidate = _at(day, hours.open, zone)
        if candidate > local:
            return candidate
    return None


def until(moment: datetime, now: datetime) -> timedelta:
    """Elapsed real time from `now` to `moment` (through UTC, DST-safe)."""
    return moment.astimezone(timezone.utc) - now.astimezone(timezone.utc)


def latest_closing(hours: "dict[str, Hours]") -> "list[str]":
    """The keys whose hotline closes latest in local time ("welche hat am
    längsten auf?"), ties kept; those without closing times are left out."""
    known = {key: spec.close for key, spec in hours.items() if spec.close is not None}
    if not known:
        return []
    latest = max(known.values())
    return [key for key, close in known.items() if close == latest]
