"""Builds real rasa_sdk Trackers for the action tests."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Tracker


def entity(name: str, value: str, text: str) -> Dict[str, Any]:
    """An entity as the NLU reports it, placed where `value` stands in `text`."""
    start = max(text.lower().find(value.lower()), 0)
    return {"entity": name, "value": value, "start": start, "end": start + len(value), "extractor": "test"}


def make_tracker(
    text: str = "",
    lang: str = "de",
    intent: str = "inform",
    entities: Sequence[Tuple[str, str]] = (),
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[Dict[str, Any]] = None,
    sender_id: str = "test-user",
) -> Tracker:
    all_slots: Dict[str, Any] = {"language": lang}
    all_slots.update(slots or {})
    latest_message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [entity(name, value, text) for name, value in entities],
    }
    return Tracker(sender_id, all_slots, latest_message, events or [], False, None, active_loop or {}, "action_listen")
