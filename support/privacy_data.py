"""Erasure and retention on the SQL tracker store's tables, with SQLAlchemy
only (no Rasa import, so scripts/privacy.py starts fast). Used by the Rasa
server's tracker store (components/privacy_store.py, which explains the
rules) and by scripts/privacy.py."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Text

import sqlalchemy as sa

SESSION_STARTED = "session_started"  # rasa.shared.core.events.SessionStarted.type_name
TOMBSTONE_TABLE = "privacy_erasures"
TOMBSTONE_LIFETIME_S = 24 * 3600
DAY_S = 24 * 3600

_metadata = sa.MetaData()
EVENTS = sa.Table(
    "events", _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
TOMBSTONES = sa.Table(
    TOMBSTONE_TABLE, _metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("erased_at", sa.Float, nullable=False),
)


def ensure_tables(engine: sa.engine.Engine) -> bool:
    """Creates the tombstone table; returns whether the events table exists
    (Rasa creates it when its first server starts)."""
    for attempt in range(5):
        try:
            TOMBSTONES.create(engine, checkfirst=True)
            break
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            # Replicas starting together on PostgreSQL race to create it (the
            # loser gets a unique violation on pg_type): fine once it is there.
            if sa.inspect(engine).has_table(TOMBSTONES.name):
                break
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    return sa.inspect(engine).has_table(EVENTS.name)


def erase_events(connection: sa.engine.Connection, sender_id: Text, tombstone: bool = False) -> int:
    """Deletes every event of one conversation; returns how many."""
    removed = connection.execute(EVENTS.delete().where(EVENTS.c.sender_id == sender_id)).rowcount
    if tombstone:
        connection.execute(TOMBSTONES.delete().where(TOMBSTONES.c.sender_id == sender_id))
        connection.execute(TOMBSTONES.insert().values(sender_id=sender_id, erased_at=time.time()))
    return int(removed or 0)


def erase_conversation(engine: sa.engine.Engine, sender_id: Text, tombstone: bool = True) -> int:
    """An operator's erasure (scripts/privacy.py): one transaction."""
    has_events = ensure_tables(engine)
    with engine.begin() as connection:
        if not has_events:
            connection.execute(TOMBSTONES.delete().where(TOMBSTONES.c.sender_id == sender_id))
            connection.execute(TOMBSTONES.insert().values(sender_id=sender_id, erased_at=time.time()))
            return 0
        return erase_events(connection, sender_id, tombstone=tombstone)


@dataclass
class PurgeResult:
    cutoff: float
    conversations_removed: List[Text] = field(default_factory=list)
    # sender id -> events of earlier sessions removed (conversation kept)
    sessions_trimmed: Dict[Text, int] = field(default_factory=dict)
    events_removed: int = 0
    tombstones_removed: int = 0


def purge_events(engine: sa.engine.Engine, older_than_days: float, now: Optional[float] = None) -> PurgeResult:
    """Deletes what is older than the retention period (see the module docstring)."""
    if older_than_days < 0:
        raise ValueError("older_than_days must not be negative")
    has_events = ensure_tables(engine)
    now = time.time() if now is None else now
    result = PurgeResult(cutoff=now - older_than_days * DAY_S)
    if not has_events:
        return result
    last_event = sa.func.max(EVENTS.c.timestamp)
    with engine.begin() as connection:
        rows = connection.execute(sa.select(EVENTS.c.sender_id, last_event).group_by(EVENTS.c.sender_id)).all()
        for sender_id, latest in rows:
            if latest is None or latest < result.cutoff:
                result.events_removed += erase_events(connection, sender_id)
                result.conversations_removed.append(sender_id)
                continue
            current_start = connection.execute(
                sa.select(sa.func.max(EVENTS.c.timestamp)).where(
                    EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == SESSION_STARTED)
            ).scalar()
            if current_start is None:
                continue
            # the `action_session_start` row just before SessionStarted belongs
            # to the current session too: keep everything from one second before
            keep_from = min(result.cutoff, current_start - 1.0)
            trimmed = connection.execute(
                EVENTS.delete().where(EVENTS.c.sender_id == sender_id, EVENTS.c.timestamp < keep_from)
            ).rowcount
            if trimmed:
                result.sessions_trimmed[sender_id] = int(trimmed)
                result.events_removed += int(trimmed)
        result.tombstones_removed = int(connection.execute(
            TOMBSTONES.delete().where(TOMBSTONES.c.erased_at < now - TOMBSTONE_LIFETIME_S)).rowcount or 0)
    return result
