"""Greeting and language switch as actions, so a question in the same message
("moin! wen ruf ich an? bin in D", "back to english pls. france hours?") is
answered right after them (actions/multi_topic.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.multi_topic import TopicAction


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
        return []
