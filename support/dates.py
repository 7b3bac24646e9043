"""Purchase dates from chat text in German or English.

A date is read into the span of days it can mean: "10.03.2025" is one day,
"04/2025" or "vor 3 Monaten" a month, "2024" a year. The warranty verdict is
then given only when it holds for every day of that span (support.warranty),
so a month the user left out is never silently filled in from today.

The grammar is explicit (patterns below, most precise first) because general
date parsers fill missing parts from today ("04/2025" -> 4 December 2025).
Month names come from babel's German and English calendars plus the chat
spellings in resources/date_words.yml; typos of the longer names are matched
with rapidfuzz. Numeric dates are read day first in both languages, as in
every country the source covers; month first only where day first is
impossible (3/25/25). Anything the grammar cannot read with certainty is a
problem, and the bot asks.
"""
from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml
from babel.dates import get_day_names, get_month_names
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from rapidfuzz.distance import OSA

EARLIEST_PURCHASE = date(2010, 1, 1)  # before any product of the brand; see README
WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "date_words.yml"


class DateProblem(str):
    UNPARSEABLE = "unparseable"  # no date, or one that does not exist (31.04.)
    AMBIGUOUS = "ambiguous"  # readable in two ways ("may 25"), or too vague ("vor ein paar Monaten")
    FUTURE = "future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class ParsedDate:
    value: Optional[date]  # the day assumed: the first of the span (for a holiday, that day)
    problem: Optional[str]  # one of DateProblem's values, None when fine
    earliest: Optional[date] = None
    latest: Optional[date] = None  # never after today
    precision: str = "day"  # day, week, month or year: what the user's words fix
    text: str = ""  # the words the date was read from

    @property
    def approximate(self) -> bool:
        return self.problem is None and self.earliest != self.latest


# --- vocabulary ----------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _words() -> Dict:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


def _plain(text: str) -> str:
    """Lower case with umlauts written out the chat way, punctuation kept."""
    text = text.lower()
    for source, target in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("ß", "ss"), ("’", "'"), ("`", "'")):
        text = text.replace(source, target)
    return text


