"""A Redis lock store whose ticket handling is atomic across Rasa servers.

Rasa Open Source 3.6's ``RedisLockStore`` keeps each conversation's ticket lock
as one JSON value and changes it by read-modify-write from Python
(``issue_ticket``: GET, append a ticket, SET; ``finish_serving`` and
``update_lock`` likewise; ``cleanup``: remove the ticket, check whether anyone
waits, DEL). Two Rasa servers doing this at once for the same conversation can
hand out the same ticket number twice (both process the conversation at the
same time, and the SQL tracker store then loses or duplicates events), drop a
ticket another server just added, or delete the lock under a waiting server
(which then fails with ``LockError``). ``tests/unit/test_lock_store.py``
measures this against a real Redis.

``AtomicRedisLockStore`` does each of these changes in one Lua script, which
Redis runs atomically. The value format is Rasa's (``TicketLock.dumps``), so
``get_lock`` and tools reading the keys are unchanged, and a deployment can
switch from ``type: redis`` without draining. Differences from upstream, all in
the safe direction:

* tickets of live servers do not expire: a waiting message's poll sets its
  ticket's expiry to now + lock lifetime, and the holder renews its ticket every
  third of the lifetime while it works (for at most 10 lifetimes). The
  lifetime (``TICKET_LOCK_LIFETIME``) thus only bounds how long the ticket of a
  dead server blocks its conversation. Upstream, a ticket expires ``lifetime``
  seconds after it was issued, however long it queued: under load a holder
  loses its lock while it still works (the next message of the conversation
  runs at the same time and the SQL tracker store loses events), and a message
  queued longer than that fails with ``LockError``;
* waiting polls every ``poll_interval`` seconds (0.25; upstream: 1);
* every write sets a key TTL (last ticket expiry + a grace period), so locks
  left behind by a crashed server disappear instead of lingering forever;
* a lock that starts afresh numbers its first ticket from Redis' clock (ms)
  instead of 0, so a server whose ticket expired while it was still working
  cannot remove a newer server's ticket by number when it finishes;
* a failure to release a ticket is logged, not raised: the reply has been
  computed by then, and the ticket expires after the lock lifetime anyway;
* if Redis cannot be reached when a message comes in (or while it waits), the
  error is logged and the message is handled under a lock local to this
  server (``local_fallback``, on by default) instead of failing: upstream, the
  ``LockError`` ends in Rasa's REST channel as HTTP 200 with an empty list,
  i.e. the user gets silence. Messages of one conversation stay serialised
  within each server; across servers they are not while Redis is down. Every
  message tries Redis first, so the store recovers by itself once Redis is back.

Use it from an endpoints file (values may come from ``${ENV}`` variables,
written unquoted):

    lock_store:
      type: components.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}
      password: ${REDIS_PASSWORD}
      db: ${REDIS_DB}
      key_prefix: supportbot
      socket_timeout: 3          # optional; seconds per Redis call
      poll_interval: 0.25        # optional; seconds between polls while waiting
      local_fallback: true       # optional; see above

Rasa's ``LockStore.create`` loads a ``type`` that is neither ``in_memory`` nor
``redis`` by module path and calls ``cls(endpoint_config=...)``; ``url`` is the
Redis host, the other keys are the keyword arguments of ``RedisLockStore`` and
the two options above.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Dict, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    RedisLockStore,
)
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# How long a lock key outlives the expiry of its last ticket.
KEY_GRACE_MS = 5_000
DEFAULT_POLL_INTERVAL = 0.25
# A holder renews its ticket for at most this many lock lifetimes.
MAX_HOLD_LIFETIMES = 10

# Shared Lua helpers. Tickets are kept as the JSON strings Rasa writes
# ('{"number": 3, "expires": 1732530000.25}'); the lock value is
# '{"conversation_id": "...", "tickets": ["<ticket json>", ...]}'.
_LUA_COMMON = """
local function read_lock(key)
  local raw = redis.call('GET', key)
  local tickets = {}
  local conversation_id = nil
  if raw then
    local ok, data = pcall(cjson.decode, raw)
    if ok and type(data) == 'table' then
      conversation_id = data['conversation_id']
      if type(data['tickets']) == 'table' then
        for _, text in ipairs(data['tickets']) do
          local ticket = cjson.decode(text)
          table.insert(tickets, {
            number = tonumber(ticket['number']),
            expires = tonumber(ticket['expires']),
            text = text,
          })
        end
      end
    end
  end
  return raw, conversation_id, tickets
