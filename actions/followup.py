"""Short follow-ups that only carry a piece of information ("und in Spanien?",
"what about Poland", "Xiaomi 13 Pro"): answered for the conversation's last topic."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import countries_in_message, entity_values, language, remember
from actions.hotline import ActionHandoff, ActionHotline, ActionOpeningHours
from actions.info import ActionRegionalService, ActionServicePartner
from actions.warranty import ActionIws, ActionWarrantyPeriod

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
        if entity_values(tracker, "purchase_date"):
            # "gekauft am 10.03.2025 in Italien" is the start of a warranty check
            return [FollowupAction("warranty_form")]
        if topic == "iws" and entity_values(tracker, "product"):
            return await ActionIws().run(dispatcher, tracker, domain)
        if topic == "warranty_period" and entity_values(tracker, "product"):
            return await ActionWarrantyPeriod().run(dispatcher, tracker, domain)
        matches, unknown = countries_in_message(tracker)
        match = matches[0] if matches else None
        if match is None and unknown:
            dispatcher.utter_message(response="utter_country_unknown", value=unknown[0])
            return []
        if match is not None and topic in COUNTRY_TOPICS:
            COUNTRY_TOPICS[topic].respond(dispatcher, tracker, lang, match)
            return remember(match, topic)
        if match is not None:
            dispatcher.utter_message(response="utter_followup_what", country=match.name(lang), code=match.code)
            return remember(match, None)
        if entity_values(tracker, "product"):
            return await ActionIws().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_default")
        return [SlotSet("last_topic", topic)]
