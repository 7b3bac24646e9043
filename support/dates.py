"""Purchase dates from free text in German or English, via dateparser.

dateparser does the heavy lifting (month names, "vor zwei Jahren", "2 weeks
ago"); a thin layer in front of it handles chat forms it misreads: German
"3.10." (which it reads as a clock time), "letzten Juni" / "last June",
"anfang/mitte/ende 2025". Day/month order follows the user's language
(German day first, English month first).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

import dateparser
from babel.dates import get_day_names, get_month_names

from support.text import fold

EARLIEST_PURCHASE = date(2010, 1, 1)  # before any product of the brand; see README

_LEADING = re.compile(r"^(?:am|im|ab|vom|seit|so um|so|at|kurz vor|kurz nach|shortly before|shortly after|just before|just after|right before|right after|ca\.?|circa|etwa|ungefahr|ungefähr|on|in|around|about|since|from|approx\.?|the)\s+", re.I)
_SEASONS = {"fruhling": 4, "fruhjahr": 4, "spring": 4, "sommer": 7, "summer": 7, "herbst": 10, "autumn": 10, "fall": 10, "winter": 1}
_HOLIDAYS = {"weihnachten": (12, 24), "christmas": (12, 24), "xmas": (12, 24), "silvester": (12, 31), "ostern": (4, 1), "easter": (4, 1)}
_HALF_YEAR = [
    (re.compile(r"^vor (?:einem|1|nem|'nem|n|'n) halben jahr$", re.I), lambda m: "vor 6 monaten"),
    (re.compile(r"^(?:half a year|6 months) ago$", re.I), lambda m: "6 months ago"),
    (re.compile(r"^vor (\d+)[,.]5 jahren$", re.I), lambda m: f"vor {int(m.group(1)) * 12 + 6} monaten"),
    (re.compile(r"^(\d+)[,.]5 years ago$", re.I), lambda m: f"{int(m.group(1)) * 12 + 6} months ago"),
]
# Chat forms rewritten into what dateparser reads: fillers inside "vor ca. 2
# Jahren", "nem" for "einem", "back"/"her" for "ago", "a couple of" for 2.
_REWRITES = [
    (re.compile(r"\b(vor)\s+(?:ca\.?|circa|knapp|fast|gut|uber|ueber|über|so|rund|etwa|ungefahr|ungefähr|mehr als|weniger als)\s+", re.I), r"\1 "),
    (re.compile(r"\b(?:nem|'nem|n|'n|einem guten)\s+(jahr|monat)", re.I), r"einem \1"),
    (re.compile(r"\b(?:a couple of|a couple|couple of|couple)\s+", re.I), "2 "),
    (re.compile(r"\b(?:a few|few|several)\s+", re.I), "3 "),
    (re.compile(r"\b(?:ein paar|paar)\s+", re.I), "3 "),
    (re.compile(r"\b(?:almost|nearly|over|about|around|roughly|more than|less than|just over|just under)\s+(?=\d|a\b|an\b)", re.I), ""),
    (re.compile(r"^(\d+\s+\w+|an? \w+)\s+back$", re.I), r"\1 ago"),
    (re.compile(r"^(?:ist\s+)?(\d+|ein|eine|einen|einem)\s+(\w+)\s+(?:her|zuruck|zurück)$", re.I), r"vor \1 \2"),
]
_YEAR_WORDS = [
    (re.compile(r"^(?:letzten|letztes|vorigen|voriges|vergangenen|vergangenes)\s+jahr(?:es)?$|^(?:last|previous)\s+year$", re.I), -1),
    (re.compile(r"^(?:diesen|dieses|des)\s+jahr(?:es)?$|^(?:this|current)\s+year$", re.I), 0),
]
_LAST_YEAR_IN = re.compile(r"^(?:letztes jahr|last year)\s+(?:im|in)\s+(\w+)$", re.I)
_TRAILING = re.compile(r"\s+(?:gekauft|bought|purchased|rum|herum)$", re.I)
_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-]?(\d{2,4})?\.?$")
_LAST_MONTH_NAME = re.compile(r"^(?:letzten|letztes|vergangenen|last|previous)\s+(\w+)$", re.I)
_PART_OF = re.compile(r"^(anfang|mitte|ende|early|mid|late|end of|beginning of|start of)\s+(.+)$", re.I)
_PART_DAY = {"anfang": 1, "early": 1, "beginning of": 1, "start of": 1, "mitte": 15, "mid": 15}
_EXACT_DAY = re.compile(r"(?<!\d)\d{1,2}(?!\d)|ago|vor\s|gestern|yesterday|heute|today|woche|week|tag|day", re.I)


class DateProblem(str):
    UNPARSEABLE = "unparseable"
    FUTURE = "future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class ParsedDate:
    value: Optional[date]
    problem: Optional[str]  # one of DateProblem's values, None when fine
    approximate: bool = False  # the user gave only a month or a year


def _weekday_index(word: str) -> Optional[int]:
    """0 for "Montag"/"monday" ... 6 for "Sonntag"/"sunday"; None for other words."""
    folded = fold(word)
    for locale in ("de", "en"):
        for index, name in get_day_names("wide", locale=locale).items():
            if fold(name) == folded:
                return index
    return None


def _is_month_name(word: str) -> bool:
    folded = fold(word)
    return any(
        fold(name) == folded or (len(folded) >= 3 and fold(name).startswith(folded))
        for locale in ("de", "en")
        for name in get_month_names("wide", locale=locale).values()
    )


def _settings(lang: str, today: date) -> dict:
    from datetime import datetime

    return {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "DATE_ORDER": "DMY" if lang == "de" else "MDY",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": [],
    }


def _year_of(phrase: str, today: date) -> Optional[int]:
    """"2024", "letzten Jahres", "last year", "this year" -> the year; else None."""
    phrase = phrase.strip()
    if re.fullmatch(r"(?:of\s+)?\d{4}", phrase):
        return int(phrase[-4:])
    phrase = re.sub(r"^of\s+", "", phrase)
    for pattern, offset in _YEAR_WORDS:
        if pattern.match(phrase):
            return today.year + offset
    return None


def _year_as_number(text: str, today: date) -> str:
    """"im März letzten Jahres" -> "im März 2025", "in november last year" ->
    "in november 2025": dateparser reads the number, not the phrase."""
    words = text.split()
    for cut in (2, 3):
        if len(words) > cut:
            year = _year_of(" ".join(words[-cut:]), today)
            if year is not None:
                return f"{' '.join(words[:-cut])} {year}"
    return text


def _season_key(word: str) -> Optional[tuple]:
    if word in _SEASONS:
        return _SEASONS[word], 1
    return _HOLIDAYS.get(word)


def _season_or_holiday(text: str, today: date) -> Optional[date]:
    """"letzten Sommer" -> 1 July, "last christmas" -> 24 December: the most
    recent one that has begun (last year's when "letzte/last" and this year's
    has not yet come); "Sommer 2024", "christmas last year" -> that year's."""
    words = fold(text).split()
    if not words or len(words) > 4:
        return None
    start = next((i for i, word in enumerate(words) if _season_key(word)), None)
    if start is None:
        return None
    month, day = _season_key(words[start])
    rest = " ".join(words[start + 1:])
    if rest:
        year = _year_of(rest, today)
        return date(year, month, day) if year is not None else None
    if len(words) > 3:
        return None
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else candidate.replace(year=today.year - 1)


