"""Figures and the review queue from the events of the tracker store.

Pure functions over the stored events (the ``data`` column of Rasa's SQL
tracker store, decoded, with ``sender_id``), ordered by id as Rasa stores
them; ``scripts/insights.py`` reads them and draws the page. A conversation is
one sender id; a turn is one user message.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional

from rapidfuzz import fuzz

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = {"action_default_fallback", "utter_default"}
# answers that say "my source does not know" / "I can't help with that"
DONT_KNOW_RESPONSES = {
    "utter_out_of_scope", "utter_no_hotline_known", "utter_country_unknown", "utter_partner_none_named",
    "utter_region_not_covered", "utter_warranty_period_unknown", "utter_iws_countries_unknown",
    "utter_warranty_check_unknown", "utter_day_not_given", "utter_action_unavailable",
}
HANDOFF_ACTION = "action_handoff"
# what the user was told about the hotline right after asking for a human
HOTLINE_STATE_RESPONSES = {
    "utter_open_now": "open",
    "utter_closed_now": "closed",
    "utter_business_hours_only": "business hours (times not given)",
    "utter_no_hotline_known": "no hotline known",
    "utter_ask_country": "country not given",
}
WARRANTY_FORM = "warranty_form"
WARRANTY_RESULT_ACTION = "action_warranty_check"
COUNTRY_SLOTS = ("country", "purchase_country")
LOW_CONFIDENCE = 0.6
REPEAT_SIMILARITY = 85.0
CONTEXT_MESSAGES = 2


@dataclass
class Turn:
    """One user message and what happened until the next one."""

    sender_id: str
    index: int  # position among the conversation's user messages
    text: str
    timestamp: float
    intent: Optional[str]
    confidence: Optional[float]
    ranking: List[Dict[str, Any]]
    language: Optional[str] = None
    actions: List[str] = field(default_factory=list)
    responses: List[str] = field(default_factory=list)
    bot_texts: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    loop_started: bool = False
    loop_ended: bool = False
    loop_active_after: bool = False

    @property
    def is_payload(self) -> bool:
        return self.text.startswith("/")

    @property
    def predicted_intent(self) -> Optional[str]:
        """The intent the NLU leaned to (below the fallback threshold too)."""
        for item in self.ranking:
            if item.get("name") and item.get("name") != FALLBACK_INTENT:
                return item["name"]
        return self.intent if self.intent != FALLBACK_INTENT else None

    @property
    def fallback(self) -> bool:
        return self.intent == FALLBACK_INTENT or bool(FALLBACK_ACTIONS & set(self.actions))

    @property
    def dont_know(self) -> bool:
        return bool(DONT_KNOW_RESPONSES & set(self.responses))


def turns_of(events: Iterable[Dict[str, Any]]) -> Dict[str, List[Turn]]:
    """The turns of every conversation, in order."""
    conversations: Dict[str, List[Turn]] = defaultdict(list)
    language: Dict[str, Optional[str]] = {}
    active_loop: Dict[str, Optional[str]] = {}
    between_sessions: Dict[str, bool] = {}  # slots carried over belong to no turn
    for event in events:
        sender = event["sender_id"]
        kind = event.get("event")
        turns = conversations[sender]
        if kind == "session_started":
            between_sessions[sender] = True
        current = turns[-1] if turns and not between_sessions.get(sender) else None
        if kind == "user":
            between_sessions[sender] = False
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            detected = (parse.get("language") or {}).get("code")
            current = Turn(
                sender_id=sender, index=len(turns), text=event.get("text") or "",
                timestamp=float(event.get("timestamp") or 0), intent=intent.get("name"),
                confidence=intent.get("confidence"), ranking=parse.get("intent_ranking") or [],
                language=language.get(sender) or detected,
            )
            current.loop_active_after = bool(active_loop.get(sender))
            turns.append(current)
        elif kind == "slot" and event.get("name") == "language" and event.get("value"):
            language[sender] = event["value"]
            if current is not None:
                current.language = event["value"]
        elif current is None:
            continue
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            current.actions.append(event["name"])
        elif kind == "bot":
            current.responses.append((event.get("metadata") or {}).get("utter_action") or "")
            current.bot_texts.append(event.get("text") or "")
        elif kind == "slot":
            current.slots[event.get("name")] = event.get("value")
        elif kind == "active_loop":
            name = event.get("name")
            if name == WARRANTY_FORM and not active_loop.get(sender):
                current.loop_started = True
            if not name and active_loop.get(sender):
                current.loop_ended = True
            active_loop[sender] = name
            current.loop_active_after = bool(name)
    return dict(conversations)


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d")


def _share(counter: Counter) -> Dict[str, float]:
    total = sum(counter.values())
    return {key: round(value / total, 4) for key, value in counter.most_common()} if total else {}


def _handoff_state(turn: Turn) -> str:
    after = turn.responses[turn.responses.index("utter_handoff") + 1:] if "utter_handoff" in turn.responses else turn.responses
    for response in after:
        if response in HOTLINE_STATE_RESPONSES:
            return HOTLINE_STATE_RESPONSES[response]
    return "hotline given, state not said"


def figures(conversations: Dict[str, List[Turn]], country_name=None, top: int = 10) -> Dict[str, Any]:
    """The figures of the insights page (all counts over the store given)."""
    country_name = country_name or (lambda code: code)
    turns = [turn for conv in conversations.values() for turn in conv]
    per_day_messages: Counter = Counter(_day(t.timestamp) for t in turns)
    per_day_conversations: Counter = Counter()
    for sender, conv in conversations.items():
        for day in {_day(t.timestamp) for t in conv}:
            per_day_conversations[day] += 1
    languages_by_message = Counter(t.language or "unknown" for t in turns)
    languages_by_conversation = Counter((conv[-1].language or "unknown") for conv in conversations.values() if conv)
    intents = Counter(t.intent or "none" for t in turns)
    countries: Counter = Counter()
    for turn in turns:
        for slot in COUNTRY_SLOTS:
            value = turn.slots.get(slot)
            if value:
                countries[country_name(str(value))] += 1
    handoffs = [t for t in turns if HANDOFF_ACTION in t.actions]
    handoff_table: Dict[str, Counter] = defaultdict(Counter)
    for turn in handoffs:
        code = turn.slots.get("country")
        handoff_table[country_name(str(code)) if code else "(none)"][_handoff_state(turn)] += 1
    started = sum(t.loop_started for t in turns)
    finished = sum(WARRANTY_RESULT_ACTION in t.actions for t in turns)
    lengths = [len(conv) for conv in conversations.values() if conv]
    total = len(turns)
    fallback = sum(t.fallback for t in turns)
    dont_know = sum(t.dont_know for t in turns)
    return {
        "conversations": sum(1 for conv in conversations.values() if conv),
        "messages": total,
        "conversations_per_day": dict(sorted(per_day_conversations.items())),
        "messages_per_day": dict(sorted(per_day_messages.items())),
        "language_share_messages": _share(languages_by_message),
        "language_share_conversations": _share(languages_by_conversation),
        "top_intents": dict(intents.most_common(top)),
        "top_countries": dict(countries.most_common(top)),
        "fallback": {"messages": fallback, "rate": round(fallback / total, 4) if total else 0.0},
        "dont_know": {"messages": dont_know, "rate": round(dont_know / total, 4) if total else 0.0},
        "handoff_requests": len(handoffs),
        "handoff_by_country": {country: dict(states) for country, states in sorted(handoff_table.items())},
        "warranty_checks": {"started": started, "finished": finished,
                            "completion_rate": round(finished / started, 4) if started else 0.0},
        "turns_per_conversation": {"median": statistics.median(lengths) if lengths else 0,
                                   "max": max(lengths, default=0)},
    }


def _context(conv: List[Turn], index: int) -> List[Dict[str, str]]:
    lines: List[Dict[str, str]] = []
    for turn in conv[max(0, index - CONTEXT_MESSAGES): index + CONTEXT_MESSAGES + 1]:
        lines.append({"user": turn.text} if turn.index != index else {"user (this message)": turn.text})
        lines.extend({"bot": text} for text in turn.bot_texts if text)
    return lines


def review_queue(conversations: Dict[str, List[Turn]], low_confidence: float = LOW_CONFIDENCE) -> List[Dict[str, Any]]:
    """The messages the bot was least sure about, each with its reasons and the
    conversation around it, least confident first."""
    items = []
    for sender, conv in conversations.items():
        for turn in conv:
            if turn.is_payload or not turn.text.strip():
                continue
            reasons = []
            if turn.fallback:
                reasons.append("fallback")
            elif turn.confidence is not None and turn.confidence < low_confidence:
                reasons.append("low_confidence")
            if turn.loop_ended and not any(a == WARRANTY_RESULT_ACTION for a in turn.actions):
                reasons.append("form_abandoned")
            elif turn.index == len(conv) - 1 and turn.loop_active_after:
                reasons.append("form_abandoned")
            previous = conv[turn.index - 1] if turn.index else None
            if previous is not None and not previous.is_payload and \
                    fuzz.ratio(previous.text.lower(), turn.text.lower()) >= REPEAT_SIMILARITY:
                reasons.append("repeated")
            if not reasons:
                continue
            items.append({
                "text": turn.text,
                "intent": turn.predicted_intent or FALLBACK_INTENT,
                "confidence": round(turn.confidence, 3) if turn.confidence is not None else None,
                "reasons": reasons,
                "conversation": sender,
                "at": datetime.fromtimestamp(turn.timestamp, tz=timezone.utc).isoformat(timespec="seconds"),
                "context": _context(conv, turn.index),
            })
    return sorted(items, key=lambda item: (item["confidence"] if item["confidence"] is not None else 1.0))
