"""Warranty periods, the EU rule, the International Warranty Service and the
warranty check form. The rules themselves are `support.warranty`."""
from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import countries_in_message, covered, entity_values, language, remember
from actions.form_extraction import bought_in_text, date_in, fresh_message, located_in_text, product_in, purchase_country_in
from actions.form_guard import MAX_FAILED_ANSWERS, is_side_question, wants_to_leave
from actions.country_topic import MAX_COUNTRIES
from actions.hotline import hours_text
from actions.multi_topic import TopicAction
from support import clock, formatting, overviews, warranty
from support.dates import DateProblem, ParsedDate, day_of_month, month_named, parse_purchase_date
from support.knowledge import knowledge
from support.followups import asks
from support.names import CountryMatch, countries, products
from support.topics import clauses, topics_in
from support.phrases import phrase, pick
from support.text import fold
from support.vocabulary import has_form_words


def utter_contact(dispatcher: CollectingDispatcher, response: str, match: Optional[CountryMatch], lang: str, **values: Any) -> None:
    """A "we don't know, ask there" answer that names the best channel the data has."""
    country = covered(match)
    if country is not None and country.hotline is not None:
        contact = phrase_contact_hotline(country, lang)
    else:
        contact = None
    dispatcher.utter_message(response=response, contact=contact or "", **values)
    if contact is None:
        dispatcher.utter_message(response="utter_contact_website")


def phrase_contact_hotline(country, lang: str) -> str:
    return f"{country.name(lang)}: {country.hotline.number} ({hours_text(country, lang)})"


def utter_period(dispatcher: CollectingDispatcher, period: warranty.Period, lang: str, place: str) -> None:
    months = formatting.months(period.months, lang)
    if period.basis == "accessory":
        dispatcher.utter_message(response="utter_warranty_period_accessory", months=months)
    elif period.qualifier == "mandatory":
        dispatcher.utter_message(response="utter_warranty_period_mandatory", months=months, place=place)
    else:
        dispatcher.utter_message(response="utter_warranty_period_usually", months=months, place=place)


def requested_kinds(tracker: Tracker) -> List[str]:
    """The kinds of product the message names ("device", "accessory"), in order."""
    kinds = [product.kind for product in map(products().resolve, entity_values(tracker, "product")) if product]
    return list(dict.fromkeys(kinds))


def country_asked_apart(tracker: Tracker) -> bool:
    """A country asked about in a clause of its own, apart from the product named
    ("garantie in indien? und wie is das bei zubehoer")."""
    text = tracker.latest_message.get("text") or ""
    named = [fold(value) for value in entity_values(tracker, "product")]
    return any(countries().find_in_text(clause) and not any(value in fold(clause) for value in named) for clause in clauses(text))


def requested_kind(tracker: Tracker) -> Optional[str]:
    return "accessory" if "accessory" in requested_kinds(tracker) else None


def checked_an_accessory(tracker: Tracker) -> bool:
    """Whether the conversation's last answer was the warranty check of an accessory."""
    product = products().resolve(tracker.get_slot("last_product"))
    return tracker.get_slot("last_topic") == "warranty_check" and product is not None and product.kind == "accessory"


def region_of(tracker: Tracker) -> Optional[str]:
    """A warranty region named in the message ("in der EU", "South-East Asia")."""
    for value in entity_values(tracker, "region"):
        folded = fold(value)
        if folded in ("eu", "europa", "europe", "european union", "europaische union") or "eu" in folded.split():
            return "eu"
        if "sud" in folded or "south" in folded or "sea" == folded or "asi" in folded:
            return "sea"
    return None


