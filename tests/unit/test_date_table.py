"""The purchase-date grammar against a table of how people write dates
(tests/unit/date_expressions.yml: written from chat habits and the reading
rules, not from the code). Each line expects a day, a month, a year, `ask`
or `future`; a month or year means the parser must return the whole span,
so the bot never fills in a part the user did not give."""
import calendar
from datetime import date
from pathlib import Path

import pytest
import yaml

from support.dates import DateProblem, parse_purchase_date

TABLE = yaml.safe_load((Path(__file__).parent / "date_expressions.yml").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(TABLE["today"])
ROWS = TABLE["expressions"]


def expected_span(expect: str):
    if ".." in expect:  # a season: its first month's first day to its last month's last day (or today)
        first, last = expect.split("..")
        return expected_span(first)[0], expected_span(last)[1]
    parts = [int(p) for p in expect.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        year, month = parts
        return date(year, month, 1), min(TODAY, date(year, month, calendar.monthrange(year, month)[1]))
    return date(parts[0], 1, 1), min(TODAY, date(parts[0], 12, 31))


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['lang']}:{r['text']}" for r in ROWS])
def test_date_expression(row):
    result = parse_purchase_date(row["text"], row["lang"], TODAY)
    expect = str(row["expect"])
    if expect == "ask":
        # a problem, or both readings kept ("may 25": May 2025 or 25 May 2026): the
        # check then gives a verdict only if it holds for both, else asks
        assert result.problem in (DateProblem.UNPARSEABLE, DateProblem.AMBIGUOUS) or result.precision == "either", result
    elif expect == "future":
        assert result.problem == DateProblem.FUTURE, result
    else:
        assert result.problem is None, result
        assert (result.earliest, result.latest) == expected_span(expect), result


def test_the_table_is_large_and_bilingual():
    assert len(ROWS) >= 300
    assert {r["lang"] for r in ROWS} == {"de", "en"}
    assert len({(r["lang"], r["text"]) for r in ROWS}) == len(ROWS)