@functools.lru_cache(maxsize=1)
def month_names() -> Dict[str, int]:
    """Every spelling of a month name the grammar accepts -> month number."""
    names: Dict[str, int] = {}
    for locale in ("de", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[_plain(name).rstrip(".")] = number
    for spelling, number in _words()["month_spellings"].items():
        names[_plain(spelling)] = number
    return names


@functools.lru_cache(maxsize=1)
def _weekdays() -> Dict[str, int]:
    days: Dict[str, int] = {}
    for locale in ("de", "en"):
        for index, name in get_day_names("wide", locale=locale).items():
            days[_plain(name)] = index
    return days


def _month_of(word: str) -> Optional[int]:
    names = month_names()
    word = word.rstrip(".")
    if word in names:
        return names[word]
    if len(word) >= 5:  # "febuar", "septmber", "dezemeber": one edit from a long name
        for name, number in names.items():
            if len(name) >= 5 and OSA.distance(word, name) <= 1:
                return number
    return None


def _number(word: str) -> Optional[float]:
    if re.fullmatch(r"\d+(?:[.,]5)?", word):
        return float(word.replace(",", "."))
    return _words()["numbers"].get(word)


# --- spans ---------------------------------------------------------------

def _month_span(year: int, month: int) -> Tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _recent(month: int, day: Optional[int], today: date, allow_current: bool = True) -> int:
    """The year of the most recent such month (or day) not after today; the
    current month alone counts only when allow_current."""
    for year in range(today.year, today.year - 9, -1):
        candidate = _valid(year, month, day or 1)
        if candidate is None or candidate > today:
            continue
        if not allow_current and day is None and (year, month) == (today.year, today.month):
            continue
        return year
    return today.year - 9


def _year(text: str) -> int:
    text = text.lstrip("'")
    return int(text) + (2000 if len(text) == 2 else 0)


def _valid(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


Match = Tuple[Optional[Tuple[date, date]], str, Optional[str]]  # (span, precision, problem)


def _day(value: Optional[date]) -> Match:
    if value is None:
        return None, "day", DateProblem.UNPARSEABLE
    return (value, value), "day", None


def _month(year: int, month: int) -> Match:
    if not 1 <= month <= 12:
        return None, "month", DateProblem.UNPARSEABLE
    return _month_span(year, month), "month", None


def _year_span(year: int) -> Match:
    return (date(year, 1, 1), date(year, 12, 31)), "year", None


def _ambiguous() -> Match:
    return None, "day", DateProblem.AMBIGUOUS


# --- the grammar -----------------------------------------------------------
# Before the rules run, month names become "m01".."m12", ordinal words before a
# month become numbers ("am dritten m10" -> "am 3. m10"), units glued to a
# number are split ("3mo"), and typos of the grammar's keywords are mended.
# Each rule gets the match, today and the language, and returns a Match; a
# rule that returns (None, _, None) declines and the search goes on.

NUM = r"(\d+(?:[.,]5)?|[a-z']+)"
FILL = r"(?:(?:ca\.?|circa|etwa|ungefahr|rund|so|about|around|roughly|approx\.?|approximately|maybe|like|ungefaehr)\s+)?"
# "vor über einem Jahr", "almost a year ago": a bound, not a date -> ask
BOUND = r"(?:uber|ueber|fast|knapp|gut|mehr als|weniger als|unter|almost|nearly|over|more than|less than|just over|just under|under)\s+"
YEAR_WORDS = {"letzten jahres": -1, "letztes jahr": -1, "letzten jahr": -1, "vorigen jahres": -1, "voriges jahr": -1, "vergangenen jahres": -1,
              "vergangenes jahr": -1, "last year": -1, "lastyear": -1, "last yr": -1, "previous year": -1, "dieses jahres": 0, "dieses jahr": 0,
              "des jahres": 0, "diesen jahres": 0, "this year": 0, "the year": 0, "vorletzten jahres": -2, "vorletztes jahr": -2,
              "the year before last": -2, "nachstes jahr": 1, "nachsten jahres": 1, "next year": 1}
YEAR_WORD = "(?:" + "|".join(sorted(map(re.escape, YEAR_WORDS), key=len, reverse=True)) + ")"
UNITS = {"tag": "days", "tagen": "days", "tage": "days", "day": "days", "days": "days",
         "woche": "weeks", "wochen": "weeks", "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks", "fortnight": "fortnight",
         "monat": "months", "monaten": "months", "monate": "months", "monats": "months", "month": "months", "months": "months", "mon": "months",
         "mo": "months", "mth": "months", "mths": "months", "mnth": "months", "mnths": "months",
         "jahr": "years", "jahren": "years", "jahre": "years", "jahres": "years", "year": "years", "years": "years", "yr": "years", "yrs": "years"}
UNIT = "(" + "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)) + ")"
LAST = r"(?:letzten|letztes|letzte|letzter|vergangenen|vergangenes|vorigen|voriges|last|previous|past)"
BEFORE_LAST = r"(?:vorletzten|vorletztes|vorletzte|before last)"
NEXT = r"(?:nachsten|nachstes|nachste|kommenden|kommendes|next|coming)"
DAY_SUFFIX = r"(?:\.|st|nd|rd|th|ten|ter|sten|te)?"
AROUND = r"(?:kurz\s+)?(?:vor|nach|before|after|just before|just after|right before|right after|shortly before|shortly after|zwischen)\s+(?:den\s+|dem\s+)?"
ALTERNATIVE = re.compile(r"\b(?:oder|or|bis|zwischen|between|und|and|to)\b|[/-]")


def _year_of_word(word: str, today: date) -> Optional[int]:
    word = word.strip()
    if re.fullmatch(r"\d{4}", word):
        return int(word)
    if re.fullmatch(r"'?\d{2}", word):
        return _year(word)
    offset = YEAR_WORDS.get(word)
    return None if offset is None else today.year + offset


def _relative(amount: Optional[float], unit: str, today: date) -> Match:
    unit = UNITS.get(unit, unit)
    if unit == "fortnight":
        amount, unit = (amount or 1) * 2, "weeks"
    if amount is None or amount <= 0 or amount > 40 * (12 if unit == "months" else 1):
        return _ambiguous()
    if unit in ("days", "weeks") and amount == int(amount):
        return _day(today - timedelta(days=int(amount) * (7 if unit == "weeks" else 1)))
    months = amount * (12 if unit == "years" else 1) if unit in ("months", "years") else None
    if months is None or months != int(months):
        return _ambiguous()
    back = today - relativedelta(months=int(months))
    return _month(back.year, back.month)


def _future(today: date) -> Match:
    """"in 2 wochen", "next month": some day after today (the FUTURE problem
    names tomorrow, the first such day)."""
    return _day(today + timedelta(days=1))


def _part(word: str, month: Optional[int], year: Optional[int]) -> Match:
    """"anfang 2025" -> January, "mitte" -> June, "ende" -> December; with a
    month ("anfang märz 2025") the month itself."""
    if year is None:
        return _ambiguous()
    if month is not None:
        return _month(year, month)
    return _month(year, _words()["parts"][word])


def _season(word: str, year: Optional[int], today: date, offset: int) -> Match:
    """A season or holiday: the most recent one that has begun (a year before
    that with "vorletzten"/"before last"; "letzten"/"last" skips today's)."""
    seasons, holidays = _words()["seasons"], _words()["holidays"]
    last_month = None
    if word in seasons:
        (month, last_month), day = seasons[word] or (None, None), None
    elif holidays[word] == "easter":
        # "zu ostern 2024": around Easter Sunday (31 March 2024; shops are shut that day),
        # Holy Week to Easter Monday, the most recent one that has begun if no year is given
        for candidate in ([year] if year is not None else range(today.year, today.year - 9, -1)):
            sunday = easter(candidate)
            if year is not None or sunday - timedelta(days=7) <= today:
                return (sunday - timedelta(days=7), min(today, sunday + timedelta(days=1))), "range", None
        return _ambiguous()
    else:
        month_day = holidays[word]
        month, day = month_day if month_day else (None, None)
    if month is None:
        return _ambiguous()  # winter (which year?), Easter (moves every year)
    if year is None:
        year = _recent(month, day, today)
        if day is not None and offset and date(year, month, day) == today:
            year -= 1
        if last_month is not None and offset and today <= _month_span(year, last_month)[1]:
            year -= 1  # "last summer", said in July: the summer before this one
        if offset > 1:
            year -= offset - 1
    if last_month is not None:  # "letzten sommer": June to August, as far as they are past
        return (date(year, month, 1), min(today, _month_span(year, last_month)[1])), "season", None
    if day is None:
        return _month(year, month)
    return _day(_valid(year, month, day))


def _seasons_pattern() -> str:
    names = list(_words()["seasons"]) + list(_words()["holidays"])
    return "(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + ")"