def _part_of_year(key: str, year: int) -> date:
    """"anfang 2025" -> 1 Jan, "mitte" -> 1 June, "ende" -> 31 Dec."""
    month = {1: 1, 15: 6}.get(_PART_DAY.get(key, 0), 12)
    return date(year, month, 1 if month != 12 else 31)


def _iso(text: str) -> Optional[date]:
    """"2025-03-10" (what a validated slot holds, or a user who writes ISO)."""
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def _numeric(text: str, lang: str, today: date) -> Optional[date]:
    match = _NUMERIC.match(text)
    if not match:
        return None
    first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
    day, month = (first, second) if lang == "de" or first > 12 else (second, first)
    if lang != "de" and second > 12:
        day, month = second, first
    if year is None:
        candidate_year = today.year
    else:
        candidate_year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        value = date(candidate_year, month, day)
    except ValueError:
        return None
    if year is None and value > today:
        value = value.replace(year=today.year - 1)
    return value


def _parse(text: str, lang: str, today: date):
    languages = [lang, "en" if lang == "de" else "de"]
    return dateparser.parse(text, languages=languages, settings=_settings(lang, today))


def parse_purchase_date(text: Optional[str], lang: str, today: date) -> ParsedDate:
    if not text or not text.strip():
        return ParsedDate(None, DateProblem.UNPARSEABLE)
    cleaned = text.strip().rstrip("?!,;")
    previous = None
    while previous != cleaned:  # "on the 3rd of may", "so um ca. 2024"
        previous, cleaned = cleaned, _TRAILING.sub("", _LEADING.sub("", cleaned)).strip()
    approximate = False
    for pattern, replace in _REWRITES + _HALF_YEAR:
        cleaned = pattern.sub(replace, cleaned)
    value = _iso(cleaned) or _numeric(cleaned, lang, today)
    if value is None:
        value = _season_or_holiday(cleaned, today)
        approximate = value is not None
    if value is None and _LAST_YEAR_IN.match(cleaned):
        parsed = _parse(f"{_LAST_YEAR_IN.match(cleaned).group(1)} {today.year - 1}", lang, today)
        value, approximate = (parsed.date(), True) if parsed else (None, False)
    if value is None:
        last = _LAST_MONTH_NAME.match(cleaned)
        part = _PART_OF.match(cleaned)
        weekday = _weekday_index(last.group(1)) if last else None
        if weekday is not None:
            value = today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
        elif last and _is_month_name(last.group(1)):
            parsed = _parse(last.group(1), lang, today)
            if parsed is not None:
                value = parsed.date()
                if value >= today.replace(day=1):
                    value = value.replace(year=value.year - 1)
                approximate = True
        elif part and (year := _year_of(part.group(2), today)) is not None:
            value, approximate = _part_of_year(part.group(1).lower(), year), True
        elif part:
            parsed = _parse(part.group(2), lang, today)
            if parsed is not None:
                value = parsed.date()
                key = part.group(1).lower()
                if key in _PART_DAY:
                    value = value.replace(day=_PART_DAY[key])
                else:  # ende / end of / late: the month's last day
                    value = value.replace(day=calendar.monthrange(value.year, value.month)[1])
                approximate = True
        else:
            parsed = _parse(_year_as_number(cleaned, today), lang, today)
            if parsed is not None:
                value = parsed.date()
                approximate = not _EXACT_DAY.search(cleaned)
    if value is None:
        return ParsedDate(None, DateProblem.UNPARSEABLE)
    if value > today:
        return ParsedDate(value, DateProblem.FUTURE)
    if value < EARLIEST_PURCHASE:
        return ParsedDate(value, DateProblem.TOO_OLD)
    return ParsedDate(value, None, approximate)
