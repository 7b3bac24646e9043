"""Privacy (GDPR): what the bot stores about a conversation, and its erasure.

The actions only talk to the user. The erasure itself is done by the Rasa
server, not here: ``components.privacy_store.ErasingSQLTrackerStore`` deletes
every stored event of the conversation when it saves the turn in which
``action_erase_conversation`` ran (see that module for why). The action server
has no access to the tracker store in production, and anything it deleted
would be written back by Rasa at the end of the turn anyway.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language
from support import formatting
from support.names import countries
from support.phrases import phrase

ERASE_ACTION = "action_erase_conversation"  # the Rasa server erases on this name
RETENTION_VARIABLE = "RETENTION_DAYS"
COUNTRY_SLOTS = ("country", "purchase_country")
MESSAGE_EVENTS = ("user", "bot")


def _slot_values(tracker: Tracker, names: tuple) -> List[str]:
    """Every value the slots had in this session, oldest first, once each."""
    values: List[str] = []
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") in names and event.get("value"):
            values.append(str(event["value"]))
    for name in names:
        if tracker.get_slot(name):
            values.append(str(tracker.get_slot(name)))
    return list(dict.fromkeys(values))


def noted_details(tracker: Tracker, lang: str) -> str:
    """The countries, devices and purchase dates noted in the conversation."""
    resolver = countries()
    names = []
    for value in _slot_values(tracker, COUNTRY_SLOTS):
        match = resolver.resolve(value)
        names.append(match.name(lang) if match else value)
    parts = []
    if names:
        parts.append(phrase("privacy_countries", lang, items=formatting.join(dict.fromkeys(names), lang)))
    products = _slot_values(tracker, ("product",))
    if products:
        parts.append(phrase("privacy_products", lang, items=formatting.join(products, lang)))
    dates = _slot_values(tracker, ("purchase_date",))
    if dates:
        parts.append(phrase("privacy_dates", lang, items=formatting.join(dates, lang)))
    if tracker.get_slot("language"):
        parts.append(phrase("privacy_language", lang, language=phrase(f"language_name_{tracker.get_slot('language')}", lang)))
    return formatting.join(parts, lang) if parts else phrase("privacy_nothing", lang)


def message_count(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") in MESSAGE_EVENTS)


def first_message_time(tracker: Tracker) -> Optional[datetime]:
    for event in tracker.events:
        if event.get("event") in MESSAGE_EVENTS and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    return None


def retention_text(lang: str) -> str:
    days = (os.environ.get(RETENTION_VARIABLE) or "").strip()
    if days.isdigit() and int(days) > 0:
        return phrase("privacy_retention_days", lang, days=int(days))
    return phrase("privacy_retention_none", lang)


def undo_answer_from_this_message(tracker: Tracker) -> List[Dict[Text, Any]]:
    """A privacy question in the middle of the warranty check is not an answer
    to it: undo the slots a ``from_text`` mapping filled with its text."""
    text = (tracker.latest_message or {}).get("text")
    filled = []
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot" and text and event.get("value") == text:
            filled.append(event["name"])
    return [SlotSet(name, None) for name in dict.fromkeys(filled)]


class ActionPrivacyExplain(Action):
    """Says what an erasure deletes and asks for confirmation (a running
    warranty check is stopped first, by rule)."""

    def name(self) -> Text:
        return "action_privacy_explain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        dispatcher.utter_message(
            response="utter_erasure_explain", messages=message_count(tracker), details=noted_details(tracker, lang)
        )
        return undo_answer_from_this_message(tracker)


class ActionEraseConversation(Action):
    """Confirms the erasure. The Rasa server deletes the conversation when it
    saves this turn: nothing of it, this confirmation included, is stored."""

    def name(self) -> Text:
        return ERASE_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_erasure_done")
        return []


class ActionStoredData(Action):
    """A short summary of what is stored about this conversation."""

    def name(self) -> Text:
        return "action_stored_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        since = first_message_time(tracker) or datetime.now(timezone.utc)
        dispatcher.utter_message(
            response="utter_stored_data",
            messages=message_count(tracker),
            since=formatting.long_date(since.date(), lang),
            details=noted_details(tracker, lang),
            retention=retention_text(lang),
        )
        return undo_answer_from_this_message(tracker)