def _rules() -> List[Tuple[re.Pattern, Callable[[re.Match, date, str], Match]]]:
    r = re.compile
    season = _seasons_pattern()
    year = r"(\d{4}|'\d\d|" + YEAR_WORD + r")"
    return [
        # around a holiday, bounds and alternatives: ask
        (r(r"\b" + AROUND + season), lambda m, t, l: _ambiguous()),
        (r(r"\b(?:vor|since|seit)?\s*" + BOUND + NUM + r"\s+" + UNIT + r"\b"), lambda m, t, l: _ambiguous()),
        # numeric: ISO, year first, day-month-year
        (r(r"(?<![\w.,])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])"), lambda m, t, l: _day(_valid(int(m[1]), int(m[3]), int(m[4])))),
        (r(r"(?<![\w.,/])(\d{1,2})\s?([./,-]|\s)\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?!\d)"), lambda m, t, l: _numeric_day(int(m[1]), int(m[3]), _year(m[4]))),
        (r(r"(?<![\w.])(\d{4})-(\d{1,2})(?![\d-])"), lambda m, t, l: _month(int(m[1]), int(m[2]))),
        (r(r"(?<![\w.,/])(\d{1,2})\s?[./-]\s?(\d{4})(?!\d)"), lambda m, t, l: _month(int(m[2]), int(m[1]))),
        # a day with a month name
        (r(r"(?<![\w.,])(\d{1,2})" + DAY_SUFFIX + r"\s*(?:of\s+|-)?m(\d\d)\.?(?:\s*,?\s*(\d{4}|'\d\d|\d\d(?![\d:.])|" + YEAR_WORD + r"))?"),
         lambda m, t, l: _named_day(int(m[1]), int(m[2]), m[3], t)),
        (r(r"\bm(\d\d)\.?\s+(?:the\s+)?(\d{1,2})(st|nd|rd|th)?(?:\s*,?\s*(\d{4}))?(?![\d:.])"), _month_then_day),
        # a month name with a year
        (r(r"\b(?:" + NEXT + r"\s+)m(\d\d)\b"), lambda m, t, l: _future(t)),
        (r(r"\bm(\d\d)\.?\s*,?\s*(?:of\s+|des\s+)?" + year + r"(?![\d])"), lambda m, t, l: _month(_year_of_word(m[2], t), int(m[1]))),
        (r(r"\b(" + YEAR_WORD + r")\s*(?:im|in)\s+m(\d\d)\b"), lambda m, t, l: _month(_year_of_word(m[1], t), int(m[2]))),
        (r(r"\b(" + YEAR_WORD + r")\s*(?:im|in)\s+" + season), lambda m, t, l: _season(m[2], _year_of_word(m[1], t), t, 0)),
        # relative
        (r(r"\b(?:vor|before)\s+" + FILL + r"(?:einem|einer|einen|nem|'nem|n|'n|1)\s+halben\s+jahr"), lambda m, t, l: _relative(6, "months", t)),
        (r(r"\bhalf\s+a\s+(?:year|yr)\s+(?:ago|back)|\bein\s+halbes\s+jahr\s+(?:her|zuruck)"), lambda m, t, l: _relative(6, "months", t)),
        (r(r"\b(?:(a|one|1|two|2|three|3)\s+(?:years?|yrs?)\s+and\s+a\s+half|(ein|zwei|drei)einhalb\s+jahre?n?|(anderthalb))\b"),
         lambda m, t, l: _relative(12 * ((_number(m[1] or m[2] or "ein") or 1) + 0.5), "months", t)),
        (r(r"\b(a|one|1|two|2|three|3)\s+and\s+a\s+half\s+(?:years?|yrs?)\b"), lambda m, t, l: _relative(12 * (_number(m[1]) + 0.5), "months", t)),
        (r(r"\b(?:vor|seit|since|for|hab(?:e)? (?:es|ihn|das|es schon)|had it for)\s+" + FILL + NUM + r"\s+" + UNIT + r"\b"), lambda m, t, l: _relative(_number(m[1]), m[2], t)),
        (r(r"\b" + FILL + NUM + r"\s+" + UNIT + r"\s+(?:ago|back|her|zuruck)\b"), lambda m, t, l: _relative(_number(m[1]), m[2], t)),
        (r(r"\b(?:a|one)\s+fortnight\s+ago\b"), lambda m, t, l: _relative(1, "fortnight", t)),
        (r(r"\bin\s+" + NUM + r"\s+" + UNIT + r"\b"), lambda m, t, l: _future(t) if _number(m[1]) else (None, "day", None)),
        # numeric day-month without a year ("am 3.10.", "3/10"), month/two-digit year ("04/25")
        (r(r"(?<![\w.,/])(\d{1,2})\s?([./])\s?(\d{1,2})(?:\2)?(?![\d]|[./]\d)"), lambda m, t, l: _numeric_short(int(m[1]), int(m[3]), m[2], t, l)),
        (r(r"\b(?:vorgestern|(?:the\s+)?day before(?: yesterday)?)\b"), lambda m, t, l: _day(t - timedelta(days=2))),
        (r(r"\b(?:gestern|yesterday|yday|last night)\b"), lambda m, t, l: _day(t - timedelta(days=1))),
        (r(r"\b(?:heute morgen|heute fruh|this morning|heute|today|heut)\b"), lambda m, t, l: _day(t)),
        (r(r"\b(?:ubermorgen|morgen|tomorrow)\b"), lambda m, t, l: _day(t + timedelta(days=1))),
        (r(r"\b" + NEXT + r"\s+(?:woche|week|monat|month|jahr|year|" + season[1:-1] + r")\b"), lambda m, t, l: _future(t)),
        # parts of a year or month, seasons and holidays
        (r(r"\b(anfang|beginning of|start of|early|fruh|mitte|mid|middle of|ende|end of|late|spat)\s+(?:m(\d\d)\s*)?" + year),
         lambda m, t, l: _part(m[1], int(m[2]) if m[2] else None, _year_of_word(m[3], t))),
        (r(r"\b(?:anfang|beginning of|start of|early|mitte|mid|middle of|ende|end of|late)\s+(?:" + LAST + r"\s+(?:monats|month)|des monats|this month|dieses monats)"),
         lambda m, t, l: _month((t - relativedelta(months=1)).year, (t - relativedelta(months=1)).month) if re.search(LAST, m[0]) else _month(t.year, t.month)),
        (r(r"\b(?:anfang|beginning of|start of|early|mitte|mid|middle of|ende|end of|late)\s+m(\d\d)\b"),
         lambda m, t, l: _month(_recent(int(m[1]), None, t), int(m[1])) if int(m[1]) != t.month else _ambiguous()),
        (r(r"(?:\b(" + BEFORE_LAST + r"|" + LAST + r")\s+)?\b" + season + r"(?:\s+(?:of\s+)?(\d{4}|'?\d\d(?!\d)|" + YEAR_WORD + r"))?(?:\s+(before last))?"),
         lambda m, t, l: _season(m[2], _year_of_word(m[3], t) if m[3] else None, t,
                                 2 if (m[1] and re.match(BEFORE_LAST, m[1])) or m[4] else (1 if m[1] else 0))),
        # a week, a month, a year, a weekday, a month name
        (r(r"\b" + LAST + r"\s+(?:woche|week)\s+(?:am\s+|on\s+)?([a-z]+tag|mittwoch|[a-z]+day)\b"), lambda m, t, l: _weekday(m[1], t, weeks_back=1)),
        (r(r"\b" + LAST + r"\s+(?:woche|week)\b"), lambda m, t, l: _last_week(t)),
        (r(r"\b" + LAST + r"\s+(?:monat|month)\b"), lambda m, t, l: _month((t - relativedelta(months=1)).year, (t - relativedelta(months=1)).month)),
        (r(r"\b(?:diesen|dieser|this)\s+(?:monat|month)\b"), lambda m, t, l: _month(t.year, t.month)),
        (r(r"\b(" + YEAR_WORD + r")(?!\s*(?:im|in)\s)"), lambda m, t, l: _year_span(_year_of_word(m[1], t))),
        (r(r"\b(?:" + LAST + r"\s+|am\s+|on\s+)?([a-z]+tag|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mittwoch)\b"),
         lambda m, t, l: _weekday(m[1], t, explicit_last=bool(re.match(LAST, m[0])))),
        (r(r"\b(?:" + LAST + r")\s+m(\d\d)\b"), lambda m, t, l: _last_month_named(int(m[1]), t)),
        (r(r"\bm(\d\d)\b"), lambda m, t, l: _month(_recent(int(m[1]), None, t), int(m[1])) if int(m[1]) != t.month else _ambiguous()),
        (r(r"(?<![\w.,/-])(20[0-4]\d|19\d\d|'\d\d)(?![\d])"), lambda m, t, l: _year_span(_year(m[1]))),
    ]