class ActionWarrantyPeriod(TopicAction):
    def name(self) -> Text:
        return "action_warranty_period"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        kb = knowledge()
        matches, unknown = countries_in_message(tracker)
        region = region_of(tracker)
        if not requested_kinds(tracker) and checked_an_accessory(tracker):
            # "dachte in indien gibts 12 monate?" after a charger's check: its 6 months, then the devices'
            utter_period(dispatcher, warranty.period_for(kb, None, "accessory"), lang, "")
        if requested_kind(tracker) == "accessory":
            utter_period(dispatcher, warranty.period_for(kb, None, "accessory"), lang, "")
            dispatcher.utter_message(response="utter_warranty_rule_note_usually")
            if not (region or "device" in requested_kinds(tracker) or country_asked_apart(tracker)):
                # the country kept for "and the phone itself?"
                return remember(matches[0] if matches else None, "warranty_period")
            # "garantie in indien? und wie is das bei zubehoer": the country's own period too
            # "zubehoer vs handy in der EU und in indien?": the devices' periods there too
        if region and warranty.warranty_region(kb, matches[0].code if matches else None) != region:
            # "EU vs India?": the region's period, then each country's
            utter_period(dispatcher, warranty.period_for_region(kb, region), lang, phrase(f"place_region_{region}", lang))
            for match in matches[:MAX_COUNTRIES]:
                self.respond(dispatcher, tracker, lang, match)
            return remember(matches[0] if matches else None, "warranty_period")
        if unknown and not matches:
            dispatcher.utter_message(response="utter_country_unknown", value=unknown[0])
            return remember(None, "warranty_period")
        if not matches:
            # the conversation's country, else the one of the check under way ("and the phone itself?")
            slot_match = countries().resolve(tracker.get_slot("country") or tracker.get_slot("purchase_country"))
            if slot_match is None:
                dispatcher.utter_message(response="utter_warranty_overview", **overviews.warranty_overview(kb, lang))
                return remember(None, "warranty_period")
            matches = [slot_match]
        for match in matches[:MAX_COUNTRIES]:
            self.respond(dispatcher, tracker, lang, match)
        return remember(matches[0], "warranty_period")

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, match: CountryMatch) -> None:
        period = warranty.period_for(knowledge(), match.code, "device")
        if period is None:
            utter_contact(dispatcher, "utter_warranty_period_unknown", match, lang, country=match.name(lang))
            return
        utter_period(dispatcher, period, lang, phrase("place_country", lang, country=match.name(lang)))
        if period.basis == "eu":
            dispatcher.utter_message(response="utter_eu_rule", rule=pick(knowledge().warranty["eu_rule"]["text"], lang))


