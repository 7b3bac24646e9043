"""How much work one request, one sender and the whole server may cause.

``Limits`` holds the settings (environment variables, see ``.env.example``);
``RateLimiter`` is a per-sender token bucket and ``TurnGate`` bounds the turns
a channel has in flight. Both live in the process: with N replicas a sender
gets N times the rate at most (the load balancer spreads its requests).
"""
from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Text, Tuple

MAX_MESSAGE_CHARS = 4096  # WhatsApp's own limit for a text message


def _number(environ: Mapping[Text, Text], name: Text, default: float) -> float:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < 0 or math.isnan(value):
        raise ValueError(f"{name} must not be negative, got {raw!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """Limits of the input channels (0 turns a rate or bound off)."""

    max_message_chars: int = MAX_MESSAGE_CHARS
    max_request_bytes: int = 1024 * 1024  # any route of the server (Sanic's REQUEST_MAX_SIZE)
    rest_max_body_bytes: int = 16 * 1024
    whatsapp_max_body_bytes: int = 256 * 1024
    rate_per_minute: float = 20.0  # messages per sender and minute, after the burst
    rate_burst: int = 5  # messages a sender may send at once
    max_turns_in_flight: int = 50  # per channel and process (about 2.5 s of work on 2 cores)
    whatsapp_max_age_seconds: float = 24 * 3600  # older messages are not answered
    whatsapp_max_queued: int = 500  # messages waiting in the process; then 503

    @classmethod
    def from_env(cls, environ: Optional[Mapping[Text, Text]] = None) -> "Limits":
        env = os.environ if environ is None else environ
        d = cls()
        return cls(
            max_message_chars=int(_number(env, "MAX_MESSAGE_CHARS", d.max_message_chars)),
            max_request_bytes=int(_number(env, "MAX_REQUEST_BYTES", d.max_request_bytes)),
            rest_max_body_bytes=int(_number(env, "REST_MAX_BODY_BYTES", d.rest_max_body_bytes)),
            whatsapp_max_body_bytes=int(_number(env, "WHATSAPP_MAX_BODY_BYTES", d.whatsapp_max_body_bytes)),
            rate_per_minute=_number(env, "RATE_LIMIT_PER_MINUTE", d.rate_per_minute),
            rate_burst=int(_number(env, "RATE_LIMIT_BURST", d.rate_burst)),
            max_turns_in_flight=int(_number(env, "MAX_TURNS_IN_FLIGHT", d.max_turns_in_flight)),
            whatsapp_max_age_seconds=_number(env, "WHATSAPP_MAX_AGE_SECONDS", d.whatsapp_max_age_seconds),
            whatsapp_max_queued=int(_number(env, "WHATSAPP_MAX_QUEUED", d.whatsapp_max_queued)),
        )

    @classmethod
    def unlimited(cls) -> "Limits":
        """No rate limit, no in-flight bound, no age limit (for tests of other things)."""
        return cls(rate_per_minute=0, max_turns_in_flight=0, whatsapp_max_age_seconds=0, whatsapp_max_queued=0)


class RateLimiter:
    """Token bucket per key: ``burst`` at once, then ``per_minute``.

    Memory is bounded: at most ``max_keys`` buckets, the least recently used
    forgotten first (a forgotten sender starts with a full bucket again).
    """

    def __init__(self, per_minute: float, burst: int, max_keys: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, int(burst))
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: "OrderedDict[Text, Tuple[float, float]]" = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def now(self) -> float:
        return self._clock()

    @property
    def refill_seconds(self) -> float:
        """How long an empty bucket takes to fill up again."""
        return self.burst / self.rate if self.rate > 0 else 0.0

    def take(self, key: Text) -> float:
        """Takes a token for ``key``: 0.0 if allowed, else the seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        tokens, last = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class TurnGate:
    """Counts the turns in flight; ``try_enter`` refuses above ``capacity`` (0: no bound)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(0, int(capacity))
        self.in_flight = 0

    def try_enter(self) -> Optional["Slot"]:
        if self.capacity and self.in_flight >= self.capacity:
            return None
        self.in_flight += 1
        return Slot(self)


class Slot:
    """One turn in a ``TurnGate``; ``release`` may be called more than once."""

    def __init__(self, gate: TurnGate) -> None:
        self._gate: Optional[TurnGate] = gate

    def release(self) -> None:
        if self._gate is not None:
            self._gate.in_flight -= 1
            self._gate = None


def retry_after(seconds: float) -> Text:
    """The ``Retry-After`` header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
