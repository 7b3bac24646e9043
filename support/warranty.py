"""Warranty rules: which period applies, when it ends, IWS eligibility.

Pure functions over the knowledge data. Periods follow the article (line 14):
24 months in the EU, usually 12 months in India and South-East Asia, usually
6 months for accessories. Where the article has no rule, the answer is None:
the bot then says it does not know instead of guessing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional, Tuple

from dateutil.relativedelta import relativedelta

from support.knowledge import Knowledge, Source


@dataclass(frozen=True)
class Period:
    months: int
    qualifier: str  # "mandatory" or "usually"
    basis: str  # "accessory" or the warranty region ("eu", "india", "sea")
    source: Source


@dataclass(frozen=True)
class WarrantyCheck:
    period: Period
    purchase: date
    end: date  # last day covered
    covered: bool
    days_left: int  # 0 when expired
    days_expired: int  # 0 when covered


def warranty_region(kb: Knowledge, country_code: Optional[str]) -> Optional[str]:
    """The region whose rule applies to a purchase country, if the source has one."""
    if not country_code:
        return None
    country = kb.countries.get(country_code)
    if country is not None:
        return country.warranty_region
    return "eu" if kb.is_eu_member(country_code) else None


def period_for(kb: Knowledge, country_code: Optional[str], kind: str) -> Optional[Period]:
    """The warranty period for a product kind ("device"/"accessory") bought in a country."""
    if kind == "accessory":
        rule = kb.warranty["accessories"]
        return Period(rule["months"], rule["qualifier"], "accessory", Source(**rule["source"]))
    return period_for_region(kb, warranty_region(kb, country_code))


def period_for_region(kb: Knowledge, region: Optional[str]) -> Optional[Period]:
    """The standard device warranty of a warranty region ("eu", "india", "sea")."""
    rule = kb.period_for_region(region)
    if rule is None:
        return None
    return Period(rule["months"], rule["qualifier"], region, Source(**rule["source"]))


def end_of_warranty(purchase: date, months: int) -> date:
    """The day the warranty ends: the same day `months` later, or the month's
    last day where that day does not exist (31 Jan + 1 month = 28/29 Feb)."""
    return purchase + relativedelta(months=months)


def check(period: Period, purchase: date, today: date) -> WarrantyCheck:
    end = end_of_warranty(purchase, period.months)
    covered = today <= end
    return WarrantyCheck(
        period=period,
        purchase=purchase,
        end=end,
        covered=covered,
        days_left=(end - today).days if covered else 0,
        days_expired=(today - end).days if not covered else 0,
    )


def serviced_across_eu(kb: Knowledge, bought_in: Optional[str], service_in: Optional[str]) -> Optional[bool]:
    """The EU rule: bought in one EU country, serviced anywhere in the EU.
    None when a country is unknown or outside the EU (the rule says nothing)."""
    if not bought_in or not service_in:
        return None
    if kb.is_eu_member(bought_in) and kb.is_eu_member(service_in):
        return True
    return None


@dataclass(frozen=True)
class SpanCheck:
    """The verdict for a purchase date known only as a span of days."""
    verdict: Optional[WarrantyCheck]  # the same verdict for every day of the span (at its least favourable day), else None
    last_expired: Optional[date]  # when the verdict depends on the day: the last purchase day already expired
    first_covered: Optional[date]  # ... and the first purchase day still covered
    # covered for every day, but the end falls within the span's width from today
    # (bought on 1 or 31 December 2024: today is the last day, or 30 days are left)
    ends_between: Optional[Tuple[date, date]] = None


def check_span(period: Period, earliest: date, latest: date, today: date) -> SpanCheck:
    """Covered for every day of the span -> the check at its earliest day (the
    shortest cover), unless how long it still runs depends on the day (then
    the range of end days); expired for every day -> the check at its latest
    day (the most recent expiry); otherwise where the verdict changes."""
    first, last = check(period, earliest, today), check(period, latest, today)
    if first.covered and first.days_left < (latest - earliest).days:
        return SpanCheck(None, None, None, (first.end, last.end))
    if first.covered:
        return SpanCheck(first, None, None)
    if not last.covered:
        return SpanCheck(last, None, None)
    day = earliest
    while not check(period, day, today).covered:
        day += timedelta(days=1)
    return SpanCheck(None, day - timedelta(days=1), day)
