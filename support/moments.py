"""A moment a user asks about ("morgen früh um 8", "tmrw at 8 before work",
"samstag 10 uhr"): the day (from today, in the country's time zone) and the
clock time, so the bot can say whether a hotline is open then. Pure; the
words are in resources/moment_words.yml."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Dict, Optional

import yaml

from support.text import fold

WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "moment_words.yml"
WEEKDAY_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Moment:
    day: date
    minutes: int  # after local midnight


@functools.lru_cache(maxsize=1)
def _words() -> Dict:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def _alternatives(words) -> str:
    return "|".join(re.escape(fold(w)) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _clock_pattern() -> re.Pattern:
    words = _words()
    lead, unit = _alternatives(words["time_leads"]), _alternatives(words["time_units"])
    # "um 8", "at 8:30", "8 uhr", "8am", "20:30", "8.30 uhr"; a lead or a unit or minutes make it a time
    return re.compile(
        rf"(?:\b(?P<lead>{lead})\s+)?(?<![\d.:/])(?P<hour>\d{{1,2}})(?:(?P<sep>[:.])(?P<minute>\d{{2}}))?(?![\d/]|[.]\d)(?:\s*(?P<unit>{unit})\b)?"
    )


def clock_time(text: str) -> Optional[int]:
    """Minutes after midnight of the one clock time a message names, or None."""
    folded = re.sub(r"[^\W\d_]+", lambda m: fold(m.group(0)), text.lower())  # words folded, "19:30" keeps its colon
    for match in _clock_pattern().finditer(folded):
        if not (match["lead"] or match["unit"] or match["sep"] == ":"):
            continue  # "10.03." is a date; "8.30 uhr", "um 8", "19:30" are times
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        rest = folded[match.end():match.end() + 30]
        if re.match(r"\s*(?:tag|tage|tagen|days?|wochen?|weeks?|monate?n?|months?|jahre?n?|years?|minuten?|minutes?|stunden?|hours?)\b", rest):
            continue  # "vor 3 tagen", "in 2 hours": an amount, not a clock time
        if hour > 24 or minute > 59:
            continue
        afternoon = match["unit"] == "pm" or any(f" {fold(w)} " in f" {folded} " for w in _words()["afternoon"] if w != "pm")
        if afternoon and hour < 12:
            hour += 12
        if match["unit"] == "am" and hour == 12:
            hour = 0
        return (hour % 24) * 60 + minute
    return None


def asked_day(text: str, today: date) -> Optional[date]:
    """The day a message asks about: today, tomorrow, a weekday (the next one, today included)."""
    folded = f" {fold(text)} "
    words = _words()
    for offset, names in sorted(words["days"].items(), key=lambda item: -item[0]):
        if any(f" {fold(n)} " in folded for n in names):
            return today + timedelta(days=int(offset))
    short = {fold(w) for w in words["short_weekdays"]}
    for code, names in words["weekdays"].items():
        for name in names:
            name = fold(name)
            if name in short:
                if not (re.search(rf" {re.escape(name)}\.?\s+(?:{_alternatives(words['time_leads'])}\s+)?\d", folded)
                        or re.search(rf" (?:on|am|next|this|diesen|nachsten|kommenden) {re.escape(name)} ", folded)):
                    continue
            elif f" {name} " not in folded:
                continue
            return today + timedelta(days=(WEEKDAY_ORDER.index(code) - today.weekday()) % 7)
    return None


def asked_moment(text: str, today: date) -> Optional[Moment]:
    """The moment a message asks about: a clock time, on the day it names (today if none)."""
    minutes = clock_time(text)
    if minutes is None:
        return None
    day = asked_day(text, today)
    folded = f" {fold(text)} "
    if day is None and any(f" {fold(word)} " in folded for word in _words()["now"]):
        return None  # "is it open now? its 10 pm here": now, with the user's own clock told
    return Moment(day or today, minutes)
