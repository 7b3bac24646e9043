"""Hotline and service hours ("open now?", weekdays)."""
from __future__ import annotations

from datetime import datetime, time
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_name
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.country_topic import CountryTopicAction
from actions.common import countries_in_message, covered, entity_values, language, remember
from support import clock, formatting, hours
from support.knowledge import WEEKDAYS, Country, knowledge
from support.moments import Moment, asked_moment
from support.names import CountryMatch, countries
from support.followups import asks_latest
from support.phrases import phrase, pick
from support.text import fold


def hours_text(country: Country, lang: str) -> str:
    spec = country.hotline.hours
    if spec.open is None:
        return phrase("hours_business", lang)
    times = {"open": formatting.minutes_clock(spec.open), "close": formatting.minutes_clock(spec.close)}
    if spec.days is None:
        return phrase("hours_no_days", lang, **times)
    return phrase("hours_days", lang, days=formatting.days_range(spec.days, lang), **times)


def zone_label(country: Country, lang: str) -> str:
    label = get_timezone_name(country.time_zone, locale=formatting.locale(lang))
    return phrase("time_zone_assumed", lang, zone=label) if country.time_zone_assumed else label


def _day_time(moment: datetime, lang: str) -> str:
    day = formatting.day_name(WEEKDAYS[moment.weekday()], lang)
    return phrase("day_and_time", lang, day=day, time=formatting.clock(moment, lang))


def utter_status(dispatcher: CollectingDispatcher, country: Country, lang: str) -> None:
    """Whether the hotline is open now, in the country's own time zone."""
    moment = clock.now()
    state = hours.status(country.hotline.hours, country.time_zone, moment)
    name = country.name(lang)
    local = _day_time(state.local_now, lang)
    if not state.times_known:
        dispatcher.utter_message(response="utter_business_hours_only", country=name, local_time=local)
        return
    zone = zone_label(country, lang)
    if state.open_now:
        closes = phrase("clock_time", lang, time=formatting.clock(state.closes_at, lang))
        dispatcher.utter_message(response="utter_open_now", local_time=local, zone=zone, closes=closes)
    elif state.next_open is not None:
        wait = formatting.duration(hours.until(state.next_open, moment), lang)
        dispatcher.utter_message(
            response="utter_closed_now", local_time=local, zone=zone, next_open=_day_time(state.next_open, lang), wait=wait
        )
    if not state.days_known:
        dispatcher.utter_message(response="utter_days_not_given", country=name, zone=zone)


