"""Follow-ups answered for the conversation's last topic: short ones that only
carry a piece of information ("und in Spanien?", "what about Poland", "Xiaomi
13 Pro"), and questions about the previous answer ("wo bekomm ich die?",
"which models then", "and the phone itself?", support/followups.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import countries_in_message, entity_values, language, remember
from actions.form_extraction import bought_in_text, product_in, purchase_country_in
from actions.country_topic import conversation_countries
from actions.handoff import ActionHandoff
from actions.hotline import ActionHotline, ActionOpeningHours
from actions.multi_topic import ACTIONS, topic_of
from actions.info import ActionRegionalService, ActionServicePartner, describe_entry, utter_region_countries
from actions.warranty import ActionIws, ActionWarrantyPeriod, iws_texts
from support.followups import Followup, followup_in_message
from support.names import countries, products

COUNTRY_TOPICS = {
    "hotline": ActionHotline(),
    "hours": ActionOpeningHours(),
    "handoff": ActionHandoff(),
    "partner": ActionServicePartner(),
    "regional": ActionRegionalService(),
    "warranty_period": ActionWarrantyPeriod(),
    "channels": ActionHotline(),  # "wie kann ich euch anrufen?" - "bin in Polen": that country's hotline
    "eu_rule": ActionWarrantyPeriod(),
}


class ActionFollowup(Action):
    def name(self) -> Text:
        return "action_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        topic = tracker.get_slot("last_topic")
        message = tracker.latest_message or {}
        found = followup_in_message(message.get("text") or "", message.get("entities") or [], topic)
        if found is not None:
            events = await answer_followup(found, dispatcher, tracker, domain, lang)
            if events is not None:
                return events
        if entity_values(tracker, "purchase_date"):
            # "gekauft am 10.03.2025 in Italien" is the start of a warranty check;
            # "jan 2025" right after one is the same check with that date
            return same_device_and_country(tracker, topic) + [FollowupAction("warranty_form")]
        if topic == "iws" and entity_values(tracker, "product"):
            return await ActionIws().run(dispatcher, tracker, domain)
        if topic == "warranty_period" and entity_values(tracker, "product"):
            if is_short_product_answer(message.get("text") or "") and not (tracker.get_slot("country") or countries_in_message(tracker)[0]):
                # "ladegeraet" after the overview of the rules: the check for it (the form asks the rest)
                return [FollowupAction("warranty_form")]
            return await ActionWarrantyPeriod().run(dispatcher, tracker, domain)
        matches, unknown = countries_in_message(tracker)
        match = matches[0] if matches else None
        if match is None and unknown:
            dispatcher.utter_message(response="utter_country_unknown", value=unknown[0])
            return []
        if match is not None:
            # a topic the message names wins over the last one: "does the 24 month rule
            # apply to india too", "und haben DE und polen die gleichen zeiten?" after the warranty
            asked = topic_of(message.get("text") or "")
            if asked in ACTIONS():
                return await ACTIONS()[asked].run(dispatcher, tracker, domain)
            if topic in COUNTRY_TOPICS:
                COUNTRY_TOPICS[topic].respond(dispatcher, tracker, lang, match)
                return remember(match, topic)
            dispatcher.utter_message(response="utter_followup_what", country=match.name(lang), code=match.code)
            return remember(match, None)
        named = entity_values(tracker, "product")
        if products().only_accessories(named):
            # "wat about accessories like the charger, in general": their period, no IWS model among them
            return await ActionWarrantyPeriod().run(dispatcher, tracker, domain)
        if named:
            return await ActionIws().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_default")
        return [SlotSet("last_topic", topic)]


def is_short_product_answer(text: str) -> bool:
    """"ladegeraet", "redmi note 13": an answer, not a question ("and the phone itself?")."""
    return "?" not in text and 0 < len(text.split()) <= 3 and product_in(text) is not None


IWS_RESPONSES = {"models": "utter_iws_models", "covers": "utter_iws_covers", "excludes": "utter_iws_excludes"}


async def answer_followup(found: Followup, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, lang: str):
    """The answer to a question about the previous answer; None when the
    conversation no longer holds what it refers to."""
    entry = tracker.get_slot("last_entry") or ""
    if found.aspect in ("where_to_get", "with_it") and ":" in entry:
        kind, ident = entry.split(":", 1)
        if describe_entry(dispatcher, kind, ident, lang):
            return [SlotSet("last_topic", found.topic)]
    elif found.aspect == "countries" and entry.startswith("region:"):
        if utter_region_countries(dispatcher, entry.split(":", 1)[1], lang):
            return [SlotSet("last_topic", found.topic)]
    elif found.aspect == "countries" and found.topic == "iws":  # "und in welchen laendern gilt die genau?"
        dispatcher.utter_message(response="utter_iws_countries_unknown")
        return [SlotSet("last_topic", found.topic)]
    elif found.aspect in IWS_RESPONSES:
        dispatcher.utter_message(response=IWS_RESPONSES[found.aspect], **iws_texts(lang))
        return [SlotSet("last_topic", found.topic)]
    elif found.aspect == "latest":  # "welche hat abends länger?" after two hotlines
        return await ActionOpeningHours().answer(dispatcher, tracker, domain)
    elif found.aspect == "hours":
        matches = conversation_countries(tracker)
        for match in matches:
            ActionOpeningHours().respond(dispatcher, tracker, lang, match)
        if matches:
            return [SlotSet("last_topic", found.topic)]
    elif found.aspect == "service_network":  # "how many are there", "kommt da auch wer zu mir raus?"
        matches = conversation_countries(tracker)
        for match in matches:
            ActionRegionalService().respond(dispatcher, tracker, lang, match)
        if matches:
            return remember(matches[0], "regional", matches)
    elif found.aspect == "operator":  # "is das xiaomi selber am telefon?": the partner behind it
        matches = conversation_countries(tracker)
        for match in matches:
            ActionServicePartner().respond(dispatcher, tracker, lang, match)
        if matches:
            return remember(matches[0], "partner")
    elif found.aspect == "escalate":
        named, _ = countries_in_message(tracker)
        matches = named or conversation_countries(tracker)
        if not matches:
            return await ActionHotline().run(dispatcher, tracker, domain)  # asks for the country
        for match in matches:
            ActionHotline().respond(dispatcher, tracker, lang, match)
        return remember(matches[0], "hotline")
    elif found.aspect == "warranty_rules":
        return await ActionWarrantyPeriod().run(dispatcher, tracker, domain)
    elif found.aspect == "contact":
        match = countries().resolve(tracker.get_slot("bought_in"))
        if match is not None:
            ActionHotline().respond(dispatcher, tracker, lang, match)
            return [SlotSet("last_topic", "hotline"), SlotSet("country", match.code)]
    elif found.aspect == "product" and found.topic == "iws":
        return await ActionIws().run(dispatcher, tracker, domain)
    elif found.aspect == "product" and found.topic == "warranty_period":
        return await ActionWarrantyPeriod().run(dispatcher, tracker, domain)
    elif found.aspect in ("remaining", "product", "country"):
        return check_again(tracker, found.aspect)
    return None


def same_device_and_country(tracker: Tracker, topic: str) -> List[Dict[Text, Any]]:
    """After a check, a message with a date alone corrects the date: the form
    keeps the device and country of the check (and asks for whatever is missing)."""
    if topic != "warranty_check" or entity_values(tracker, "product") or countries_in_message(tracker)[0]:
        return []
    product, country = tracker.get_slot("last_product"), tracker.get_slot("bought_in")
    return [SlotSet(name, value) for name, value in (("product", product), ("purchase_country", country)) if value]


def check_again(tracker: Tracker, aspect: str):
    """The last warranty check once more: for another product ("and the phone
    itself?") or to say again how long it runs; same date and country."""
    date, country = tracker.get_slot("last_purchase_date"), tracker.get_slot("bought_in")
    product = tracker.get_slot("last_product")
    text = tracker.latest_message.get("text") or ""
    if aspect == "product":
        named = entity_values(tracker, "product")
        product = named[-1] if named else product_in(text)
    if aspect == "country":
        country = next(iter(bought_in_text(text)), None) or purchase_country_in(text)
    if not (date and country and product):
        return None
    return [SlotSet("product", product), SlotSet("purchase_date", date), SlotSet("purchase_country", country),
            FollowupAction("action_warranty_check")]
