"""Erasure and retention of stored conversations (GDPR), Rasa-side.

``ErasingSQLTrackerStore`` is Rasa's SQL tracker store (SQLite in the default
profile, PostgreSQL in the scaled one; same table, same format) with two
additions:

* **Erasure from the conversation.** When the user confirms, the action
  ``action_erase_conversation`` runs (actions/privacy.py) and only says so.
  The deletion happens here, when Rasa saves that turn: instead of appending
  the turn's events, the store deletes every stored event of the conversation
  (all sessions) in one transaction and stores nothing of the turn.

  Why here and not in the action: the action server has no access to the
  store in production (it may run elsewhere), and Rasa holds the whole
  conversation in memory while the turn runs. Anything deleted during the
  action would be written back when Rasa saves the turn: the SQL store appends
  the events it counts as new, and with an emptied table every event in memory
  counts as new. Saving is the one moment after which Rasa writes nothing more
  for the turn, it runs under the conversation's lock (Redis in the scaled
  profile, so no other replica handles the conversation meanwhile), and it
  works the same on SQLite and PostgreSQL. The next message of that sender
  starts a new, empty conversation. The lock key is removed by the lock store
  itself when the turn ends (``AtomicRedisLockStore`` deletes a lock nobody
  waits for); in-process duplicate-check keys (WhatsApp message ids) are
  forgotten through ``on_erasure`` hooks.

* **Erasure by an operator** (``scripts/privacy.py erase``) while the bot runs.
  A turn that was being handled at that moment would write its conversation
  back when it is saved. The operator's erasure therefore leaves a tombstone
  (``privacy_erasures``: the conversation id and the time, nothing else); a save
  of a conversation held in memory since before its tombstone stores nothing.
  Tombstones are removed by ``purge`` after a day.

``purge_events`` (support/privacy_data.py, shared with scripts/privacy.py)
implements the retention period (``RETENTION_DAYS``): a
conversation is deleted once its last event is older than the period; of a
conversation still in use, the earlier sessions older than the period are
deleted (never the current session: Rasa counts its events to know what to
append).

Use it from an endpoints file in place of ``type: SQL`` (same keys)::

    tracker_store:
      type: components.privacy_store.ErasingSQLTrackerStore
      dialect: sqlite
      db: ${TRACKER_DB}
"""
from __future__ import annotations

import inspect
import logging
import weakref
from typing import Any, Callable, Iterable, List, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from support.privacy_data import (  # noqa: F401  (re-exported)
    EVENTS, TOMBSTONES, PurgeResult, erase_conversation, erase_events, ensure_tables, purge_events,
)

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_erase_conversation"  # actions/privacy.py

# Callbacks run in the Rasa server after a conversation was erased there
# (channels register one to forget their duplicate-check keys of that sender).
# Bound methods are held weakly: a channel that is gone is not kept alive.
_erasure_hooks: List[Any] = []


def on_erasure(hook: Callable[[Text], None]) -> None:
    ref = weakref.WeakMethod(hook) if inspect.ismethod(hook) else (lambda: hook)
    _erasure_hooks.append(ref)


def _run_erasure_hooks(sender_id: Text) -> None:
    for ref in list(_erasure_hooks):
        hook = ref()
        if hook is None:
            _erasure_hooks.remove(ref)
            continue
        try:
            hook(sender_id)
        except Exception:  # noqa: BLE001 - a hook must not undo the erasure
            logger.exception("Erasure hook %r failed for conversation %s.", hook, sender_id)


def _erases(events: Iterable[Any]) -> bool:
    return any(isinstance(event, ActionExecuted) and event.action_name == ERASE_ACTION for event in events)


class ErasingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store plus erasure (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ensure_tables(self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save(tracker)
        except Exception:
            if _erases(tracker.events[-10:]):
                # Rasa's FailSafeTrackerStore swallows the error and the user has
                # been told "deleted": say loudly what the operator must do.
                logger.error(
                    "Erasure of conversation %s FAILED (tracker store error); erase it with "
                    "`scripts/privacy.py erase --sender %s` once the database is back.",
                    tracker.sender_id, tracker.sender_id)
            raise

    async def _save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            connection = session.connection()
            erased_at = connection.execute(
                sa.select(TOMBSTONES.c.erased_at).where(TOMBSTONES.c.sender_id == tracker.sender_id)).scalar()
            if _erases(new_events):
                removed = erase_events(connection, tracker.sender_id)
                connection.execute(TOMBSTONES.delete().where(TOMBSTONES.c.sender_id == tracker.sender_id))
                session.commit()
                logger.info(
                    "Conversation %s erased at the user's request: %d stored events deleted, "
                    "the %d events of this turn not stored.", tracker.sender_id, removed, len(new_events))
                _run_erasure_hooks(tracker.sender_id)
                return
        first = next((e.timestamp for e in tracker.events if e.timestamp), None)
        if erased_at is not None and first is not None and first <= erased_at:
            logger.warning(
                "Conversation %s was erased while a message of it was being handled; "
                "its %d events in memory are not stored.", tracker.sender_id, len(tracker.events))
            return
        await super().save(tracker)
