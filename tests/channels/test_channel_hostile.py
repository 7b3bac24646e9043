"""Hostile traffic against the real channel classes, over HTTP on live servers:
body and message size, sender ids, tokens, rates, turns in flight, stale and
replayed WhatsApp messages, the root route."""

import asyncio
import json
import logging
import time
import uuid
from types import SimpleNamespace

import jwt
import pytest

from channel_testkit import USER_WA_ID, OTHER_WA_ID, EchoBot, LiveServer, post, sign, text_payload, whatsapp_settings
from channels.limits import Limits, RateLimiter
from channels.rest import HardenedRestInput
from channels.whatsapp import WhatsAppInput
from rasa.core.run import configure_app


def body(obj) -> bytes:
    return json.dumps(obj).encode()


async def raw_request(port: int, head: str, payload: bytes = b"", timeout: float = 10.0) -> bytes:
    """Sends ``head`` (request line and headers) and ``payload``; returns the
    answer's status line and headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head.encode() + b"\r\n\r\n" + payload)
        await writer.drain()
        return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    finally:
        writer.close()


def status_of(raw: bytes) -> int:
    return int(raw.split(b" ", 2)[1])


# --- REST: sender ids -----------------------------------------------------------

BAD_SENDERS = [
    ("WhatsApp namespace", "wa-0123456789abcdef0123456789abcdef"),
    ("WhatsApp namespace, upper case", "WA-0123456789abcdef"),
    ("newline (forged log line)", "u1\nINFO rasa.core - forged"),
    ("ANSI escape", "u1\x1b[31mred"),
    ("bidi override", "u1\u202egnp.exe"),
    ("zero-width space", "u\u200b1"),
    ("NUL", "u1\x00"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("case, sender", BAD_SENDERS, ids=[c[0] for c in BAD_SENDERS])
async def test_rest_refuses_reserved_and_unprintable_sender_ids(serve, http, case, sender):
    bot = EchoBot()
    server = await serve([HardenedRestInput(Limits())], bot)
    status, parsed, _ = await post(http, server.url("rest"), body({"sender": sender, "message": "hi"}))
    assert status == 400 and "sender" in parsed["error"]
    assert bot.received == []


@pytest.mark.asyncio
async def test_rest_accepts_ordinary_sender_ids(serve, http):
    bot = EchoBot()
    server = await serve([HardenedRestInput(Limits())], bot)
    for sender in ("web-7f3a", "Jürgen 42", "user@example.com", "was-ist-das"):
        status, _, _ = await post(http, server.url("rest"), body({"sender": sender, "message": "hi"}))
        assert status == 200, sender
    assert len(bot.received) == 4


# --- REST: sizes ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_rest_refuses_a_declared_oversized_body_before_reading_it(serve):
    bot = EchoBot()
    server = await serve([HardenedRestInput(Limits())], bot)
    # only the headers are sent: an answer proves the body was never waited for
    answer = await raw_request(server.port, "POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n"
                         "Content-Type: application/json\r\nContent-Length: 8000000")
    assert status_of(answer) == 413
    assert bot.received == []


@pytest.mark.asyncio
async def test_rest_stops_reading_a_chunked_body_at_the_cap(serve, http):
    bot = EchoBot()
    limits = Limits()
    server = await serve([HardenedRestInput(limits)], bot)

    async def chunks():
        yield b'{"sender": "u1", "message": "'
        for _ in range(200):
            yield b"x" * 1024

    async with http.post(server.url("rest"), data=chunks()) as resp:
        assert resp.status == 413
        assert str(limits.rest_max_body_bytes) in (await resp.json())["error"]
    assert bot.received == []


@pytest.mark.asyncio
@pytest.mark.parametrize("text, words", [
    ("Hallo, ich habe eine Frage zu meinem Handy und der Garantie. " * 80, "zu lang"),
    ("Hello, I have a question about my phone and the warranty. " * 80, "too long"),
])
async def test_rest_refuses_a_long_message_politely_in_the_users_language(serve, http, text, words):
    bot = EchoBot()
    server = await serve([HardenedRestInput(Limits())], bot)
    assert len(text) > 4096
    status, parsed, _ = await post(http, server.url("rest"), body({"sender": "u1", "message": text}))
    assert status == 413
    [message] = parsed["messages"]
    assert message["recipient_id"] == "u1" and words in message["text"]
    assert bot.received == []


# --- REST: token per sender ------------------------------------------------------

SECRET = "a-test-secret-of-the-web-front-end"


def token(sub, secret=SECRET, algorithm="HS256", **claims):
    return jwt.encode({"sub": sub, **claims}, secret, algorithm=algorithm)


@pytest.mark.asyncio
@pytest.mark.parametrize("authorization, status", [
    (None, 401),
    ("Bearer", 401),
    ("Basic dXNlcjpwdw==", 401),
    ("Bearer not-a-jwt", 401),
    (f"Bearer {token('visitor-1', secret='another-secret')}", 401),
    (f"Bearer {token('visitor-1', exp=int(time.time()) - 3600)}", 401),
    (f"Bearer {jwt.encode({'sub': 'visitor-1'}, key=None, algorithm='none')}", 401),
    (f"Bearer {jwt.encode({'user': 'visitor-1'}, SECRET, algorithm='HS256')}", 401),
    (f"Bearer {token('visitor-2')}", 403),
    (f"Bearer {token('visitor-1')}", 200),
    (f"bearer {token('visitor-1', exp=int(time.time()) + 3600)}", 200),
])
async def test_rest_with_a_jwt_secret_needs_a_token_for_the_sender(serve, http, authorization, status):
    bot = EchoBot()
    server = await serve([HardenedRestInput(Limits(), jwt_secret=SECRET)], bot)
    headers = {"Authorization": authorization} if authorization else {}
    async with http.post(server.url("rest"), data=body({"sender": "visitor-1", "message": "hi"}),
                         headers=headers) as resp:
        assert resp.status == status
        parsed = await resp.json()
    if status == 200:
        assert parsed == [{"recipient_id": "visitor-1", "text": "Hi! How can I help you?"}]
    else:
        assert parsed["error"] and bot.received == []


# --- REST: rate and turns in flight ------------------------------------------------


@pytest.mark.asyncio
async def test_rest_sender_over_its_rate_gets_429_with_retry_after(serve, http):
    bot = EchoBot()
    server = await serve([HardenedRestInput(Limits(rate_per_minute=1, rate_burst=2))], bot)
    statuses = []
    for _ in range(4):
        async with http.post(server.url("rest"), data=body({"sender": "fast", "message": "hi"})) as resp:
            statuses.append(resp.status)
            retry = resp.headers.get("Retry-After")
    assert statuses == [200, 200, 429, 429]
    assert retry is not None and int(retry) >= 1
    # another sender is not affected
    status, _, _ = await post(http, server.url("rest"), body({"sender": "calm", "message": "hi"}))
    assert status == 200
    assert bot.texts() == ["hi", "hi", "hi"]


@pytest.mark.asyncio
async def test_rest_sheds_load_with_503_above_the_turns_in_flight(serve, http):
    bot = EchoBot()
    bot.gates["slow"] = asyncio.Event()
    server = await serve([HardenedRestInput(Limits(max_turns_in_flight=1))], bot)
    first = asyncio.ensure_future(post(http, server.url("rest"), body({"sender": "a", "message": "slow"})))
    for _ in range(100):
        if bot.received:
            break
        await asyncio.sleep(0.02)
    async with http.post(server.url("rest"), data=body({"sender": "b", "message": "hi"})) as resp:
        assert resp.status == 503
        assert int(resp.headers["Retry-After"]) >= 1
    bot.gates["slow"].set()
    assert (await first)[0] == 200
    status, _, _ = await post(http, server.url("rest"), body({"sender": "b", "message": "hi"}))
    assert status == 200  # the slot was given back


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)][:2] == [0.0, 0.0]
    assert limiter.take("a") > 0
    now[0] += 1.0
    assert limiter.take("a") == 0.0
    assert limiter.take("b") == 0.0


def test_limits_come_from_the_environment_and_reject_nonsense():
    limits = Limits.from_env({"RATE_LIMIT_PER_MINUTE": "30", "WHATSAPP_MAX_AGE_SECONDS": "3600"})
    assert (limits.rate_per_minute, limits.whatsapp_max_age_seconds) == (30.0, 3600.0)
    assert Limits.from_env({}) == Limits()
    with pytest.raises(ValueError, match="RATE_LIMIT_BURST"):
        Limits.from_env({"RATE_LIMIT_BURST": "many"})


# --- the Sanic app Rasa builds ----------------------------------------------------


@pytest.mark.asyncio
async def test_root_route_names_no_version_and_any_route_has_a_size_cap(graph, http):
    app = configure_app([HardenedRestInput(Limits()), WhatsAppInput(whatsapp_settings(api_base=graph.api_base))],
                        enable_api=False)
    server = await LiveServer([], None, app=app).start()
    try:
        async with http.get(f"{server.base_url}/") as resp:
            text = await resp.text()
        assert resp.status == 200
        assert "Rasa" not in text and "3.6" not in text
        # routes that are not the channels' own (Rasa's HTTP API, when enabled)
        assert app.config.REQUEST_MAX_SIZE == Limits().max_request_bytes
    finally:
        await server.stop()


# --- WhatsApp ---------------------------------------------------------------------


def fresh(text, wa_id=USER_WA_ID, age=0.0, message_id=None):
    payload = text_payload(text, message_id or f"wamid.{uuid.uuid4().hex}", wa_id=wa_id)
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time() - age))
    return json.dumps(payload).encode()


async def deliver(http, server, raw):
    return (await post(http, server.url("whatsapp"), raw, sign(raw)))[0]


@pytest.mark.asyncio
async def test_whatsapp_unsigned_8_mb_body_is_refused_on_its_size_before_reading(make_channel, bot, serve):
    channel = make_channel(limits=Limits())
    server = await serve([channel], bot)
    answer = await raw_request(server.port, "POST /webhooks/whatsapp/webhook HTTP/1.1\r\nHost: x\r\n"
                         "Content-Type: application/json\r\nContent-Length: 8388608")
    assert status_of(answer) == 413
    assert bot.received == []


@pytest.mark.asyncio
@pytest.mark.parametrize("sentence, words", [
    ("Hallo, ich habe eine Frage zu meinem Handy und der Garantie. ", "zu lang"),
    ("Hello, I have a question about my phone and the warranty. ", "too long"),
])
async def test_whatsapp_100k_text_gets_a_polite_reply_and_never_reaches_the_nlu(
        make_channel, bot, serve, http, graph, sentence, words):
    channel = make_channel(limits=Limits())
    server = await serve([channel], bot)
    text = (sentence * (100_000 // len(sentence) + 1))[:100_000]
    assert await deliver(http, server, fresh(text)) == 200
    await channel.wait_idle(10)
    [reply] = graph.texts(USER_WA_ID)
    assert words in reply
    assert bot.received == []
    assert any(r.is_read_receipt for r in graph.requests)


@pytest.mark.asyncio
async def test_whatsapp_flood_gets_one_slow_down_reply_and_every_message_is_logged(
        make_channel, bot, serve, http, graph, caplog):
    channel = make_channel(limits=Limits(rate_per_minute=1, rate_burst=3))
    server = await serve([channel], bot)
    caplog.set_level(logging.INFO, logger="channels.whatsapp")
    for number in range(20):
        assert await deliver(http, server, fresh(f"wo ist meine bestellung nummer {number}")) == 200
    assert await deliver(http, server, fresh("hallo", wa_id=OTHER_WA_ID)) == 200
    await channel.wait_idle(10)
    assert bot.texts() == [f"wo ist meine bestellung nummer {n}" for n in range(3)] + ["hallo"]
    texts = graph.texts(USER_WA_ID)
    assert texts[:3] == [f"echo: wo ist meine bestellung nummer {n}" for n in range(3)]
    assert len(texts) == 4 and "schnell" in texts[3]  # one "slow down", in German
    assert graph.texts(OTHER_WA_ID) == ["Hallo! Wie kann ich dir helfen?"]
    over = [r for r in caplog.records if "over the rate limit" in r.getMessage()]
    assert len(over) == 17  # no message dropped without a trace


@pytest.mark.asyncio
async def test_whatsapp_messages_older_than_the_window_are_acknowledged_not_answered(
        make_channel, bot, serve, http, graph, caplog):
    caplog.set_level(logging.INFO, logger="channels.whatsapp")
    default = make_channel(limits=Limits())
    server = await serve([default], bot)
    assert await deliver(http, server, fresh("alt", age=8 * 24 * 3600)) == 200
    assert await deliver(http, server, fresh("neu", age=60)) == 200
    await default.wait_idle(10)
    assert bot.texts() == ["neu"]
    assert any("older than 86400 s" in r.getMessage() for r in caplog.records)

    hourly = make_channel(limits=Limits(whatsapp_max_age_seconds=3600))
    other_bot = EchoBot()
    server = await serve([hourly], other_bot)
    assert await deliver(http, server, fresh("zwei stunden", age=2 * 3600)) == 200
    await hourly.wait_idle(10)
    assert other_bot.received == []


@pytest.mark.asyncio
async def test_whatsapp_sheds_load_with_503_when_too_many_messages_wait(make_channel, bot, serve, http, graph):
    bot.gates["slow"] = asyncio.Event()
    channel = make_channel(limits=Limits(whatsapp_max_queued=2, rate_per_minute=0))
    server = await serve([channel], bot)
    assert await deliver(http, server, fresh("slow")) == 200
    assert await deliver(http, server, fresh("zwei")) == 200
    raw = fresh("drei")
    status, parsed, _ = await post(http, server.url("whatsapp"), raw, sign(raw))
    assert status == 503 and parsed["error"]
    bot.gates["slow"].set()
    await channel.wait_idle(10)
    assert await deliver(http, server, raw) == 200  # Meta's redelivery is handled
    await channel.wait_idle(10)
    assert bot.texts() == ["slow", "zwei", "drei"]


@pytest.mark.asyncio
async def test_whatsapp_malformed_sender_numbers_are_ignored(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    assert await deliver(http, server, fresh("hi", wa_id="1650555\n1234")) == 200
    assert await deliver(http, server, fresh("hi", wa_id="1" * 40)) == 200
    await channel.wait_idle(5)
    assert bot.received == []


@pytest.fixture
def redis_lock_store():
    redis = pytest.importorskip("redis")
    from components.lock_store import AtomicRedisLockStore

    client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379 ({error}); start it (scripts/services.sh start) "
                    "to run the cross-replica duplicate test")
    prefix = f"test{uuid.uuid4().hex[:12]}"
    yield lambda: AtomicRedisLockStore(host="127.0.0.1", port=6379, db=1, key_prefix=prefix)
    red = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in red.scan_iter(match=f"{prefix}*"):
        red.delete(key)


@pytest.mark.asyncio
async def test_a_redelivery_to_another_replica_is_answered_once_with_redis(
        make_channel, serve, http, graph, redis_lock_store):
    bots, servers, channels = [], [], []
    for _ in range(2):  # two replicas sharing Redis, each with its own memory
        bot, channel = EchoBot(), make_channel()
        server = await serve([channel], bot, agent=SimpleNamespace(lock_store=redis_lock_store()))
        bots.append(bot), servers.append(server), channels.append(channel)
    raw = fresh("nur einmal")
    assert await deliver(http, servers[0], raw) == 200
    assert await deliver(http, servers[1], raw) == 200
    for channel in channels:
        await channel.wait_idle(10)
    assert sum(len(bot.received) for bot in bots) == 1
    assert graph.texts(USER_WA_ID) == ["echo: nur einmal"]


@pytest.mark.asyncio
async def test_without_redis_each_replica_would_answer(make_channel, serve, http, graph):
    # the counter-check of the test above: the duplicate check is what holds
    bots, servers, channels = [], [], []
    for _ in range(2):
        bot, channel = EchoBot(), make_channel()
        servers.append(await serve([channel], bot)), bots.append(bot), channels.append(channel)
    raw = fresh("zweimal")
    for server in servers:
        assert await deliver(http, server, raw) == 200
    for channel in channels:
        await channel.wait_idle(10)
    assert sum(len(bot.received) for bot in bots) == 2


@pytest.mark.asyncio
async def test_whatsapp_turns_in_flight_are_bounded(make_channel, bot, serve, http, graph):
    bot.gates["slow"] = asyncio.Event()
    channel = make_channel(limits=Limits(max_turns_in_flight=1, rate_per_minute=0, whatsapp_max_age_seconds=0))
    server = await serve([channel], bot)
    assert await deliver(http, server, fresh("slow")) == 200
    for _ in range(100):
        if bot.received:
            break
        await asyncio.sleep(0.02)
    assert await deliver(http, server, fresh("hallo", wa_id=OTHER_WA_ID)) == 200
    for _ in range(10):
        await asyncio.sleep(0.02)
    assert bot.texts() == ["slow"]  # the other sender's turn waits for the slot
    bot.gates["slow"].set()
    await channel.wait_idle(10)
    assert bot.texts() == ["slow", "hallo"]
    assert graph.texts(OTHER_WA_ID) == ["Hallo! Wie kann ich dir helfen?"]


@pytest.mark.asyncio
async def test_whatsapp_asks_to_slow_down_once_per_flood_not_once_per_refill(
        make_channel, bot, serve, http, graph):
    now = [0.0]
    channel = make_channel(limits=Limits(rate_per_minute=60, rate_burst=2))
    channel._rate._clock = lambda: now[0]  # the bucket's clock: one token per second
    server = await serve([channel], bot)
    for second in range(6):  # a steady flood: 3 messages a second for 6 seconds
        for number in range(3):
            assert await deliver(http, server, fresh(f"what is the hotline number {second} {number}")) == 200
        now[0] += 1.0
    await channel.wait_idle(10)
    slow_down = [t for t in graph.texts(USER_WA_ID) if "quickly" in t]
    assert len(slow_down) == 1
    assert len(bot.received) == 2 + 5  # the burst, then one a second
