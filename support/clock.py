"""The one clock for "now": the actions, the NLU components and the channels
read it here, so a frozen clock (SUPPORT_BOT_NOW, for tests and demos) holds
everywhere."""
from __future__ import annotations

import os
from datetime import date, datetime, timezone

NOW_VARIABLE = "SUPPORT_BOT_NOW"  # ISO timestamp that freezes the clock


def now() -> datetime:
    frozen = os.environ.get(NOW_VARIABLE)
    if frozen:
        value = datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def today() -> date:
    return now().date()
