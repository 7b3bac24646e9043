"""Whether a WhatsApp message is recent enough to be answered.

Meta redelivers a webhook it thinks failed for up to about a week, and the
bot may only answer within 24 hours of the user's last message (the customer
service window). A message older than the window (``WHATSAPP_MAX_AGE_SECONDS``,
default 24 h) is acknowledged and logged, not answered. A message without a
readable timestamp, or with one in the future, counts as fresh.
"""
from __future__ import annotations

import time
from typing import Optional, Text


def age_seconds(timestamp: Optional[Text], now: Optional[float] = None) -> Optional[float]:
    """Seconds since the message's Unix ``timestamp``, or None if unreadable."""
    raw = (timestamp or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return None
    return (time.time() if now is None else now) - int(raw)


def is_stale(timestamp: Optional[Text], max_age_seconds: float, now: Optional[float] = None) -> bool:
    if not max_age_seconds:
        return False
    age = age_seconds(timestamp, now)
    return age is not None and age > max_age_seconds