def _numeric_day(first: int, second: int, year: int) -> Match:
    """Day first; month first only where day first is impossible (3/25/25)."""
    if second <= 12:
        return _day(_valid(year, second, first))
    if first <= 12:
        return _day(_valid(year, first, second))
    return _day(None)


def _numeric_short(first: int, second: int, separator: str, today: date, lang: str) -> Match:
    """"3.10." / "3/10": a day and month without a year (the most recent one);
    "04/25": a month and a two-digit year in German; ambiguous in English,
    where "12/24" is as often 24 December."""
    if second > 12:
        if separator == "/" and 1 <= first <= 12 and second <= today.year % 100:
            as_month = _month(2000 + second, first)
            if lang == "de":
                return as_month
            return _either(as_month, _named_day(second, first, None, today) if second <= 31 else _day(None))
        return _ambiguous()
    if not 1 <= first <= 31 or _valid(2024, second, first) is None:
        return _day(None)
    return _named_day(first, second, None, today)


def _named_day(day: int, month: int, year_text: Optional[str], today: date) -> Match:
    if not 1 <= month <= 12:
        return _day(None)
    if year_text is None:
        if _valid(2024, month, day) is None:
            return _day(None)
        return _day(_valid(_recent(month, day, today), month, day))
    return _day(_valid(_year_of_word(year_text, today), month, day))


