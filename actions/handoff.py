"""Handoff to a person, and complaints (an apology, then the same way)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import covered
from actions.country_topic import CountryTopicAction
from actions.hotline import utter_hotline
from support import formatting
from support.knowledge import knowledge


class ActionHandoff(CountryTopicAction):
    topic = "handoff"

    def name(self) -> Text:
        return "action_handoff"

    def ask_country(self, dispatcher, tracker, lang) -> None:
        from actions.info import describe_entry  # noqa: PLC0415 (info imports the hotline actions)

        dispatcher.utter_message(response="utter_handoff")
        describe_entry(dispatcher, "channel", "website", lang)  # its live chat: a person without a country
        dispatcher.utter_message(response="utter_ask_country")

    def respond(self, dispatcher, tracker, lang, match) -> None:
        dispatcher.utter_message(response="utter_handoff")
        utter_hotline(dispatcher, match, lang)
        country = covered(match)
        whatsapp = knowledge().channels.get("whatsapp", {})
        if country is not None and country.code in whatsapp.get("areas", []) and country.whatsapp_until is None:
            areas = [knowledge().countries[c].name(lang) for c in whatsapp["areas"]]
            dispatcher.utter_message(response="utter_whatsapp_areas", areas=formatting.join(areas, lang))


class ActionComplaint(ActionHandoff):
    """"euer service ist eine katastrophe": an apology, then the way to a person
    (the handoff's answer; "bin in DE" after it gets that country's hotline)."""

    def name(self) -> Text:
        return "action_complaint"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_complaint")
        return await super().answer(dispatcher, tracker, domain)
