"""Two questions in one message ("hotline frankreich und wie lange hab ich
garantie?"): the NLU gives one intent; this finds a second topic asked in
another clause of the message and answers both, in the order asked. The
second answer comes from the same actions, so it says only what they say."""
from __future__ import annotations

import abc
import contextvars
import functools
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from support.text import fold

WORDS_FILE = Path(__file__).resolve().parent.parent / "resources" / "topic_words.yml"
_answering_second = contextvars.ContextVar("answering_second", default=False)
# An answer about one of these already says the other (the hotline's answer
# has its hours and whether it is open now).
ANSWERED_TOGETHER = [{"ask_hotline", "ask_opening_hours"}]
MAX_OTHER_TOPICS = 2
# Intents that are no question themselves: any topic in the message is the question.
LEAD_INS = ("greet", "switch_language")


@functools.lru_cache(maxsize=1)
def _vocabulary() -> Tuple[Dict[str, List[str]], List[str]]:
    raw = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    splitters = raw.pop("splitters")
    return {intent: [fold(w) for w in words] for intent, words in raw.items()}, splitters


def clauses(text: str) -> List[str]:
    """The message cut where one question ends and the next begins."""
    _, splitters = _vocabulary()
    pattern = "|".join(re.escape(s) for s in sorted(splitters, key=len, reverse=True))
    return [part for part in re.split(pattern, f" {text.lower()} ") if fold(part)]


def topic_of(clause: str) -> Optional[str]:
    words, _ = _vocabulary()
    padded = f" {fold(clause)} "
    hits = [(padded.find(f" {w}"), intent) for intent, ws in words.items() for w in ws if f" {w}" in padded]
    return min(hits)[1] if hits else None


def other_topics(text: str, intent: str) -> List[Tuple[str, bool]]:
    """The other topics asked, each with whether it was asked before the NLU's one."""
    found: List[str] = []
    for clause in clauses(text):
        topic = topic_of(clause)
        if topic and topic not in found:
            found.append(topic)
    if intent in LEAD_INS:
        return [(topic, False) for topic in found]
    if len(found) < 2:
        return []  # one question, whichever words it uses
    position = found.index(intent) if intent in found else -1  # not found: its answer comes first
    return [(topic, index < position) for index, topic in enumerate(found)
            if topic != intent and {intent, topic} not in ANSWERED_TOGETHER]


def second_topic(text: str, intent: str) -> Tuple[Optional[str], bool]:
    """The first other topic asked (None when there is none)."""
    others = other_topics(text, intent)
    return others[0] if others else (None, False)


async def answer_second_topic(dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any],
                              events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Answers the other questions of the message beside the first (not recursively)."""
    if _answering_second.get():
        return events
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or ""
    for other, before in other_topics(message.get("text") or "", intent)[:MAX_OTHER_TOPICS]:
        action = ACTIONS().get(other)
        if action is None:
            continue
        second = CollectingDispatcher()
        token = _answering_second.set(True)
        try:
            more = await action.run(second, tracker, domain)
        finally:
            _answering_second.reset(token)
        if before:
            dispatcher.messages[:0] = second.messages
            events = more + events
        else:
            dispatcher.messages.extend(second.messages)
            events = events + more
    return events


@functools.lru_cache(maxsize=1)
def ACTIONS() -> Dict[str, Any]:  # noqa: N802 (a constant built on first use)
    from actions.hotline import ActionHotline, ActionOpeningHours
    from actions.info import ActionChannels, ActionSelfService, ActionServicePartner
    from actions.warranty import ActionEuWarranty, ActionIws, ActionWarrantyPeriod

    return {"ask_hotline": ActionHotline(), "ask_opening_hours": ActionOpeningHours(), "ask_warranty_period": ActionWarrantyPeriod(),
            "ask_service_partner": ActionServicePartner(), "ask_channels": ActionChannels(), "ask_self_service": ActionSelfService(),
            "ask_iws": ActionIws(), "ask_eu_warranty": ActionEuWarranty()}


class TopicAction(Action, abc.ABC):
    """An FAQ action that also answers a second question of the same message.
    Subclasses implement `answer` (what `run` is in a plain Rasa SDK action);
    abstract, so the SDK registers only the subclasses."""

    @abc.abstractmethod
    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        """The answer to the message's (first) question."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        events = await self.answer(dispatcher, tracker, domain)
        return await answer_second_topic(dispatcher, tracker, domain, events)