def _month_then_day(m: re.Match, today: date, lang: str) -> Match:
    """"June 3rd 2025", "may 12, 2025", "on june 2"; "feb 25" is a month and a
    two-digit year in German ("25. Februar" is how Germans write the day),
    ambiguous in English."""
    month, number, ordinal, year = int(m[1]), int(m[2]), m[3], m[4]
    if year:
        return _day(_valid(int(year), month, number))
    if ordinal or len(m[2]) == 1:
        return _named_day(number, month, None, today)
    if lang == "de" or number > 31:
        return _month(2000 + number, month)
    return _either(_month(2000 + number, month), _named_day(number, month, None, today))


def _either(first: Match, second: Match) -> Match:
    """Two readings ("may 25": May 2025 or 25 May): the span that covers both,
    so a verdict is given only when it holds for either (precision "either");
    one reading alone when the other is no date."""
    readings = [m for m in (first, second) if m[0] is not None]
    if len(readings) < 2:
        return readings[0] if readings else _ambiguous()
    (a, b), (c, d) = first[0], second[0]
    return (min(a, c), max(b, d)), "either", None


def _last_week(today: date) -> Match:
    monday = today - timedelta(days=today.weekday() + 7)
    return (monday, monday + timedelta(days=6)), "week", None


def _weekday(word: str, today: date, explicit_last: bool = False, weeks_back: int = 0) -> Match:
    index = _weekdays().get(word)
    if index is None:
        return None, "day", None  # not a weekday ("geburtstag"): no match
    if weeks_back:
        monday = today - timedelta(days=today.weekday() + 7 * weeks_back)
        return _day(monday + timedelta(days=index))
    if index == today.weekday() and not explicit_last:
        return _ambiguous()  # "am Dienstag" on a Tuesday: today or a week ago?
    return _day(today - timedelta(days=(today.weekday() - index) % 7 or 7))


