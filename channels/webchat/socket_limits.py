"""Limits of the web chat's socket.io channel: message length, metadata size and
per-sender message rates.

The socket.io channel's own module, kept small on purpose: the REST and
WhatsApp channels get a shared limit module of their own (issue 12); when that
lands, this one can delegate to it. The defaults follow the REST webhook
(`channels/rest.py`: 4,096 characters per message).

Rates are token buckets: `burst` messages at once, then one more every
`60 / per_minute` seconds. They are kept per conversation (the session id) and
per socket connection, so neither a reloaded page with a new session nor many
sessions over one connection get around them. The clock is injectable, so the
tests step it instead of sleeping.
"""
from __future__ import annotations

import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Text

MAX_MESSAGE_LENGTH = 4096  # characters, as the REST webhook
MAX_METADATA_BYTES = 2048  # JSON of the message metadata (the page sends ~30 bytes)
MAX_LANGUAGE_TAG_LENGTH = 35  # BCP 47 tags are short ("de-DE", "en-GB")
DEFAULT_BURST = 8
DEFAULT_PER_MINUTE = 20
MAX_TRACKED_KEYS = 10_000  # oldest buckets are forgotten first


@dataclass(frozen=True)
class RateSettings:
    burst: int = DEFAULT_BURST
    per_minute: float = DEFAULT_PER_MINUTE

    @classmethod
    def from_environment(cls, env: Optional[Mapping[str, str]] = None) -> "RateSettings":
        """`WEBCHAT_RATE_BURST` and `WEBCHAT_RATE_PER_MINUTE`, else the defaults."""
        env = os.environ if env is None else env
        burst = int(env.get("WEBCHAT_RATE_BURST") or DEFAULT_BURST)
        per_minute = float(env.get("WEBCHAT_RATE_PER_MINUTE") or DEFAULT_PER_MINUTE)
        if burst < 1 or per_minute <= 0:
            raise ValueError("WEBCHAT_RATE_BURST must be >= 1 and WEBCHAT_RATE_PER_MINUTE > 0")
        return cls(burst=burst, per_minute=per_minute)


class RateLimiter:
    """Token buckets by key, bounded in memory."""

    def __init__(self, settings: RateSettings, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = MAX_TRACKED_KEYS) -> None:
        self.settings = settings
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: "OrderedDict[Text, list]" = OrderedDict()  # key -> [tokens, last time, warned]

    def allow(self, key: Text) -> bool:
        """Takes one token for `key`; False when its bucket is empty."""
        now = self._clock()
        bucket = self._buckets.pop(key, None)
        if bucket is None:
            bucket = [float(self.settings.burst), now, False]
        tokens, last, warned = bucket
        tokens = min(float(self.settings.burst), tokens + (now - last) * self.settings.per_minute / 60.0)
        allowed = tokens >= 1.0
        if allowed:
            tokens -= 1.0
            warned = False
        self._buckets[key] = [tokens, now, warned]
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def first_refusal(self, key: Text) -> bool:
        """True once per run of refused messages, so the user is told once, not per message."""
        bucket = self._buckets.get(key)
        if bucket is None or bucket[2]:
            return False
        bucket[2] = True
        return True

    def forget(self, key: Text) -> None:
        self._buckets.pop(key, None)

    def seconds_until_next(self, key: Text) -> float:
        bucket = self._buckets.get(key)
        if bucket is None or bucket[0] >= 1.0:
            return 0.0
        return (1.0 - bucket[0]) * 60.0 / self.settings.per_minute


def message_too_long(text: Text) -> bool:
    return len(text) > MAX_MESSAGE_LENGTH


def clean_metadata(raw: Any) -> Dict[Text, Any]:
    """The metadata a web client may pass on: only `language` (the browser's
    language tag, a hint for the bot), and only when the whole metadata is
    small. Anything else is dropped rather than stored in the tracker."""
    if isinstance(raw, str):
        if len(raw.encode("utf-8", "replace")) > MAX_METADATA_BYTES:
            return {}
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    try:
        if len(json.dumps(raw, ensure_ascii=False).encode("utf-8")) > MAX_METADATA_BYTES:
            return {}
    except (TypeError, ValueError, RecursionError, UnicodeEncodeError):
        return {}
    language = raw.get("language")
    if isinstance(language, str) and 0 < len(language) <= MAX_LANGUAGE_TAG_LENGTH and language.replace("-", "").replace("_", "").isalnum():
        return {"language": language}
    return {}
