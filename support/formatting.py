"""Dates, times, weekdays and durations written the way each language writes them (babel)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable, Optional

from babel.dates import format_date as _format_date
from babel.dates import format_time as _format_time
from babel.dates import get_day_names
from babel.lists import format_list
from babel.units import format_unit

from support.knowledge import WEEKDAYS
from support.phrases import phrase

LOCALES = {"de": "de_DE", "en": "en_GB"}


def locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["de"])


def day_name(code: str, lang: str) -> str:
    return get_day_names("wide", locale=locale(lang))[WEEKDAYS.index(code)]


def days_adverb(code: str, lang: str) -> str:
    """Every such weekday: "samstags" (a German adverb, lower case), "Saturdays"."""
    name = f"{day_name(code, lang)}s"
    return name.lower() if lang == "de" else name


def long_date(value: date, lang: str) -> str:
    return _format_date(value, format="long", locale=locale(lang))


def clock(value: datetime, lang: str) -> str:
    return _format_time(value, format="HH:mm", locale=locale(lang))


def weekday_and_time(value: datetime, lang: str) -> str:
    return f"{day_name(WEEKDAYS[value.weekday()], lang)} {clock(value, lang)}"


def duration(span: timedelta, lang: str) -> str:
    """"2 Tage und 3 Stunden" / "2 days and 3 hours" (rounded to minutes)."""
    minutes = max(0, int(round(span.total_seconds() / 60)))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(format_unit(days, "duration-day", length="long", locale=locale(lang)))
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="long", locale=locale(lang)))
    if minutes and not days:
        parts.append(format_unit(minutes, "duration-minute", length="long", locale=locale(lang)))
    if not parts:
        parts.append(format_unit(0, "duration-minute", length="long", locale=locale(lang)))
    return join(parts, lang)


def days(count: int, lang: str) -> str:
    return format_unit(count, "duration-day", length="long", locale=locale(lang))


def months(count: int, lang: str) -> str:
    return format_unit(count, "duration-month", length="long", locale=locale(lang))


def join(items: Iterable[str], lang: str) -> str:
    items = list(items)
    return format_list(items, locale=locale(lang)) if items else ""


def days_range(codes: Optional[Iterable[str]], lang: str) -> Optional[str]:
    """("mon".."fri") -> "Montag bis Freitag"; every day -> "täglich" (resources/phrases.yml)."""
    if not codes:
        return None
    codes = list(codes)
    if len(codes) == 7:
        return phrase("days_every_day", lang)
    indexes = [WEEKDAYS.index(c) for c in codes]
    if indexes == list(range(indexes[0], indexes[-1] + 1)) and len(indexes) > 2:
        return phrase("days_span", lang, first=day_name(codes[0], lang), last=day_name(codes[-1], lang))
    return join((day_name(c, lang) for c in codes), lang)


def minutes_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def span(earliest: date, latest: date, precision: str, lang: str) -> str:
    """A purchase date known as a span: "April 2025", "2024", or "1. – 7. Mai 2025" written out."""
    if earliest == latest:
        return long_date(earliest, lang)
    if precision == "month":
        return _format_date(earliest, format="LLLL yyyy", locale=locale(lang))
    if precision == "year":
        return str(earliest.year)
    return f"{long_date(earliest, lang)} – {long_date(latest, lang)}"