_WEEKDAY_FIRST = re.compile(r"^(mo|di|mi|do|fr|sa|so|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|[a-z]+tag|[a-z]+day|mittwoch)\.?,")


def _weekday_of(word: str) -> Optional[int]:
    """"Fr" / "fri" / "freitag" -> 4."""
    for name, index in _weekdays().items():
        if name == word or (len(word) >= 2 and name.startswith(word)):
            return index
    return None


def _last_month_named(month: int, today: date) -> Match:
    """"letzten Juni" -> the most recent June before this month; the month
    just gone ("letzten November" on 1 December) could mean last month or a
    year before: ask."""
    if month == (today - relativedelta(months=1)).month:
        return _ambiguous()
    return _month(_recent(month, None, today, allow_current=False), month)


_MAY_VERB = re.compile(r"\bmay(?=\s+(?:i|we|you|be|have|help|ask|need|want|get|know|work|still|also|not|it|he|she|they)\b)")
_PRODUCTS = re.compile(
    r"\b(?:xiaomi|redmi|poco|mi|mix|note|pad|watch|band|iphone|galaxy|pixel|modell|model)"
    r"(?:\s+(?:note|pad|mix|flip|band|watch|smart))*\s+[a-z]?\d{1,2}[a-z]?(?:\s*(?:pro\+?|ultra|lite|plus|t|s|x|\+))*\b(?![./,-]\d)"
    r"|\b\d{1,2}\s*(?:pro\+?|ultra|lite|plus|t pro)\b"
)
_NOT_DATES = re.compile(
    r"\b\d{1,2}[:.]\d{2}\s*(?:uhr|h|am|pm)\b|\b\d{1,2}:\d{2}\b|\b\d+(?:[.,]\d+)?\s*(?:euro|eur|€|gb|tb|mah|mp|%|uhr)"
    r"|#\s*\d+|\b(?:bestellnummer|order|auftrag|rechnung|invoice|nr|no)\.?\s*:?\s*\d{4,}\b|\b\d{6,}\b"
)
_GLUED_UNIT = re.compile(r"(\d)(mo|mths?|mnths?|yrs?|wks?|j|jahren?|monaten?|wochen?|tagen?|days?|weeks?|months?|years?)\b")


