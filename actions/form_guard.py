"""Answers inside the warranty check that are no answer: a new question after
"vergiss es" ends the check; a question back ("warum?") or a wrong kind of
answer is explained and never stored as a slot value."""
from __future__ import annotations

from rasa_sdk import Tracker

from support.text import fold
from support.vocabulary import has_form_words

TOPIC_INTENTS = ("ask_hotline", "ask_opening_hours", "ask_service_partner", "ask_warranty_period", "ask_eu_warranty", "ask_iws",
                 "ask_channels", "ask_regional_service", "ask_self_service", "human_handoff", "complain", "help")
MAX_FAILED_ANSWERS = 2


def wants_to_leave(tracker: Tracker) -> bool:
    """A stop marker together with a new question: leave the check for it."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    return intent in TOPIC_INTENTS and has_form_words(message.get("text") or "", "stop_markers")


def asks_why(text: str) -> bool:
    """"warum willst du das wissen?", "why do you need that": a question about the question."""
    return has_form_words(text, "side_questions")


def is_side_question(text: str) -> bool:
    """"warum willst du das wissen?", "why?", "keine ahnung" instead of an answer."""
    return has_form_words(text, "side_questions") or (text.strip().endswith("?") and len(fold(text).split()) <= 6)
