"""The base of every answer about a country: one answer per country the
message names, else for the conversation's country, else a question."""
from __future__ import annotations

import abc
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import countries_in_message, language, remember
from actions.form_extraction import bought_in_text
from actions.multi_topic import TopicAction
from support.knowledge import knowledge
from support.names import CountryMatch, countries

MAX_COUNTRIES = len(knowledge().countries)


def conversation_countries(tracker: Tracker) -> List[CountryMatch]:
    """The countries of the conversation: all those the last answer was about
    ("nummer uk und italien" - "und die zeiten?"), as long as the country slot
    is still one of them, else the slot's country."""
    slot_match = countries().resolve(tracker.get_slot("country"))
    if slot_match is None:
        return []
    last = [m for m in (countries().resolve(c) for c in tracker.get_slot("last_countries") or []) if m]
    return last if any(m.code == slot_match.code for m in last) else [slot_match]


class CountryTopicAction(TopicAction, abc.ABC):
    """An answer about one country; asks for the country when none is known."""

    topic = ""
    clause_scoped = True

    @abc.abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, match: CountryMatch) -> None:
        """Answers for the country the user means."""

    def ask_country(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> None:
        dispatcher.utter_message(response="utter_ask_country")

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        """One answer for each country the message names (up to the ten the
        source covers), else for the conversation's country, else a question."""
        lang = language(tracker)
        matches, unknown = countries_in_message(tracker)
        if unknown and not matches:
            dispatcher.utter_message(response="utter_country_unknown", value=unknown[0])
            return remember(None, self.topic)
        if not matches:
            matches = conversation_countries(tracker)
        if not matches:
            self.ask_country(dispatcher, tracker, lang)
            return remember(None, self.topic)
        if len(matches) > 1:  # "nummer in DE, mein in FR gekauftes handy": not the country of purchase
            asked = [m for m in matches if m.code not in bought_in_text(tracker.latest_message.get("text") or "")]
            matches = asked or matches
        for match in matches[:MAX_COUNTRIES]:
            self.respond(dispatcher, tracker, lang, match)
        return remember(matches[0], self.topic, matches[:MAX_COUNTRIES])