end

local function ticket_text(number, expires_text)
  return '{"number": ' .. string.format('%.0f', number) .. ', "expires": ' ..
    expires_text .. '}'
end

local function write_lock(key, conversation_id, tickets, now, grace_ms)
  local parts = {}
  local last_expiry = now
  for i, ticket in ipairs(tickets) do
    parts[i] = cjson.encode(ticket.text)
    if ticket.expires > last_expiry then last_expiry = ticket.expires end
  end
  local cid = cjson.encode(conversation_id or '')
  local body = '{"conversation_id": ' .. cid .. ', "tickets": [' ..
    table.concat(parts, ', ') .. ']}'
  local ttl = math.ceil((last_expiry - now) * 1000) + grace_ms
  redis.call('SET', key, body, 'PX', ttl)
  return body
end
"""

# KEYS[1] lock key; ARGV: conversation id, now (s), expiry of the new ticket
# (s, as text), grace (ms). Returns the new ticket's number.
_LUA_ISSUE = _LUA_COMMON + """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local now = tonumber(ARGV[2])
local _, _, tickets = read_lock(KEYS[1])
local kept = {}
local last = -1
for _, ticket in ipairs(tickets) do
  if ticket.number > last then last = ticket.number end
  if not (now > ticket.expires) then table.insert(kept, ticket) end
end
local number = last + 1
if #kept == 0 then
  local clock = redis.call('TIME')
  local base = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
  if base > number then number = base end
end
table.insert(kept, {number = number, expires = tonumber(ARGV[3]),
                    text = ticket_text(number, ARGV[3])})
write_lock(KEYS[1], ARGV[1], kept, now, tonumber(ARGV[4]))
return string.format('%.0f', number)
"""

# KEYS[1] lock key; ARGV: now (s), ticket number, new expiry of that ticket
# (s, as text), grace (ms). Drops expired tickets and extends the caller's.
# Returns the lock after the change, or nil if the caller's ticket is gone.
_LUA_REFRESH = _LUA_COMMON + """
local now = tonumber(ARGV[1])
local number = tonumber(ARGV[2])
local raw, conversation_id, tickets = read_lock(KEYS[1])
if not raw then return false end
local kept = {}
local mine = false
for _, ticket in ipairs(tickets) do
  if not (now > ticket.expires) then
    if ticket.number == number then
      mine = true
      ticket.expires = tonumber(ARGV[3])
      ticket.text = ticket_text(number, ARGV[3])
    end
    table.insert(kept, ticket)
  end
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
  return false
end
local body = write_lock(KEYS[1], conversation_id, kept, now, tonumber(ARGV[4]))
if not mine then return false end
return body
"""

# KEYS[1] lock key; ARGV: now (s), ticket number, delete when empty (1/0),
# grace (ms). Removes the ticket and expired tickets. Returns the number of
# tickets left (-1 if there was no lock).
_LUA_FINISH = _LUA_COMMON + """
local now = tonumber(ARGV[1])
local number = tonumber(ARGV[2])
local raw, conversation_id, tickets = read_lock(KEYS[1])
if not raw then return -1 end
local kept = {}
for _, ticket in ipairs(tickets) do
  if ticket.number ~= number and not (now > ticket.expires) then
    table.insert(kept, ticket)
  end
end
if #kept == 0 and ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
else
  write_lock(KEYS[1], conversation_id, kept, now, tonumber(ARGV[4]))
end
return #kept
"""

# KEYS[1] lock key; ARGV: now (s), grace (ms). Drops expired tickets.
_LUA_EXPIRE = _LUA_COMMON + """
local now = tonumber(ARGV[1])
local raw, conversation_id, tickets = read_lock(KEYS[1])
if not raw then return -1 end
local kept = {}
for _, ticket in ipairs(tickets) do
  if not (now > ticket.expires) then table.insert(kept, ticket) end
