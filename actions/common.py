"""What every action needs: the language and the country asked about."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from support.knowledge import Country, knowledge
from support.language import LANGUAGES, SWITCH_INTENT, detect
from support.text import fold

# Bare language names, which also name Germany or England ("german hotline")
LANGUAGE_NAMES = ("deutsch", "german", "englisch", "english")
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
    """(resolved countries, country words that resolve to nothing) of the latest message.

    A language's bare name ("german", "deutsch") names Germany in "german
    hotline?", but not where the message asks for a language ("ich schreib
    lieber deutsch. hotline spanien?") or names another country."""
    resolver = countries()
    text = tracker.latest_message.get("text") or ""
    matches: List[CountryMatch] = []
    unknown: List[str] = []
    for value in entity_values(tracker, "country"):
        match = resolver.resolve(value)
        if match is None:
            unknown.append(value)
        elif all(m.code != match.code for m in matches):
            matches.append(match)
    for match in resolver.find_in_text(text):
        if all(m.code != match.code for m in matches):
            matches.append(match)
    words = text.split()
    if any(fold(word).strip("?!.,:;") in LANGUAGE_NAMES for word in words):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        named = resolver.find_in_text(" ".join(w for w in words if fold(w).strip("?!.,:;") not in LANGUAGE_NAMES))
        if intent == SWITCH_INTENT or named:
            matches = [m for m in matches if any(n.code == m.code for n in named)]
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


def remember(match: Optional[CountryMatch], topic: Optional[str],
             every: Optional[List[CountryMatch]] = None) -> List[Dict[str, Any]]:
    """Slot events that keep the conversation's context for follow-ups: the
    topic, the country (the first one) and every country the answer was about."""
    events = [SlotSet("last_topic", topic)]
    if match is not None:
        events += [SlotSet("country", match.code), SlotSet("last_countries", [m.code for m in every or [match]])]
    return events


def covered(match: Optional[CountryMatch]) -> Optional[Country]:
    return knowledge().countries.get(match.code) if match else None
