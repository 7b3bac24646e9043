"""What the tracker store already holds for a conversation: used by the
channels to answer a delivered-twice message once (WhatsApp's message id, the
REST webhook's optional ``message_id``).

Read from the agent's tracker store, so the check holds across restarts and
replicas that share a store. A store that cannot be read counts as "not seen":
the message is then handled (a duplicate answer beats a lost message).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.shared.core.events import BotUttered, UserUttered

logger = logging.getLogger(__name__)

# BotUttered.data keys that the REST collector sends as they are
_REPLY_KEYS = ("buttons", "image", "attachment", "custom", "elements", "quick_replies")


async def full_tracker(app: Any, sender_id: Text) -> Optional[Any]:
    """The conversation's tracker with every session, or None (no agent, no
    store, unreadable store, unknown sender)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return None
    # The agent wraps its store in a FailSafeTrackerStore, whose
    # ``retrieve_full_tracker`` only returns the latest session.
    inner = getattr(store, "_tracker_store", store)
    try:
        return await inner.retrieve_full_tracker(sender_id)
    except Exception:
        try:
            return await store.retrieve(sender_id)
        except Exception:
            logger.warning("Tracker store lookup for %s failed; treating the message as new.", sender_id, exc_info=True)
            return None


def has_user_message(tracker: Optional[Any], message_id: Text) -> bool:
    return tracker is not None and any(
        isinstance(event, UserUttered) and event.message_id == message_id for event in reversed(tracker.events)
    )


def replies_to(tracker: Optional[Any], message_id: Text, recipient_id: Text) -> Optional[List[Dict[Text, Any]]]:
    """The bot's answers to the user message ``message_id``, in the REST
    collector's format; None when the tracker holds no such message."""
    if tracker is None:
        return None
    replies: Optional[List[Dict[Text, Any]]] = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            reply: Dict[Text, Any] = {"recipient_id": recipient_id}
            if event.text:
                reply["text"] = event.text
            reply.update({key: event.data[key] for key in _REPLY_KEYS if (event.data or {}).get(key)})
            replies.append(reply)
    return replies
