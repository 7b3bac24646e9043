"""Greeting and language switch as actions, so a question in the same message
("moin! wen ruf ich an? bin in D", "back to english pls. france hours?") is
answered right after them (actions/multi_topic.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language
from actions.multi_topic import TopicAction
from support.followups import followup_in_message
from support.language import without_language_names
from support.topics import topics_in


class ActionGreet(TopicAction):
    def name(self) -> Text:
        return "action_greet"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_greet")
        return []


class ActionLanguageSwitched(TopicAction):
    def name(self) -> Text:
        return "action_language_switched"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_language_switched")
        text = tracker.latest_message.get("text") or ""
        if topics_in(text):
            return []  # "back to english pls. france hours?": the topic's answer follows (actions/multi_topic.py)
        # "sorry my german is not so good, can you tell me in english who i can contact there?":
        # the question about the last answer, in the new language
        from actions.followup import answer_followup  # noqa: PLC0415 (followup imports the topic actions)

        rest = without_language_names(text)  # "my german is not so good" names no country
        entities = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") in ("product", "purchase_date")]
        found = followup_in_message(rest, entities, tracker.get_slot("last_topic"))
        if found is None:
            return []
        return await answer_followup(found, dispatcher, tracker, domain, language(tracker)) or []
