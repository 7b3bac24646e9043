"""A conversation session ends after a bound of user messages, not only after
hours of silence, so that a turn does not cost more the longer a chat goes on.

Rasa 3.6 reads, replays and sends to the action server every event of the
current session on every turn: a 400-message conversation answers several
times slower at its end than at its start (issue 15). Rasa's own remedy is a
new session (`action_session_start`), which the SQL and in-memory tracker
stores read from; `carry_over_slots_to_new_session` (domain) keeps the slots,
and with them the language, the country, the product and the last topic the
follow-ups read. Every event stays stored: insights, the privacy answers and
the erasure still see the whole conversation.

This wraps `MessageProcessor._has_session_expired`: a session also counts as
expired once it holds `SESSION_MAX_TURNS` user messages (default 25; 0 turns
the bound off), but only at a quiet point, where no context outside the slots
matters for the next message: no form is active, and the bot's last action is
not one that a rule expects an answer to (`WAITS_FOR_ANSWER`, checked against
data/rules*.yml by tests/unit/test_session_bound.py).

It also mends how Rasa carries slots over: `ActionSessionStart` copies every
SlotSet event of the old session, the copies of the session before included,
so each new session starts with more events than the last (measured with a
25-message bound: sessions of 209, 274, 339, 404 … events). Only each slot's
latest value is carried now, in the order they were last set: the same slots.
Installed on import (components/__init__.py), pinned to rasa==3.6.21 like
components/resilience.py.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional

from rasa.core.actions.action import ActionSessionStart
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

MAX_TURNS_VARIABLE = "SESSION_MAX_TURNS"
DEFAULT_MAX_TURNS = 25
# Actions after which a rule reads the user's next message as an answer to
# them ("ja" after the erasure question): the session is not cut there.
WAITS_FOR_ANSWER = frozenset({"action_privacy_explain"})

_original = MessageProcessor._has_session_expired


def max_turns() -> int:
    value = (os.environ.get(MAX_TURNS_VARIABLE) or "").strip()
    return int(value) if value.isdigit() else DEFAULT_MAX_TURNS


def _session_turns_and_last_action(tracker: DialogueStateTracker) -> "tuple[int, Optional[str]]":
    """User messages since the latest session start, and the latest action
    other than listening (None when there is none)."""
    turns, last_action = 0, None
    for event in reversed(tracker.events):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            turns += 1
        elif (isinstance(event, ActionExecuted) and last_action is None
              and event.action_name not in (ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME)):
            last_action = event.action_name
    return turns, last_action


def session_is_full(tracker: DialogueStateTracker, bound: int) -> bool:
    """True when the current session holds ``bound`` user messages or more and
    the next message may start a new one without losing anything."""
    if bound <= 0 or tracker.active_loop_name:
        return False
    turns, last_action = _session_turns_and_last_action(tracker)
    return turns >= bound and last_action not in WAITS_FOR_ANSWER


def has_session_expired(self: MessageProcessor, tracker: DialogueStateTracker) -> bool:
    if _original(self, tracker):
        return True
    return self.domain.session_config.are_sessions_enabled() and session_is_full(tracker, max_turns())


MessageProcessor._has_session_expired = has_session_expired


def latest_slot_events(tracker: DialogueStateTracker) -> List[SlotSet]:
    """One SlotSet per slot set in the session: its latest value and metadata."""
    latest: Dict[str, SlotSet] = {}
    for event in tracker.applied_events():
        if isinstance(event, SlotSet):
            latest.pop(event.key, None)  # re-inserted: the order they were last set in
            latest[event.key] = SlotSet(key=event.key, value=event.value, metadata=event.metadata)
    return list(latest.values())


ActionSessionStart._slot_set_events_from_tracker = staticmethod(latest_slot_events)
