"""Two questions in one message ("hotline frankreich und wie lange hab ich
garantie?"): the NLU gives one intent; this finds a second topic asked in
another clause of the message and answers both, in the order asked. The
second answer comes from the same actions, so it says only what they say."""
from __future__ import annotations

import abc
import contextvars
import copy
import functools
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from support.names import countries
from support.text import fold
from support.topics import clause_of, clauses, other_topics, second_topic, topic_of  # noqa: F401 (used by other modules)

_answering_second = contextvars.ContextVar("answering_second", default=False)
MAX_OTHER_TOPICS = 2


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
            view = clause_view(tracker, clause_of(message.get("text") or "", other)) if action.clause_scoped else tracker
            more = await action.run(second, view, domain)
        finally:
            _answering_second.reset(token)
        if before:
            dispatcher.messages[:0] = second.messages
            events = more + events
        else:
            dispatcher.messages.extend(second.messages)
            events = events + more
    return events


def clause_view(tracker: Tracker, clause: Optional[str]) -> Tracker:
    """The tracker as the other question's action should read it: when its clause
    names a country ("... und wer ist der partner in spanien"), the latest message
    is that clause with its own entities, so the answer is about that country."""
    if not clause or not countries().find_in_text(clause):
        return tracker
    message = dict(tracker.latest_message or {})
    folded = f" {fold(clause)} "
    message["entities"] = [e for e in message.get("entities") or [] if f" {fold(str(e.get('value') or ''))} " in folded]
    message["text"] = clause.strip()
    view = copy.copy(tracker)
    view.latest_message = message
    return view


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

    # True for answers about the one country asked for (hotline, partner, ...): in a
    # message of several questions, each reads the countries of its own clause.
    # The warranty rules need the whole message (bought in one country, repaired in another).
    clause_scoped = False

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict[str, Any]]:
        view = tracker
        if self.clause_scoped and not _answering_second.get():
            message = tracker.latest_message or {}
            text, intent = message.get("text") or "", (message.get("intent") or {}).get("name") or ""
            if other_topics(text, intent):
                view = clause_view(tracker, clause_of(text, intent))
        events = await self.answer(dispatcher, view, domain)
        return await answer_second_topic(dispatcher, tracker, domain, events)
