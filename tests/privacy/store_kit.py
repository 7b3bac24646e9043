"""Tracker stores for the privacy tests: Rasa's real SQL tracker store (the
erasing subclass) on a SQLite file or a scratch PostgreSQL database, filled
with conversations whose events carry chosen ages."""
from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path
from typing import List, Optional

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
DAY = 24 * 3600.0


def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def session(start: float, texts: List[str]) -> List[Event]:
    """One conversation session starting at ``start`` (epoch s): a message and
    an answer per text, a second apart."""
    events: List[Event] = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.1),
        ActionExecuted("action_listen", timestamp=start + 0.2),
    ]
    at = start + 1
    for text in texts:
        events += [
            UserUttered(text, {"name": "greet", "confidence": 0.9}, timestamp=at),
            ActionExecuted("utter_greet", timestamp=at + 0.1),
            BotUttered("hallo", timestamp=at + 0.2),
            ActionExecuted("action_listen", timestamp=at + 0.3),
        ]
        at += 1
    return events


def tracker(sender_id: str, events: List[Event], dom: Optional[Domain] = None) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender_id, events, (dom or domain()).slots)


def ago(days: float) -> float:
    return time.time() - days * DAY


def sqlite_rows(path: Path, sender_id: str) -> List[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT type_name, data FROM events WHERE sender_id = ? ORDER BY id", (sender_id,)).fetchall()
