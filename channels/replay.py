"""A message id is claimed once across all replicas.

In the scaled profile the agent's lock store is Redis
(``components.lock_store.AtomicRedisLockStore``): ``claim`` then sets
``<prefix>seen:<message key>`` with ``SET NX`` and an expiry, which Redis does
atomically, so of two replicas that receive the same redelivered message only
one handles it. Without a Redis lock store (the default profile: one process)
every claim succeeds here and the channel's in-process set of seen ids and the
tracker-store look-up do the job. If Redis fails, the claim succeeds (logged):
a duplicate answer beats a lost message.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional, Text, Tuple

logger = logging.getLogger(__name__)

SEEN_KEY = "seen:"


def _redis_of(app: Any) -> Tuple[Optional[Any], Text]:
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "lock_store", None)
    client = getattr(store, "red", None)
    if client is None or not hasattr(client, "set"):
        return None, ""
    return client, getattr(store, "key_prefix", "") or ""


async def claim(app: Any, key: Text, ttl_seconds: float) -> bool:
    """True if this process may handle the message ``key`` (first to claim it)."""
    client, prefix = _redis_of(app)
    if client is None:
        return True
    try:
        first = await asyncio.to_thread(
            client.set, prefix + SEEN_KEY + key, b"1", nx=True, ex=max(1, int(ttl_seconds))
        )
    except Exception as error:  # noqa: BLE001 - any Redis failure: handle the message
        logger.warning("Duplicate check in Redis failed (%s); handling message %s anyway.",
                       type(error).__name__, key)
        return True
    return bool(first)
