"""Tests of the hardened REST webhook, over HTTP on a live Sanic server."""

import asyncio
import json
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

from channel_testkit import EchoBot, post
from channels.rest import MAX_BODY_BYTES, HardenedRestInput
from rasa.core.channels.rest import RestInput


def body(obj) -> bytes:
    return json.dumps(obj).encode()


REJECTIONS = [
    ("empty body", b"", 400),
    ("whitespace body", b"   \n", 400),
    ("oversized body", body({"sender": "u1", "message": "x", "metadata": {"pad": "x" * MAX_BODY_BYTES}}), 413),
    ("invalid JSON", b'{"sender": "u1", "message": ', 400),
    ("not UTF-8", b'{"sender": "u1", "message": "\xff\xfe"}', 400),
    ("NaN", b'{"sender": "u1", "message": "hi", "metadata": {"x": NaN}}', 400),
    ("deeply nested", b"[" * 5000 + b"]" * 5000, 400),
    ("JSON array", body(["sender", "message"]), 400),
    ("JSON string", body("hello"), 400),
    ("JSON number", b"42", 400),
    ("JSON null", b"null", 400),
    ("missing sender", body({"message": "hi"}), 400),
    ("null sender", body({"sender": None, "message": "hi"}), 400),
    ("empty sender", body({"sender": "", "message": "hi"}), 400),
    ("blank sender", body({"sender": "   ", "message": "hi"}), 400),
    ("number sender", body({"sender": 123, "message": "hi"}), 400),
    ("list sender", body({"sender": ["u1"], "message": "hi"}), 400),
    ("long sender", body({"sender": "u" * 129, "message": "hi"}), 400),
    ("missing message", body({"sender": "u1"}), 400),
    ("null message", body({"sender": "u1", "message": None}), 400),
    ("number message", body({"sender": "u1", "message": 5}), 400),
    ("object message", body({"sender": "u1", "message": {"text": "hi"}}), 400),
    ("long message", body({"sender": "u1", "message": "x" * 4097}), 413),
    ("string metadata", body({"sender": "u1", "message": "hi", "metadata": "x"}), 400),
    ("list metadata", body({"sender": "u1", "message": "hi", "metadata": [1]}), 400),
    ("number input_channel", body({"sender": "u1", "message": "hi", "input_channel": 5}), 400),
    ("lone surrogate", b'{"sender": "u1", "message": "\\ud800"}', 400),
    ("number message_id", body({"sender": "u1", "message": "hi", "message_id": 7}), 400),
    ("empty message_id", body({"sender": "u1", "message": "hi", "message_id": " "}), 400),
    ("long message_id", body({"sender": "u1", "message": "hi", "message_id": "m" * 129}), 400),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("case, raw, status", REJECTIONS, ids=[c[0] for c in REJECTIONS])
async def test_rest_webhook_rejects_with_4xx_and_json_error(serve, http, case, raw, status):
    bot = EchoBot()
    server = await serve([HardenedRestInput()], bot)
    got, parsed, _ = await post(http, server.url("rest"), raw)
    assert got == status
    assert isinstance(parsed, dict) and isinstance(parsed.get("error"), str) and parsed["error"]
    assert bot.received == []


@pytest.mark.asyncio
async def test_valid_message_reaches_the_handler_and_is_answered(serve, http):
    bot = EchoBot()
    server = await serve([HardenedRestInput()], bot)
    payload = {"sender": "user-1", "message": "hallo", "metadata": {"lang": "de"}}
    status, parsed, _ = await post(http, server.url("rest"), body(payload))
    assert status == 200
    assert parsed == [{"recipient_id": "user-1", "text": "Hallo! Wie kann ich dir helfen?"}]
    [message] = bot.received
    assert (message.sender_id, message.text, message.metadata) == ("user-1", "hallo", {"lang": "de"})
    assert message.input_channel == "rest"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "payload",
    [
        {"sender": "user-1", "message": "buttons"},
        {"sender": "u" * 128, "message": "x" * 4096},
        {"sender": "user-2", "message": "", "metadata": None},
        {"sender": "user-3", "message": "hi", "input_channel": "web"},
    ],
)
async def test_valid_requests_behave_exactly_like_rasa_rest_input(serve, http, payload):
    hardened_bot, plain_bot = EchoBot(), EchoBot()
    hardened = await serve([HardenedRestInput()], hardened_bot)
    plain = await serve([RestInput()], plain_bot)
    got = await post(http, hardened.url("rest"), body(payload))
    want = await post(http, plain.url("rest"), body(payload))
    assert got[:2] == want[:2]
    assert got[0] == 200
    assert [(m.sender_id, m.text, m.metadata, m.input_channel) for m in hardened_bot.received] == [
        (m.sender_id, m.text, m.metadata, m.input_channel) for m in plain_bot.received
    ]