def _mend(word: str) -> str:
    """A typo of one of the grammar's keywords ("gestren", "lezten", "yesterdy")."""
    keywords = _words()["keywords"]
    if len(word) < 5 or word in keywords or word in UNITS or word in month_names() or word in _words()["numbers"]:
        return word
    for keyword in keywords:
        if abs(len(keyword) - len(word)) <= 1 and OSA.distance(word, keyword) <= 1:
            return keyword
    return word


def _prepare(text: str) -> str:
    """Products ("Xiaomi 13 Pro"), clock times, prices and order numbers out;
    month names to m01..m12, ordinal words to numbers, typos mended."""
    text = _plain(text)
    text = _PRODUCTS.sub(" ", text)
    text = _NOT_DATES.sub(" ", text)
    text = _GLUED_UNIT.sub(r"\1 \2", text)
    text = _MAY_VERB.sub("may_", text)  # "may I ask", "may be": the verb, not the month
    text = re.sub(r"[a-z]+", lambda m: _mend(m.group(0)), text)

    def month_token(match: re.Match) -> str:
        number = _month_of(match.group(0))
        return match.group(0) if number is None else f"m{number:02d}"

    text = re.sub(r"[a-z]+", month_token, text)
    ordinals = _words()["ordinals"]
    text = re.sub(r"\b([a-z]+)(\s+(?:of\s+)?m\d\d)", lambda m: f"{ordinals[m[1]]}.{m[2]}" if m[1] in ordinals else m[0], text)
    return re.sub(r"\s+", " ", text).strip()


DAY_ANSWER_WORDS = 6  # "am 20. glaub ich", "5th dec i think": a day named in a short answer


def day_of_month(text: str) -> Optional[int]:
    """"am 10.", "the 10th", "am 20. glaub", "5th dec i think" -> the day (an
    answer to "which day exactly?"): the one number of a short answer that is
    no year, time or amount."""
    if len(text.split()) > DAY_ANSWER_WORDS or re.search(r"\d[:/-]|\d\.\d|\d{3}", text):
        return None
    found = re.findall(r"(?<!\d)(\d{1,2})(?:\.|st\b|nd\b|rd\b|th\b|ten\b|ter\b|sten\b)?(?!\s*(?:uhr|h\b|am\b|pm\b|tage|days|wochen|weeks|monat|month|jahr|year))", text, re.I)
    if len(found) != 1 or len(re.findall(r"\d+", text)) != 1:
        return None
    day = int(found[0])
    return day if 1 <= day <= 31 else None