end
write_lock(KEYS[1], conversation_id, kept, now, tonumber(ARGV[2]))
return #kept
"""

_TRUE = {"1", "true", "yes", "on"}


def _text_or_none(value: Any) -> Optional[Text]:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def settings_from_endpoint(endpoint_config: EndpointConfig) -> Dict[Text, Any]:
    """Keyword arguments of ``AtomicRedisLockStore`` from an endpoints.yml section.

    Values substituted from ``${ENV}`` variables arrive as strings; they are
    converted, and empty strings (an unset password) mean "not set".
    """
    options = dict(endpoint_config.kwargs)
    settings: Dict[Text, Any] = {}
    host = _text_or_none(endpoint_config.url or options.get("host"))
    options.pop("host", None)
    if host:
        settings["host"] = host
    for name, convert in (("port", int), ("db", int), ("socket_timeout", float),
                          ("poll_interval", float)):
        value = _text_or_none(options.pop(name, None))
        if value is not None:
            settings[name] = convert(value)
    for name in ("username", "password", "ssl_certfile", "ssl_keyfile",
                 "ssl_ca_certs", "key_prefix"):
        value = _text_or_none(options.pop(name, None))
        if value is not None:
            settings[name] = value
    for name in ("use_ssl", "local_fallback"):
        value = _text_or_none(options.pop(name, None))
        if value is not None:
            settings[name] = value.lower() in _TRUE
    if options:
        raise ValueError(
            f"Unknown lock_store setting(s) for AtomicRedisLockStore: "
            f"{', '.join(sorted(options))}"
        )
    return settings


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` with every change of a ticket lock done atomically in
    Redis (Lua scripts); see the module docstring."""

    def __init__(
        self,
        host: Text = "localhost",
        port: int = 6379,
        db: int = 1,
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        use_ssl: bool = False,
        ssl_certfile: Optional[Text] = None,
        ssl_keyfile: Optional[Text] = None,
        ssl_ca_certs: Optional[Text] = None,
        key_prefix: Optional[Text] = None,
        socket_timeout: float = DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        local_fallback: bool = True,
        endpoint_config: Optional[EndpointConfig] = None,
    ) -> None:
        """Creates the lock store; from Rasa's endpoints via ``endpoint_config``."""
        settings: Dict[Text, Any] = dict(
            host=host,
            port=port,
            db=db,
            username=username,
            password=password,
            use_ssl=use_ssl,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
            ssl_ca_certs=ssl_ca_certs,
            key_prefix=key_prefix,
            socket_timeout=socket_timeout,
            poll_interval=poll_interval,
            local_fallback=local_fallback,
        )
        if endpoint_config is not None:
            settings.update(settings_from_endpoint(endpoint_config))
        self.poll_interval = float(settings.pop("poll_interval"))
        self.local_fallback = bool(settings.pop("local_fallback"))
        self._local = InMemoryLockStore()
        super().__init__(**settings)
        # scripts run on `self.red` at call time (EVALSHA, EVAL on a cache miss)
        self._issue = self.red.register_script(_LUA_ISSUE)
        self._refresh = self.red.register_script(_LUA_REFRESH)
        self._finish = self.red.register_script(_LUA_FINISH)
        self._expire = self.red.register_script(_LUA_EXPIRE)
        logger.info(
            "Lock store: AtomicRedisLockStore on %s:%s db %s (key prefix '%s').",
            settings["host"], settings["port"], settings["db"], self.key_prefix,
        )

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def _run(self, script: Any, conversation_id: Text, *args: Any) -> Any:
        return script(keys=[self._key(conversation_id)], args=list(args), client=self.red)

    # --- Rasa's LockStore interface ----------------------------------------

    def issue_ticket(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        """Adds a ticket to the conversation's lock in one atomic step."""
        logger.debug(f"Issuing ticket for conversation '{conversation_id}'.")
        try:
            now = time.time()
            number = self._run(self._issue, conversation_id, conversation_id,
                               repr(now), repr(now + lock_lifetime), KEY_GRACE_MS)
            return int(number)
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}")

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock; a lock local to this server while Redis is down."""
        wait = self.poll_interval if wait_time_in_seconds is None else wait_time_in_seconds
        ticket: Optional[int] = None
        try:
            ticket = self.issue_ticket(conversation_id, lock_lifetime)
        except LockError as error:
            self._fall_back_or_raise(conversation_id, error)
        if ticket is None:
            async with self._local.lock(conversation_id, lock_lifetime, wait) as local_lock:
                yield local_lock
            return

        try:
            acquired: Optional[TicketLock] = None
            try:
                acquired = await self._acquire_lock(conversation_id, ticket, wait, lock_lifetime)
            except RedisError as error:  # Redis went away while we waited
                self._fall_back_or_raise(conversation_id, error)
            if acquired is None:
                async with self._local.lock(conversation_id, lock_lifetime, wait) as local_lock:
                    yield local_lock
            else:
                keeper = asyncio.ensure_future(
                    self._keep_alive(conversation_id, ticket, lock_lifetime))
                try:
                    yield acquired
                finally:
                    keeper.cancel()
        finally:
            self.cleanup(conversation_id, ticket)

    async def _acquire_lock(
        self,
        conversation_id: Text,
        ticket: int,
        wait_time_in_seconds: float,
        lock_lifetime: float = LOCK_LIFETIME,
    ) -> TicketLock:
        """Waits for the ticket's turn, keeping the ticket alive meanwhile.

        Each poll (one script call) drops expired tickets and sets this
        ticket's expiry to now + lifetime; when it is this ticket's turn, the
        holder thus has the full lifetime to work.
        """
        logger.debug(f"Acquiring lock for conversation '{conversation_id}'.")
        while True:
            now = time.time()
            body = self._run(self._refresh, conversation_id, repr(now), int(ticket),
                             repr(now + lock_lifetime), KEY_GRACE_MS)
            if body is None:
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}': "
                    f"its ticket {ticket} expired."
                )
            lock = TicketLock.from_dict(json.loads(body))
            if lock.now_serving == ticket:
                logger.debug(f"Acquired lock for conversation '{conversation_id}'.")
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    async def _keep_alive(self, conversation_id: Text, ticket: int, lock_lifetime: float) -> None:
        """Renews the holder's ticket while the message is being handled."""
        interval = max(0.05, lock_lifetime / 3)
        stop_at = time.monotonic() + MAX_HOLD_LIFETIMES * lock_lifetime
        while time.monotonic() < stop_at:
            await asyncio.sleep(interval)
            try:
                now = time.time()
                body = self._run(self._refresh, conversation_id, repr(now), int(ticket),
                                 repr(now + lock_lifetime), KEY_GRACE_MS)
            except RedisError as e:
                logger.warning(f"Could not renew lock ticket {ticket} of conversation "
                               f"'{conversation_id}': {e}")
                continue
            if body is None:
                logger.warning(f"Lock ticket {ticket} of conversation '{conversation_id}' "
                               f"expired while its message was being handled.")
                return
        logger.warning(f"Conversation '{conversation_id}': a message held the lock for "
                       f"{MAX_HOLD_LIFETIMES} lock lifetimes; no longer renewing its ticket.")

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket (and expired ones) atomically; keeps the lock."""
        self._run(self._finish, conversation_id, repr(time.time()), int(ticket_number),
                  "0", KEY_GRACE_MS)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket and deletes the lock if nobody else waits, atomically.

        Errors are logged, not raised: the message has been handled by now and
        the ticket expires after the lock lifetime on its own.
        """
        try:
            left = self._run(self._finish, conversation_id, repr(time.time()),
                             int(ticket_number), "1", KEY_GRACE_MS)
        except Exception as e:
            logger.error(
                f"Could not release lock ticket {ticket_number} of conversation "
                f"'{conversation_id}' in Redis ({e}); it expires after the lock "
                f"lifetime."
            )
            return
        if left == 0:
            self._log_deletion(conversation_id, True)

    def update_lock(self, conversation_id: Text) -> None:
        """Drops expired tickets atomically."""
        self._run(self._expire, conversation_id, repr(time.time()), KEY_GRACE_MS)

    def save_lock(self, lock: TicketLock) -> None:
        """Writes a whole lock (not used on Rasa's ticket path), with a TTL."""
        expiries = [ticket.expires for ticket in lock.tickets]
        ttl_ms = KEY_GRACE_MS
        if expiries:
            ttl_ms += max(0, math.ceil((max(expiries) - time.time()) * 1000))
        self.red.set(self._key(lock.conversation_id), lock.dumps(), px=ttl_ms)

    # --- fallback -------------------------------------------------------------

    def _fall_back_or_raise(self, conversation_id: Text, error: Exception) -> None:
        if not self.local_fallback:
            raise error
        text = str(error).strip()
        reason = text.splitlines()[-1] if text else repr(error)
        logger.error(
            f"Redis lock store unavailable ({reason}); handling conversation "
            f"'{conversation_id}' under a lock local to this server until Redis "
            f"is back."
        )