@pytest.mark.asyncio
async def test_streaming_still_works(serve, http):
    server = await serve([HardenedRestInput()], EchoBot())
    async with http.post(
        server.url("rest") + "?stream=true", data=body({"sender": "u1", "message": "hi"})
    ) as resp:
        assert resp.status == 200
        lines = [json.loads(line) for line in (await resp.text()).splitlines() if line]
    assert lines == [{"recipient_id": "u1", "text": "Hi! How can I help you?"}]


@pytest.mark.asyncio
async def test_health_route_is_untouched(serve, http):
    server = await serve([HardenedRestInput()], EchoBot())
    async with http.get(f"{server.base_url}/webhooks/rest/") as resp:
        assert resp.status == 200
        assert await resp.json() == {"status": "ok"}


def test_name_and_url_are_those_of_the_rest_channel():
    assert HardenedRestInput.name() == "rest"
    assert HardenedRestInput().url_prefix() == "rest"
    assert issubclass(HardenedRestInput, RestInput)
    assert "subclass" in (HardenedRestInput.__doc__ or "")


# --- optional message_id: a retried message is answered once -----------------


def stored_store_and_agent():
    store = InMemoryTrackerStore(Domain.empty())
    return store, SimpleNamespace(tracker_store=FailSafeTrackerStore(store))


async def user_messages(store, sender):
    tracker = await store.retrieve(sender)
    return [(e.text, e.message_id) for e in tracker.events if isinstance(e, UserUttered)]


@pytest.mark.asyncio
async def test_a_retried_message_id_gets_the_same_answer_and_is_handled_once(serve, http):
    store, agent = stored_store_and_agent()
    bot = EchoBot(tracker_store=store)
    server = await serve([HardenedRestInput()], bot, agent=agent)
    first = await post(http, server.url("rest"), body({"sender": "u1", "message": "buttons", "message_id": "m-1"}))
    again = await post(http, server.url("rest"), body({"sender": "u1", "message": "buttons", "message_id": "m-1"}))
    assert first[0] == again[0] == 200
    assert again[1] == first[1] and first[1][0]["buttons"]
    assert await user_messages(store, "u1") == [("buttons", "m-1")]
    # a new id, or no id at all, is a new message
    await post(http, server.url("rest"), body({"sender": "u1", "message": "hi", "message_id": "m-2"}))
    await post(http, server.url("rest"), body({"sender": "u1", "message": "hi"}))
    assert bot.texts() == ["buttons", "hi", "hi"]
    # the same id from another sender is another message
    other = await post(http, server.url("rest"), body({"sender": "u2", "message": "hallo", "message_id": "m-1"}))
    assert other[1] == [{"recipient_id": "u2", "text": "Hallo! Wie kann ich dir helfen?"}]


@pytest.mark.asyncio
async def test_a_retry_during_the_first_attempt_waits_for_it(serve, http):
    store, agent = stored_store_and_agent()
    bot = EchoBot(tracker_store=store)
    bot.gates["slow"] = asyncio.Event()
    server = await serve([HardenedRestInput()], bot, agent=agent)
    payload = body({"sender": "u1", "message": "slow", "message_id": "m-9"})
    first = asyncio.ensure_future(post(http, server.url("rest"), payload))
    await asyncio.sleep(0.2)
    retry = asyncio.ensure_future(post(http, server.url("rest"), payload))
    await asyncio.sleep(0.2)
    bot.gates["slow"].set()
    (status_1, answer_1, _), (status_2, answer_2, _) = await asyncio.gather(first, retry)
    assert status_1 == status_2 == 200
    assert answer_1 == answer_2 == [{"recipient_id": "u1", "text": "echo: slow"}]
    assert bot.texts() == ["slow"]


@pytest.mark.asyncio
async def test_an_unreadable_tracker_store_still_answers(serve, http):
    class BrokenStore:
        async def retrieve(self, sender_id):
            raise RuntimeError("database down")

        async def retrieve_full_tracker(self, sender_id):
            raise RuntimeError("database down")

    bot = EchoBot()
    server = await serve([HardenedRestInput()], bot, agent=SimpleNamespace(tracker_store=BrokenStore()))
    status, answer, _ = await post(http, server.url("rest"), body({"sender": "u1", "message": "hi", "message_id": "m-1"}))
    assert (status, answer) == (200, [{"recipient_id": "u1", "text": "Hi! How can I help you?"}])