DAY_ORDINAL = re.compile(r"(?<![\d.])\d{1,2}(?:\.|st|nd|rd|th|ter|ten)(?![\d])", re.I)


def month_named(text: str) -> Optional[int]:
    """The month a text names by name ("im november glaub ich" -> 11), if one."""
    found = re.search(r"\bm(\d\d)\b", _prepare(text[:500]))
    return int(found.group(1)) if found else None


@functools.lru_cache(maxsize=1)
def _compiled():
    return _rules()


def _matches(prepared: str, today: date, lang: str):
    """Every reading of the text, most precise rule first: (start, end, match)."""
    for pattern, rule in _compiled():
        for match in pattern.finditer(prepared):
            result = rule(match, today, lang)
            if result[0] is None and result[2] is None:
                continue  # the rule declined this match
            yield match.start(), match.end(), result, match.group(0).strip()


def _names_a_year(found: Optional[str]) -> bool:
    return bool(re.search(r"\d{2}", found or ""))


def _same_day_of_year(first, other) -> bool:
    """"xmas gift christmas 2024": the same day named twice, once without its year - one date."""
    (_, _, (span, _, _), text), (_, _, (other_span, _, _), other_text) = first, other
    if span is None or other_span is None or span[0] != span[1] or other_span[0] != other_span[1]:
        return False
    without_year = [t for t in (text, other_text) if not _names_a_year(t)]
    return len(without_year) == 1 and (span[0].month, span[0].day) == (other_span[0].month, other_span[0].day)


def _two_readings(prepared: str, first, today: date, lang: str) -> bool:
    """A second, different date beside the first, joined by "oder"/"or"/"bis"
    or right next to it ("ende 2024 anfang 2025"): the user is unsure."""
    start, end, (span, _, _), _ = first
    for other in _matches(prepared, today, lang):
        other_start, other_end, (other_span, _, _), _ = other
        if other_end <= start or other_start >= end:
            between = prepared[min(end, other_end):max(start, other_start)]
            if other_span != span and (ALTERNATIVE.search(between) or len(between.split()) <= 1) and not _same_day_of_year(first, other):
                return True
    return False


def parse_purchase_date(text: Optional[str], lang: str, today: date) -> ParsedDate:
    """The purchase date in a chat message or answer, as the span it means."""
    if not text or not text.strip():
        return ParsedDate(None, DateProblem.UNPARSEABLE)
    prepared = _prepare(text[:500])
    if re.search(_words()["vague"], prepared):
        return ParsedDate(None, DateProblem.AMBIGUOUS)
    first = next(_matches(prepared, today, lang), None)
    if first is None:
        return ParsedDate(None, DateProblem.UNPARSEABLE)
    if not _names_a_year(first[3]):  # "xmas gift christmas 2024": the reading with the year
        first = next((m for m in _matches(prepared, today, lang) if m is not first and _same_day_of_year(first, m)), first)
    _, _, (span, precision, problem), found = first
    if problem is not None:
        return ParsedDate(None, problem, precision=precision, text=found)
    if _two_readings(prepared, first, today, lang):
        return ParsedDate(None, DateProblem.AMBIGUOUS, precision=precision, text=found)
    earliest, latest = span
    if earliest == latest and _WEEKDAY_FIRST.match(prepared) and _weekday_of(_WEEKDAY_FIRST.match(prepared)[1]) != earliest.weekday():
        return ParsedDate(None, DateProblem.AMBIGUOUS, precision=precision, text=found)  # "Fr, 10.03.2025" was a Monday
    if earliest > today:
        return ParsedDate(earliest, DateProblem.FUTURE, earliest, latest, precision, found)
    latest = min(latest, today)
    if latest < EARLIEST_PURCHASE:
        return ParsedDate(earliest, DateProblem.TOO_OLD, earliest, latest, precision, found)
    return ParsedDate(earliest, None, max(earliest, EARLIEST_PURCHASE), latest, precision, found)
