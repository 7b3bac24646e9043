"""When the NLU is unsure between two topics (Rasa's FallbackClassifier
predicts nlu_fallback), ask a short either/or question with buttons instead of
answering the wrong one. A button sends the topic's intent with the entities
of the user's message, so "Italien" is not lost."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import countries_in_message, language
from actions.multi_topic import ACTIONS
from support.phrases import has_phrase, phrase

CANDIDATES = 3  # the classifier's guesses a topic offered must be among
ENTITIES_KEPT = ("country", "product", "purchase_date", "weekday", "channel", "region", "tool")


def topics(tracker: Tracker, limit: int = 2) -> List[str]:
    """The most likely topic intents of the latest message, best first: of the
    classifier's first three guesses only ("tell me a joke", ranked complain,
    thank, handoff, is no question between two topics)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    names = [item.get("name") for item in ranking if item.get("name") != "nlu_fallback"][:CANDIDATES]
    return [name for name in names if has_phrase(f"topic_{name}")][:limit]


def payload(intent: str, tracker: Tracker) -> str:
    entities: Dict[str, str] = {}
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") in ENTITIES_KEPT and item.get("entity") not in entities:
            entities[item["entity"]] = str(item.get("value"))
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def continued_topic(tracker: Tracker, offered: List[str]) -> Optional[str]:
    """Of the topics in doubt, the conversation's last one, when the message names
    a country: the same question for that country, nothing to ask back."""
    last = tracker.get_slot("last_topic")
    matches, _ = countries_in_message(tracker)
    if not last or not matches:
        return None
    return next((name for name in offered if getattr(ACTIONS().get(name), "topic", None) == last), None)


class ActionClarify(Action):
    def name(self) -> Text:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        offered = topics(tracker)
        same = continued_topic(tracker, offered)
        if same is not None:  # "ok then germany i guess" after a hotline answer: that answer for Germany
            return await ACTIONS()[same].run(dispatcher, tracker, domain)
        if len(offered) < 2:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = [{"title": phrase(f"topic_{name}", lang), "payload": payload(name, tracker)} for name in offered]
        dispatcher.utter_message(response="utter_clarify", buttons=buttons,
                                 first=buttons[0]["title"], second=buttons[1]["title"])
        return []
