"""What every action needs: the language and the country asked about."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from support.knowledge import Country, knowledge
from support.language import LANGUAGES, detect
from support.names import CountryMatch, countries

def language(tracker: Tracker) -> str:
    slot = tracker.get_slot("language")
    if slot in LANGUAGES:
        return slot
    return detect(tracker.latest_message.get("text")).language


def entity_values(tracker: Tracker, entity: str) -> List[str]:
    """Values of an entity in the latest message, in order of appearance, deduplicated."""
    found = sorted(
        (e for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity),
        key=lambda e: e.get("start") or 0,
    )
    values: List[str] = []
    for item in found:
        value = str(item.get("value") or "").strip()
        if value and value not in values:
            values.append(value)
    return values


def countries_in_message(tracker: Tracker) -> Tuple[List[CountryMatch], List[str]]:
    """(resolved countries, country words that resolve to nothing) of the latest message."""
    resolver = countries()
    matches: List[CountryMatch] = []
    unknown: List[str] = []
    for value in entity_values(tracker, "country"):
        match = resolver.resolve(value)
        if match is None:
            unknown.append(value)
        elif all(m.code != match.code for m in matches):
            matches.append(match)
    for match in resolver.find_in_text(tracker.latest_message.get("text") or ""):
        if all(m.code != match.code for m in matches):
            matches.append(match)
    return matches, unknown


def requested_country(tracker: Tracker) -> Tuple[Optional[CountryMatch], Optional[str]]:
    """The country the user means now: named in this message, else the one of the
    conversation (slot). Returns (match, unrecognised_text)."""
    matches, unknown = countries_in_message(tracker)
    if matches:
        return matches[0], None
    if unknown:
        return None, unknown[0]
    return countries().resolve(tracker.get_slot("country")), None


def remember(match: Optional[CountryMatch], topic: Optional[str]) -> List[Dict[str, Any]]:
    """Slot events that keep the conversation's context for follow-ups."""
    events = [SlotSet("last_topic", topic)]
    if match is not None:
        events.append(SlotSet("country", match.code))
    return events


def covered(match: Optional[CountryMatch]) -> Optional[Country]:
    return knowledge().countries.get(match.code) if match else None