def utter_status_at(dispatcher: CollectingDispatcher, country: Country, lang: str, moment: Moment) -> None:
    """Whether the hotline is open at a moment the user asks about ("morgen um 8"), local time."""
    zone = ZoneInfo(country.time_zone)
    at = datetime.combine(moment.day, time(moment.minutes // 60, moment.minutes % 60)).replace(tzinfo=zone)
    state = hours.status(country.hotline.hours, country.time_zone, at)
    values = {"country": country.name(lang), "day": formatting.day_name(WEEKDAYS[at.weekday()], lang),
              "time": phrase("clock_time", lang, time=formatting.clock(at, lang))}
    if not state.times_known:
        dispatcher.utter_message(response="utter_business_hours_only_at", **values)
        return
    values["zone"] = zone_label(country, lang)
    if state.open_now:
        closes = phrase("clock_time", lang, time=formatting.clock(state.closes_at, lang))
        dispatcher.utter_message(response="utter_open_at", closes=closes, **values)
    elif state.next_open is not None:
        dispatcher.utter_message(response="utter_closed_at", next_open=_day_time(state.next_open, lang), **values)
    if not state.days_known:
        dispatcher.utter_message(response="utter_days_not_given", country=values["country"], zone=values["zone"])


def asked_moment_in(tracker: Tracker, country: Country) -> Optional[Moment]:
    """The moment the latest message asks about, its day counted in the country's time zone."""
    local_today = clock.now().astimezone(ZoneInfo(country.time_zone)).date()
    return asked_moment(tracker.latest_message.get("text") or "", local_today)


def utter_whatsapp(dispatcher: CollectingDispatcher, country: Country, lang: str) -> None:
    if country.whatsapp_until is not None:
        until = formatting.minutes_clock(country.whatsapp_until)
        dispatcher.utter_message(response="utter_whatsapp_until", country=country.name(lang), until=until)


def utter_no_hotline(dispatcher: CollectingDispatcher, match: CountryMatch, lang: str) -> None:
    dispatcher.utter_message(response="utter_no_hotline_known", country=match.name(lang))
    for region in knowledge().partner_model_regions:
        if match.code in region["countries"]:
            dispatcher.utter_message(
                response="utter_partner_model_region", region=pick(region["names"], lang), country=match.name(lang)
            )
    known = [c.name(lang) for c in knowledge().countries.values() if c.hotline]
    dispatcher.utter_message(response="utter_hotlines_known", countries=formatting.join(known, lang))


def utter_hotline(dispatcher: CollectingDispatcher, match: CountryMatch, lang: str, with_status: bool = True) -> None:
    country = covered(match)
    if country is None or country.hotline is None:
        utter_no_hotline(dispatcher, match, lang)
        return
    dispatcher.utter_message(
        response="utter_hotline",
        country=country.name(lang),
        number=country.hotline.number,
        hours=hours_text(country, lang),
        note=pick(country.hotline.note, lang),
    )
    if with_status:
        utter_status(dispatcher, country, lang)
    utter_whatsapp(dispatcher, country, lang)


class ActionHotline(CountryTopicAction):
    topic = "hotline"

    def name(self) -> Text:
        return "action_hotline"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        from actions.info import ActionChannels
        from support.retrieval import CHANNEL_WORDS, excluded_entries

        text = tracker.latest_message.get("text") or ""
        if "hotline" in excluded_entries(text, CHANNEL_WORDS):
            return await ActionChannels().answer(dispatcher, tracker, domain)  # "how else besides the phone?"
        if asks_latest(text):  # "welche hotline hat am längsten auf?"
            return await ActionOpeningHours().answer(dispatcher, tracker, domain)
        return await super().answer(dispatcher, tracker, domain)

    def respond(self, dispatcher, tracker, lang, match) -> None:
        utter_hotline(dispatcher, match, lang)


def utter_latest(dispatcher: CollectingDispatcher, codes: List[str], lang: str) -> None:
    """Which of these hotlines closes latest (local time), from the knowledge data."""
    kb = knowledge()
    candidates = {code: kb.countries[code].hotline.hours for code in codes if code in kb.countries and kb.countries[code].hotline}
    latest = hours.latest_closing(candidates)
    if latest:
        names = formatting.join([kb.countries[code].name(lang) for code in latest], lang)
        close = formatting.minutes_clock(candidates[latest[0]].close)
        dispatcher.utter_message(response="utter_hours_latest", countries=names, close=close)


def requested_weekdays(tracker: Tracker) -> List[str]:
    """Weekday codes the latest message asks about ("samstags", "on Sunday", "weekend")."""
    codes: List[str] = []
    names = {
        fold(formatting.day_name(code, lang)): code for code in WEEKDAYS for lang in ("de", "en")
    }
    for value in entity_values(tracker, "weekday"):
        folded = fold(value)
        if any(fold(phrase("weekend", lang)) in folded for lang in ("de", "en")):
            codes.extend(["sat", "sun"])
            continue
        for name, code in names.items():
            if name in folded or folded.rstrip("s") in name and len(folded) >= 3:
                codes.append(code)
                break
    return list(dict.fromkeys(codes))


class ActionOpeningHours(CountryTopicAction):
    topic = "hours"

    def name(self) -> Text:
        return "action_opening_hours"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        matches, _ = countries_in_message(tracker)
        if not asks_latest(text) or len(matches) == 1:
            return await super().answer(dispatcher, tracker, domain)
        if len(matches) > 1:  # "numbers for uk, spain and germany + which one is open latest": each, then which
            events = await super().answer(dispatcher, tracker, domain)
            utter_latest(dispatcher, [m.code for m in matches], language(tracker))
            return events
        # "welche hotline in europa hat am laengsten auf?": among the countries named, else
        # the ones just answered (two or more), else a region's, else all the source covers
        lang = language(tracker)
        codes = [m.code for m in matches] or [c for c in (tracker.get_slot("last_countries") or []) if c]
        if len(codes) < 2:
            region = next(iter(entity_values(tracker, "region")), None)
            from actions.info import region_named  # noqa: PLC0415 (info imports this module)

            named = region_named(tracker) if region else None
            codes = list(named["countries"]) if named else list(knowledge().countries)
        candidates = {code: knowledge().countries[code].hotline.hours for code in codes
                      if code in knowledge().countries and knowledge().countries[code].hotline}
        latest = hours.latest_closing(candidates)
        if not latest:
            return await super().answer(dispatcher, tracker, domain)
        for code in latest:
            utter_hotline(dispatcher, countries().resolve(code), lang)
        if len(latest) > 1:
            dispatcher.utter_message(response="utter_hours_same_closing")
        first = countries().resolve(latest[0])
        return remember(first, self.topic, [countries().resolve(c) for c in latest])

    def respond(self, dispatcher, tracker, lang, match) -> None:
        country = covered(match)
        if country is None or country.hotline is None:
            utter_no_hotline(dispatcher, match, lang)
            return
        moment = asked_moment_in(tracker, country)
        if moment is not None:  # "und morgen frueh um 8 in italien, geht das?"
            utter_hotline(dispatcher, match, lang, with_status=False)
            utter_status_at(dispatcher, country, lang, moment)
            return
        days = requested_weekdays(tracker)
        if not days:
            utter_hotline(dispatcher, match, lang)
            return
        for code in days:
            answer = hours.open_on(country.hotline.hours, code)
            response = {True: "utter_open_on_day", False: "utter_closed_on_day", None: "utter_day_not_given"}[answer]
            dispatcher.utter_message(
                response=response,
                days=formatting.days_adverb(code, lang),
                country=country.name(lang),
                hours=hours_text(country, lang),
            )
