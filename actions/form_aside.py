"""A message inside the warranty check that the bot has no topic for: a
question back about the check ("warum willst du das wissen?") gets why the
bot asks; anything else the "my source says nothing about that" answer. The
form then asks its question again (data/rules_form_interruptions.yml)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_guard import asks_why
from actions.warranty import WHY_WE_ASK


class ActionFormAside(Action):
    def name(self) -> Text:
        return "action_form_aside"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        why = WHY_WE_ASK.get(tracker.get_slot("requested_slot") or "")
        if why and asks_why(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(response=why)
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