class ActionEuWarranty(TopicAction):
    """Service in another country than the one of purchase: the International
    Warranty Service for an eligible model (wherever it was bought), else the EU
    rule where both countries are in the EU, else what the source does not say."""

    def name(self) -> Text:
        return "action_eu_warranty"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        return self.rules(dispatcher, tracker) + bought_in_aside(tracker)

    def rules(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        kb = knowledge()
        matches, _ = countries_in_message(tracker)
        bought_before = countries().resolve(tracker.get_slot("bought_in"))
        if bought_before and len(matches) < 2 and all(m.code != bought_before.code for m in matches):
            matches = [bought_before] + matches
        product = named_product(tracker)
        if product is not None and product.iws_model:
            texts = iws_texts(lang)
            dispatcher.utter_message(response="utter_iws_eligible", model=product.iws_model, excludes=texts["excludes"])
            dispatcher.utter_message(response="utter_iws_countries_unknown")
            return remember(matches[0] if matches else None, "iws")
        rule = pick(kb.warranty["eu_rule"]["text"], lang)
        if requested_kind(tracker) == "accessory":
            # "powerbank garantie in der EU, auch 24 monate?": an accessory's own period first
            utter_period(dispatcher, warranty.period_for(kb, None, "accessory"), lang, "")
        outside = [m for m in matches if not kb.is_eu_member(m.code)]
        if outside:
            dispatcher.utter_message(response="utter_eu_rule", rule=rule)
            utter_contact(dispatcher, "utter_eu_rule_outside", outside[0], lang, country=outside[0].name(lang))
            return remember(outside[0], "eu_rule")
        if len(matches) >= 2:
            dispatcher.utter_message(
                response="utter_eu_rule_yes", bought=matches[0].name(lang), service=matches[1].name(lang)
            )
        elif matches:  # "in Österreich gekauft, gilt da die EU-Garantie?": the period too
            period = warranty.period_for(kb, matches[0].code, "device")
            utter_period(dispatcher, period, lang, phrase("place_country", lang, country=matches[0].name(lang)))
        dispatcher.utter_message(response="utter_eu_rule", rule=rule)
        return remember(matches[0] if matches else None, "eu_rule")


def bought_in_aside(tracker: Tracker) -> List[Dict[Text, Any]]:
    """A question asked inside the warranty check that says where the device was
    bought ("does it matter? bought it in france but i live in spain now"): the
    check keeps that country, so it does not ask for it again."""
    if (tracker.active_loop or {}).get("name") != "warranty_form" or tracker.get_slot("purchase_country"):
        return []
    bought = bought_in_text(tracker.latest_message.get("text") or "")
    return [SlotSet("purchase_country", bought[0])] if len(bought) == 1 else []


def names_a_model(text: str) -> bool:
    """"Redmi Note 13", "poco f5", "13c": a model, not a product word ("Handy")."""
    return any(ch.isdigit() for ch in text) or len(text.split()) > 1


def named_product(tracker: Tracker):
    """The product of the latest message, else the one of the last warranty check."""
    for value in entity_values(tracker, "product"):
        if products().recognised(value):
            return products().resolve(value)
    return products().resolve(tracker.get_slot("last_product"))


def iws_texts(lang: str) -> Dict[str, str]:
    iws = knowledge().warranty["iws"]
    return {
        "models": formatting.join(iws["models"], lang),
        "covers": formatting.join((pick(c, lang) for c in iws["covers"]), lang),
        "excludes": formatting.join((pick(c, lang) for c in iws["excludes"]), lang),
        "what": pick(iws["what"], lang),
    }


class ActionIws(TopicAction):
    def name(self) -> Text:
        return "action_iws"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        texts = iws_texts(lang)
        named = entity_values(tracker, "product")
        if not named and tracker.latest_message.get("intent", {}).get("name") == "inform":
            named = [tracker.get_slot("product")] if tracker.get_slot("product") else []
        for value in named:
            product = products().resolve(value)
            if product is None or not (product.iws_model or names_a_model(value)):
                continue  # "Handy", "phone": no model to say yes or no about
            if product.iws_model:
                dispatcher.utter_message(response="utter_iws_eligible", model=product.iws_model, excludes=texts["excludes"])
            else:
                dispatcher.utter_message(response="utter_iws_not_eligible", product=product.text, models=texts["models"])
            if asks(tracker.latest_message.get("text") or "", "countries"):
                # "iws fuer mix flip? und in welchen laendern gilt das ueberhaupt": the second question too
                dispatcher.utter_message(response="utter_iws_countries_unknown")
            return [SlotSet("last_topic", "iws")]
        dispatcher.utter_message(response="utter_iws_overview", **texts)
        dispatcher.utter_message(response="utter_iws_countries_unknown")
        return [SlotSet("last_topic", "iws")]


class ActionWarrantyCheck(Action):
    """Runs when warranty_form is complete: computes and explains the result."""

    def name(self) -> Text:
        return "action_warranty_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        kb = knowledge()
        match = countries().resolve(tracker.get_slot("purchase_country"))
        reset = [SlotSet("product", None), SlotSet("purchase_date", None), SlotSet("purchase_country", None)]
        reset += remember(match, "warranty_check")
        product = products().resolve(tracker.get_slot("product"))
        if product is not None and match is not None:  # for follow-ups ("can it be repaired in Italy?")
            reset += [SlotSet("last_product", product.iws_model or product.text), SlotSet("bought_in", match.code),
                      SlotSet("last_purchase_date", tracker.get_slot("purchase_date"))]
        span = stored_span(tracker.get_slot("purchase_date"))
        period = warranty.period_for(kb, match.code, product.kind) if match and product else None
        if match is not None and product is not None and period is None:
            utter_contact(dispatcher, "utter_warranty_check_unknown", match, lang, country=match.name(lang))
            if product.iws_model:  # "mein 14 ultra is in china gekauft, bin aber in deutschland": IWS, wherever bought
                dispatcher.utter_message(response="utter_next_step_iws", model=product.iws_model)
            return reset  # no rule for that country: no need to ask for the date
        if match is None or product is None or span is None:
            dispatcher.utter_message(response="utter_form_stopped")  # the check was left before it was complete
            return reset
        country = covered(match)
        today = clock.now().astimezone(ZoneInfo(country.time_zone)).date() if country else clock.today()
        earliest, latest, precision = span
        shown = product.iws_model or product.text
        if lang == "de" and shown.islower():
            shown = shown[:1].upper() + shown[1:]  # German nouns: "Ladekabel"
        values = {"product": shown, "country": match.name(lang), "period": formatting.months(period.months, lang),
                  "purchase": formatting.span(earliest, latest, precision, lang)}
        spanned = warranty.check_span(period, earliest, latest, today)
        if spanned.ends_between is not None:
            dispatcher.utter_message(
                response="utter_warranty_covered_day_decides", end_first=formatting.long_date(spanned.ends_between[0], lang),
                end_last=formatting.long_date(spanned.ends_between[1], lang), **values)
            return ask_for_the_day(tracker)
        if spanned.verdict is None:
            dispatcher.utter_message(
                response="utter_warranty_depends_on_day", last_expired=formatting.long_date(spanned.last_expired, lang),
                first_covered=formatting.long_date(spanned.first_covered, lang), **values)
            return ask_for_the_day(tracker)
        result = spanned.verdict
        values["end"] = formatting.long_date(result.end, lang)
        if earliest != latest:
            dispatcher.utter_message(response="utter_date_span_assumed", span=values["purchase"],
                                     date=formatting.long_date(result.purchase, lang))
        if result.covered and result.days_left == 0:
            dispatcher.utter_message(response="utter_warranty_last_day", **values)
        elif result.covered:
            dispatcher.utter_message(response="utter_warranty_covered", remaining=formatting.days(result.days_left, lang), **values)
        else:
            dispatcher.utter_message(response="utter_warranty_expired", expired=formatting.days(result.days_expired, lang), **values)
        if period.qualifier == "usually":
            dispatcher.utter_message(response="utter_warranty_rule_note_usually")
        here = located_during_check(tracker)
        if here is not None and here.code != match.code and warranty.serviced_across_eu(kb, match.code, here.code) and covered(here):
            # "gekauft in italien ..., bin jetzt in DE": serviced where the user is, so that country's hotline
            dispatcher.utter_message(response="utter_eu_rule_yes", bought=match.name(lang), service=here.name(lang))
            country = covered(here)
            reset += remember(here, "warranty_check")
        if country is not None and country.hotline is not None:
            dispatcher.utter_message(
                response="utter_next_step_hotline", country=country.name(lang), number=country.hotline.number, hours=hours_text(country, lang)
            )
        else:
            dispatcher.utter_message(response="utter_next_step_website")
        if product.iws_model:
            dispatcher.utter_message(response="utter_next_step_iws", model=product.iws_model)
        if tracker.get_slot("purchase_span") or tracker.get_slot("exact_day_needed"):
            reset += [SlotSet("purchase_span", None), SlotSet("exact_day_needed", False)]
        return reset


def answer_hours_asked_aside(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """"poco x6, india. wait is the india line open rn?": the check's answers are
    taken, and the hotline's hours of the country named (or of purchase) told."""
    text = fresh_message(tracker)
    if not text or "ask_opening_hours" not in topics_in(text):
        return
    matches, _ = countries_in_message(tracker)
    match = matches[0] if matches else countries().resolve(tracker.get_slot("purchase_country"))
    if match is not None:
        from actions.hotline import ActionOpeningHours  # noqa: PLC0415 (hotline imports this module's neighbours)

        ActionOpeningHours().respond(dispatcher, tracker, language(tracker), match)


def another_country_of_purchase(tracker: Tracker, text: str) -> bool:
    """"and if my aunt had bought it in india?" right after a check: the same device
    and date, bought in another country (no product or date of its own named)."""
    return (bool(bought_in_text(text)) and tracker.get_slot("last_product") is not None
            and tracker.get_slot("last_purchase_date") is not None and product_in(text) is None
            and not date_in(text, language(tracker)) and not entity_values(tracker, "product"))


CHECK_MESSAGES = 5  # the user messages a warranty check is given in, at most


def located_during_check(tracker: Tracker) -> Optional[CountryMatch]:
    """Where the user said they are now ("bin jetzt in DE") in the messages of this check."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][-CHECK_MESSAGES:]
    for text in reversed(texts):
        code = located_in_text(text)
        if code is not None:
            return countries().resolve(code)
    return None


def ask_for_the_day(tracker: Tracker) -> List[Dict[Text, Any]]:
    """Back into the check with only the day missing: the form asks for it next
    (without re-reading this turn's message, which would give the span again)."""
    return [SlotSet("purchase_date", None), SlotSet("purchase_span", tracker.get_slot("purchase_date")),
            SlotSet("exact_day_needed", True), ActiveLoop("warranty_form"), SlotSet("requested_slot", "purchase_date")]


def stored_span(value: Optional[str]) -> Optional[Tuple[date, date, str]]:
    """The purchase_date slot: an ISO day ("2025-03-10") or, for a date known
    only roughly, an ISO interval with its precision ("2025-03-01/2025-03-31/month")."""
    try:
        parts = (value or "").split("/")
        if len(parts) == 1:
            day = date.fromisoformat(parts[0])
            return day, day, "day"
        return date.fromisoformat(parts[0]), date.fromisoformat(parts[1]), parts[2] if len(parts) > 2 else "range"
    except ValueError:
        return None


def slot_text(parsed: ParsedDate) -> str:
    if parsed.earliest == parsed.latest:
        return parsed.earliest.isoformat()
    return f"{parsed.earliest.isoformat()}/{parsed.latest.isoformat()}/{parsed.precision}"


def read_purchase_date(slot_value: Any, tracker: Tracker, lang: str) -> Tuple[ParsedDate, str]:
    """The purchase date of the latest message: the slot's text (an entity or the
    whole answer), widened to the whole message where the entity holds only part
    of the date ("04" of "04/2025", "may 12" of "may 12 2025"). With a day alone
    ("am 10.") after the bot asked for the exact day, that day of the remembered span."""
    today = clock.today()
    text = str(slot_value or "")
    parsed = parse_purchase_date(text, lang, today)
    message = tracker.latest_message.get("text") or ""
    if message and message != text:
        whole = parse_purchase_date(message, lang, today)
        if whole.problem is None and (parsed.problem is not None or (parsed.text and parsed.text in whole.text)):
            parsed, text = whole, message
    remembered = stored_span(tracker.get_slot("purchase_span"))
    if remembered is None or overlaps(parsed, remembered):
        return parsed, text
    return within_span(parsed, message or text, remembered, lang, today) or parsed, text


def within_span(parsed: ParsedDate, answer: str, span: Tuple[date, date, str], lang: str, today: date) -> Optional[ParsedDate]:
    """An answer to "which day exactly?" read inside the span the user gave
    before: "am 3.10." after "2024" is 3 October 2024, "im november glaub ich"
    November 2024, "am 20. glaub" after "Dezember 2024" 20 December 2024."""
    earliest, latest, precision = span
    years = range(earliest.year, latest.year + 1)
    month = month_named(answer)
    if parsed.problem is None:
        for year in years:
            moved = in_year(parsed, year, lang, today)
            if overlaps(moved, span):
                return moved
        if precision == "year":  # asked again: no 29.2.2025
            return in_year(parsed, earliest.year, lang, today)
    day = day_of_month(answer)
    if day is not None:
        for candidate in (earliest + timedelta(days=n) for n in range((latest - earliest).days + 1)):
            if candidate.day == day and month in (None, candidate.month):
                return parse_purchase_date(candidate.isoformat(), lang, today)
    if month is not None:
        for year in years:
            moved = parse_purchase_date(f"{month:02d}/{year}", lang, today)
            if overlaps(moved, span):
                return moved
    return None


def without_dates(text: str) -> str:
    """"Handy 2024" -> "Handy", "xiaomi 14 dezember" -> "xiaomi 14": a year, date
    or month's name the NLU put into the product name."""
    words = re.sub(r"\s*\b(?:19|20)\d\d\b|\s*\b\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?\b", "", text).split()
    while len(words) > 1 and month_named(words[-1]) is not None:
        words.pop()
    return " ".join(words) or text


def in_year(parsed: ParsedDate, year: int, lang: str, today: date) -> ParsedDate:
    """The same day or month in another year (the one the user named before)."""
    if parsed.precision == "day":
        try:
            return parse_purchase_date(parsed.earliest.replace(year=year).isoformat(), lang, today)
        except ValueError:  # 29 February in a year without it
            return ParsedDate(None, DateProblem.UNPARSEABLE)
    return parse_purchase_date(f"{parsed.earliest.month:02d}/{year}", lang, today)


def overlaps(parsed: ParsedDate, span: Tuple[date, date, str]) -> bool:
    return parsed.problem is None and parsed.earliest <= span[1] and span[0] <= parsed.latest


WHY_WE_ASK = {"product": "utter_form_why_product", "purchase_date": "utter_form_why_purchase_date",
              "purchase_country": "utter_form_why_purchase_country"}


class ValidateWarrantyForm(FormValidationAction):
    """Validates each answer of the warranty check. A new question after a stop
    marker ends the check; a question back or an answer of the wrong kind is
    explained, never stored; after repeated failures the user is offered a way out."""

    def name(self) -> Text:
        return "validate_warranty_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        if wants_to_leave(tracker):
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        events = await super().run(dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot"):  # an answer to the check's question, with a question of its own
            answer_hours_asked_aside(dispatcher, tracker)
        return events

    async def extract_purchase_date(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = fresh_message(tracker)
        if text and tracker.get_slot("purchase_date") is None and date_in(text, language(tracker)):
            return {"purchase_date": text}
        if text and tracker.get_slot("purchase_date") is None and another_country_of_purchase(tracker, text):
            return {"purchase_date": tracker.get_slot("last_purchase_date")}  # "and if my aunt had bought it in india?"
        return {}

    async def extract_purchase_country(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = fresh_message(tracker)
        if not text:
            return {}
        if tracker.get_slot("purchase_country") is None and tracker.get_slot("bought_in") and has_form_words(text, "same_place"):
            return {"purchase_country": tracker.get_slot("bought_in")}  # "and the earphones i bought 4 months ago, same place?"
        code = purchase_country_in(text)
        if code and (tracker.get_slot("purchase_country") is None or len(countries().find_in_text(text)) > 1
                     or code in bought_in_text(text)):  # "und wenn in Deutschland gekauft?"
            return {"purchase_country": code}
        return {}

    async def extract_product(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = fresh_message(tracker)
        if text and tracker.get_slot("product") is None and (tracker.latest_message.get("intent") or {}).get("name") == "check_warranty":
            found = product_in(text)
            if found:
                return {"product": found}
            if another_country_of_purchase(tracker, text):
                return {"product": tracker.get_slot("last_product")}
        return {}

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        """No date is asked for when the source has no rule for the country of purchase."""
        match = countries().resolve(tracker.get_slot("purchase_country"))
        product = products().resolve(tracker.get_slot("product"))
        if match and product and warranty.period_for(knowledge(), match.code, product.kind) is None:
            return SlotSet("requested_slot", None)
        if self.next_missing(tracker, domain) == "purchase_date" and fresh_message(tracker):
            self.tell_period(dispatcher, tracker, product, match)
        return await super().next_requested_slot(dispatcher, tracker, domain)

    def next_missing(self, tracker: Tracker, domain: DomainDict) -> Optional[str]:
        return next((slot for slot in self.domain_slots(domain) if tracker.slots.get(slot) is None), None)

    @staticmethod
    def tell_period(dispatcher: CollectingDispatcher, tracker: Tracker, product, match: Optional[CountryMatch]) -> None:
        """"wie lange hab ich garantie auf mein in Polen gekauftes Handy?": the
        period the message asks about, before the date that decides the rest.
        Only for what this message names (an accessory, the country of purchase),
        so a question asked again after a wrong answer does not repeat it."""
        lang = language(tracker)
        kb = knowledge()
        if product is not None and product.kind == "accessory" and requested_kind(tracker) == "accessory":
            utter_period(dispatcher, warranty.period_for(kb, None, "accessory"), lang, "")
        elif product is not None and product.kind == "device" and match is not None and countries_in_message(tracker)[0]:
            period = warranty.period_for(kb, match.code, "device")
            if period is not None:
                utter_period(dispatcher, period, lang, phrase("place_country", lang, country=match.name(lang)))

    def reject(self, slot: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker, response: str, **values: Any) -> Dict[Text, Any]:
        failures = int(tracker.get_slot("form_failures") or 0) + 1
        if is_side_question(text):
            dispatcher.utter_message(response=WHY_WE_ASK[slot])
        else:
            dispatcher.utter_message(response=response, **values)
        if failures >= MAX_FAILED_ANSWERS:
            dispatcher.utter_message(response="utter_form_offer_stop")
        return {slot: None, "form_failures": failures}

    def accept(self, tracker: Tracker, values: Dict[Text, Any]) -> Dict[Text, Any]:
        if tracker.get_slot("form_failures"):
            values["form_failures"] = 0
        return values

    def validate_product(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = without_dates(str(slot_value or ""))
        product = products().resolve(text) if products().recognised(text) else None
        if product is None:
            return self.reject("product", text, dispatcher, tracker, "utter_invalid_product", value=text)
        return self.accept(tracker, {"product": product.iws_model or product.text})

    def validate_purchase_date(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        lang = language(tracker)
        parsed, text = read_purchase_date(slot_value, tracker, lang)
        if parsed.problem == DateProblem.FUTURE:
            return self.reject("purchase_date", text, dispatcher, tracker, "utter_invalid_date_future", date=formatting.long_date(parsed.value, lang))
        if parsed.problem == DateProblem.TOO_OLD:
            return self.reject("purchase_date", text, dispatcher, tracker, "utter_invalid_date_too_old", date=formatting.long_date(parsed.value, lang))
        if parsed.problem == DateProblem.AMBIGUOUS:
            return self.reject("purchase_date", text, dispatcher, tracker, "utter_invalid_date_ambiguous", value=text)
        if parsed.problem is not None:
            volunteered = purchase_country_in(text)
            if volunteered and tracker.get_slot("purchase_country") is None:
                return {"purchase_date": None, "purchase_country": volunteered}  # "im in the uk": the date is asked again
            answer = tracker.latest_message.get("text") if tracker.get_slot("requested_slot") == "purchase_date" else None
            return self.reject("purchase_date", text, dispatcher, tracker, "utter_invalid_date", value=answer or text)
        if tracker.get_slot("purchase_span"):
            return self.accept(tracker, {"purchase_date": slot_text(parsed), "purchase_span": None, "exact_day_needed": False})
        return self.accept(tracker, {"purchase_date": slot_text(parsed)})

    def validate_purchase_country(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        text = str(slot_value or "")
        match = countries().resolve(text) or next(iter(countries().find_in_text(text)), None)
        if match is None:
            return self.reject("purchase_country", text, dispatcher, tracker, "utter_invalid_country", value=text)
        return self.accept(tracker, {"purchase_country": match.code})
