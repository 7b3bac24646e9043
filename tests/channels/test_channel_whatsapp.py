"""Contract tests of the WhatsApp Cloud API channel.

The channel blueprint runs on a real Sanic server; replies go to a fake Graph
API (a real aiohttp server) that records what it is sent. Payloads are Meta's
documented samples in ``fixtures/``.
"""

import asyncio
import json
import logging
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from channel_testkit import (
    ACCESS_TOKEN,
    APP_SECRET,
    BUTTONS,
    GRAPH_VERSION,
    LONG_REPLY,
    MANY_BUTTONS,
    OTHER_WA_ID,
    PHONE_NUMBER_ID,
    PSEUDONYM_KEY,
    USER_WA_ID,
    VERIFY_TOKEN,
    EchoBot,
    fixture_bytes,
    load_fixture,
    post,
    sign,
    text_payload,
)
from channels.whatsapp import (
    DEFAULT_API_BASE,
    message_key,
    NON_TEXT_MESSAGE,
    WhatsAppConfigError,
    WhatsAppInput,
    WhatsAppSettings,
    parse_webhook,
    pseudonymize,
    split_text,
)
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain

CREDENTIALS_YML = str(Path(__file__).resolve().parents[2] / "credentials.yml")
USER = pseudonymize(USER_WA_ID, PSEUDONYM_KEY)
OTHER = pseudonymize(OTHER_WA_ID, PSEUDONYM_KEY)
TEXT_WAMID = load_fixture("text")["entry"][0]["changes"][0]["value"]["messages"][0]["id"]


@pytest.fixture
def no_whatsapp_env(monkeypatch):
    """Removes every ``WHATSAPP_*`` variable from the environment of the test."""
    for name in list(os.environ):
        if name.startswith("WHATSAPP_"):
            monkeypatch.delenv(name)


async def deliver(http, server, body: bytes, signature="sign"):
    if signature == "sign":
        signature = sign(body)
    return await post(http, server.url("whatsapp"), body, signature)


async def deliver_payload(http, server, payload):
    return await deliver(http, server, json.dumps(payload).encode())


# --------------------------------------------------------------------------
# Verification handshake
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_verification_echoes_challenge_for_the_right_token(make_channel, bot, serve, http):
    server = await serve([make_channel()], bot)
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    async with http.get(server.url("whatsapp"), params=params) as resp:
        assert resp.status == 200
        assert await resp.text() == "1158201444"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1158201444"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1158201444"},
        {},
    ],
)
async def test_verification_refused_otherwise(make_channel, bot, serve, http, params):
    server = await serve([make_channel()], bot)
    async with http.get(server.url("whatsapp"), params=params) as resp:
        assert resp.status == 403
        assert "1158201444" not in await resp.text()


# --------------------------------------------------------------------------
# Signature
# --------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",
        sign(fixture_bytes("text"), "another-secret"),
        "sha256=" + "0" * 64,
        "sha1=" + "0" * 40,
        "garbage \u00e4\u00f6",
    ],
)
async def test_missing_or_wrong_signature_is_403_and_nothing_processed(
    make_channel, bot, serve, http, graph, signature
):
    channel = make_channel()
    server = await serve([channel], bot)
    status, body, _ = await deliver(http, server, fixture_bytes("text"), signature)
    assert status == 403
    assert body == {"error": "invalid signature"}
    await channel.wait_idle(5)
    await asyncio.sleep(0.05)
    assert bot.received == []
    assert graph.requests == []


@pytest.mark.asyncio
async def test_signature_over_a_different_body_is_refused(make_channel, bot, serve, http, graph):
    server = await serve([make_channel()], bot)
    body = fixture_bytes("text")
    tampered = body.replace(b"another color", b"a refund now!")
    status, _, _ = await deliver(http, server, tampered, sign(body))
    assert status == 403
    assert bot.received == []


# --------------------------------------------------------------------------
# Incoming messages
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_text_message_is_answered_through_the_graph_api(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)

    status, body, _ = await deliver(http, server, fixture_bytes("text"))
    assert status == 200
    assert body["status"] == "ok"

    await graph.wait_for(lambda: graph.texts() and graph.read_receipts())
    await channel.wait_idle(5)

    [message] = bot.received
    assert message.text == "Does it come in another color?"
    assert message.sender_id == USER
    assert message.message_id == message_key(TEXT_WAMID, PSEUDONYM_KEY)
    assert message.input_channel == "whatsapp"
    assert "profile_name" not in message.metadata["whatsapp"]  # not stored unless asked for
    assert "Sheena Nelson" not in json.dumps(message.metadata)
    assert USER_WA_ID not in json.dumps(message.metadata)
    assert message.metadata["language"] == "en"  # +1: the language hint of the number's country

    [reply] = graph.messages()
    assert reply.path == f"/{GRAPH_VERSION}/{PHONE_NUMBER_ID}/messages"
    assert reply.authorization == f"Bearer {ACCESS_TOKEN}"
    assert reply.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": USER_WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": "echo: Does it come in another color?"},
    }
    assert graph.read_receipts() == [TEXT_WAMID]
    [receipt] = [r for r in graph.requests if r.is_read_receipt]
    assert receipt.body == {"messaging_product": "whatsapp", "status": "read", "message_id": TEXT_WAMID}


@pytest.mark.asyncio
async def test_answer_comes_in_the_language_of_the_sender(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("hallo", "wamid.de1"))
    await deliver_payload(http, server, text_payload("hello", "wamid.en1", wa_id=OTHER_WA_ID))
    await graph.wait_for(lambda: len(graph.texts()) == 2)
    assert graph.texts(USER_WA_ID) == ["Hallo! Wie kann ich dir helfen?"]
    assert graph.texts(OTHER_WA_ID) == ["Hi! How can I help you?"]


@pytest.mark.asyncio
async def test_button_reply_passes_the_button_id_as_payload(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    status, _, _ = await deliver(http, server, fixture_bytes("button_reply"))
    assert status == 200
    await graph.wait_for(lambda: graph.texts())
    [message] = bot.received
    assert message.text == "cancel-button"
    assert message.metadata["whatsapp"]["reply_title"] == "Cancel"
    assert graph.texts(USER_WA_ID) == ["echo: cancel-button"]


@pytest.mark.asyncio
async def test_list_reply_passes_the_row_id_as_payload(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    status, _, _ = await deliver(http, server, fixture_bytes("list_reply"))
    assert status == 200
    await graph.wait_for(lambda: graph.texts())
    assert bot.texts() == ["priority_express"]
    assert bot.received[0].sender_id == USER


@pytest.mark.asyncio
async def test_status_updates_never_reach_the_dialogue(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    status, body, _ = await deliver(http, server, fixture_bytes("status_update"))
    assert status == 200
    assert body["messages"] == 0
    await channel.wait_idle(5)
    await asyncio.sleep(0.05)
    assert bot.received == []
    assert graph.requests == []


@pytest.mark.asyncio
async def test_failed_status_is_logged_with_its_error_code(make_channel, bot, serve, http, graph, caplog):
    caplog.set_level(logging.DEBUG)
    server = await serve([make_channel()], bot)
    payload = load_fixture("status_update")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"] = "failed"
    status["errors"] = [{"code": 131047, "title": "Re-engagement message"}]
    await deliver_payload(http, server, payload)
    assert "131047" in caplog.text
    assert USER in caplog.text
    assert USER_WA_ID not in caplog.text
    assert bot.received == []


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["image", "audio", "video", "document", "sticker", "location", "reaction", "unsupported", "contacts"])
async def test_non_text_message_goes_to_the_non_text_intent(make_channel, bot, serve, http, graph, kind):
    channel = make_channel()
    server = await serve([channel], bot)
    payload = load_fixture("image")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    if kind != "image":
        del message["image"]
        message["type"] = kind
        message[kind] = {"id": "1"} if kind != "contacts" else [{"name": {"formatted_name": "X"}}]
    status, _, _ = await deliver_payload(http, server, payload)
    assert status == 200
    await graph.wait_for(lambda: graph.texts())
    [received] = bot.received
    assert received.text == NON_TEXT_MESSAGE
    assert received.metadata["whatsapp"]["message_type"] == kind
    assert graph.texts(USER_WA_ID) == [
        "Sorry, I can only read text messages. Ask me about warranty or support."
    ]


@pytest.mark.asyncio
async def test_several_messages_in_one_delivery_are_handled_in_order(make_channel, bot, serve, http, graph):
    channel = make_channel()
    bot.delay = 0.02  # give a reordering a chance to show
    server = await serve([channel], bot)
    status, body, _ = await deliver(http, server, fixture_bytes("multiple_messages"))
    assert status == 200
    assert body["messages"] == 5
    await graph.wait_for(lambda: len(graph.texts()) == 5)
    await channel.wait_idle(5)

    user_texts = [m.text for m in bot.received if m.sender_id == USER]
    assert user_texts == ["first", "second", NON_TEXT_MESSAGE, "third"]
    assert [m.text for m in bot.received if m.sender_id == OTHER] == ["hallo"]
    assert graph.texts(USER_WA_ID) == [
        "echo: first",
        "echo: second",
        "Sorry, I can only read text messages. Ask me about warranty or support.",
        "echo: third",
    ]
    assert graph.texts(OTHER_WA_ID) == ["Hallo! Wie kann ich dir helfen?"]
    assert len(graph.read_receipts()) == 5


@pytest.mark.asyncio
async def test_messages_of_one_sender_stay_in_order_across_deliveries(make_channel, bot, serve, http, graph):
    channel = make_channel()
    bot.delay = 0.01
    server = await serve([channel], bot)
    for i in range(10):
        await deliver_payload(http, server, text_payload(f"m{i}", f"wamid.order{i}"))
    await graph.wait_for(lambda: len(graph.texts()) == 10)
    assert bot.texts() == [f"m{i}" for i in range(10)]
    assert graph.texts() == [f"echo: m{i}" for i in range(10)]


@pytest.mark.asyncio
async def test_a_slow_conversation_does_not_block_others(make_channel, bot, serve, http, graph):
    channel = make_channel()
    bot.gates["block"] = asyncio.Event()
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("block", "wamid.slow"))
    await deliver_payload(http, server, text_payload("hi", "wamid.fast", wa_id=OTHER_WA_ID))
    await graph.wait_for(lambda: graph.texts(OTHER_WA_ID))
    assert graph.texts(USER_WA_ID) == []
    bot.gates["block"].set()
    await graph.wait_for(lambda: graph.texts(USER_WA_ID) == ["echo: block"])


@pytest.mark.asyncio
async def test_webhook_is_acknowledged_before_the_dialogue_finishes(make_channel, bot, serve, http, graph):
    channel = make_channel()
    bot.gates["Does it come in another color?"] = asyncio.Event()
    server = await serve([channel], bot)
    status, _, elapsed = await deliver(http, server, fixture_bytes("text"))
    assert status == 200
    assert elapsed < 1.0
    assert graph.texts() == []
    bot.gates["Does it come in another color?"].set()
    await graph.wait_for(lambda: graph.texts())


# --------------------------------------------------------------------------
# Idempotency
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_duplicate_delivery_is_answered_once(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    body = fixture_bytes("text")
    results = await asyncio.gather(*(deliver(http, server, body) for _ in range(3)))
    assert [status for status, _, _ in results] == [200, 200, 200]
    await graph.wait_for(lambda: graph.texts())
    status, _, _ = await deliver(http, server, body)  # a later redelivery
    assert status == 200
    await channel.wait_idle(5)
    await asyncio.sleep(0.05)
    assert len(bot.received) == 1
    assert graph.texts() == ["echo: Does it come in another color?"]
    assert graph.read_receipts() == [TEXT_WAMID]


@pytest.mark.asyncio
async def test_redelivery_after_a_restart_is_found_in_the_tracker_store(make_channel, serve, http, graph):
    store = InMemoryTrackerStore(Domain.empty())
    agent = SimpleNamespace(tracker_store=FailSafeTrackerStore(store))
    first_bot = EchoBot(tracker_store=store)
    first = make_channel()
    server = await serve([first], first_bot, agent=agent)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: graph.texts())
    await first.wait_idle(5)
    await server.stop()

    # "restart": a new channel (empty in-memory set) and server, same tracker store
    second_bot = EchoBot(tracker_store=store)
    second = make_channel()
    server = await serve([second], second_bot, agent=agent)
    status, _, _ = await deliver(http, server, fixture_bytes("text"))
    assert status == 200
    await second.wait_idle(5)
    assert second_bot.received == []
    assert len(graph.texts()) == 1

    # a new message of the same user is still answered
    await deliver_payload(http, server, text_payload("noch eine Frage", "wamid.new"))
    await graph.wait_for(lambda: len(graph.texts()) == 2)
    assert second_bot.texts() == ["noch eine Frage"]


@pytest.mark.asyncio
async def test_tracker_store_lookup_failure_does_not_stop_the_answer(make_channel, bot, serve, http, graph):
    class BrokenStore:
        async def retrieve(self, sender_id):
            raise RuntimeError("database down")

        async def retrieve_full_tracker(self, sender_id):
            raise RuntimeError("database down")

    server = await serve([make_channel()], bot, agent=SimpleNamespace(tracker_store=BrokenStore()))
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: graph.texts())


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_long_text_is_split_into_messages_of_at_most_4096_characters(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("long", "wamid.long"))
    await graph.wait_for(lambda: graph.texts())
    await channel.wait_idle(5)
    parts = graph.texts()
    assert len(parts) >= 2
    assert all(0 < len(part) <= 4096 for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(LONG_REPLY.split())


def test_split_text_keeps_short_text_and_cuts_unbroken_text():
    assert split_text("kurz") == ["kurz"]
    assert split_text("") == []
    parts = split_text("x" * 10000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


@pytest.mark.asyncio
async def test_up_to_three_buttons_become_reply_buttons(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("buttons", "wamid.buttons"))
    await graph.wait_for(lambda: graph.messages())
    await channel.wait_idle(5)
    [request] = graph.messages()
    assert request.body["to"] == USER_WA_ID
    assert request.body["type"] == "interactive"
    interactive = request.body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Was möchtest du tun?"}
    buttons = interactive["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == [b["payload"] for b in BUTTONS]
    assert all(b["type"] == "reply" and len(b["reply"]["title"]) <= 20 for b in buttons)
    assert buttons[1]["reply"]["title"] == "Nein"


@pytest.mark.asyncio
async def test_more_than_three_buttons_become_lists_of_at_most_ten_rows(make_channel, bot, serve, http, graph):
    channel = make_channel()
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("many buttons", "wamid.many"))
    await graph.wait_for(lambda: len(graph.messages()) == 2)
    await channel.wait_idle(5)
    lists = [r.body["interactive"] for r in graph.messages()]
    assert all(i["type"] == "list" for i in lists)
    assert lists[0]["body"]["text"] == "Welches Land?"
    rows = [row for i in lists for section in i["action"]["sections"] for row in section["rows"]]
    assert [len(s["rows"]) for i in lists for s in i["action"]["sections"]] == [10, 2]
    assert [row["id"] for row in rows] == [b["payload"] for b in MANY_BUTTONS]
    assert all(len(row["title"]) <= 24 for row in rows)
    assert all(len(row.get("description", "")) <= 72 for row in rows)
    assert len({row["title"] for row in rows[:10]}) == 10  # titles unique within a list
    assert all(0 < len(i["action"]["button"]) <= 20 for i in lists)


@pytest.mark.asyncio
async def test_reply_to_interactive_message_round_trip(make_channel, bot, serve, http, graph):
    """The id the bot sends on a button is what comes back as the user's text."""
    channel = make_channel()
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("buttons", "wamid.ask"))
    await graph.wait_for(lambda: graph.messages())
    button_id = graph.messages()[0].body["interactive"]["action"]["buttons"][0]["reply"]["id"]
    payload = load_fixture("button_reply")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["interactive"]["button_reply"]["id"] = button_id
    await deliver_payload(http, server, payload)
    await graph.wait_for(lambda: len(graph.messages()) == 2)
    assert bot.texts()[-1] == button_id


# --------------------------------------------------------------------------
# Send errors
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_server_error_is_retried(make_channel, bot, serve, http, graph, caplog):
    caplog.set_level(logging.INFO)
    channel = make_channel()
    graph.fail_next(500, code=131000, message="Something went wrong", only_to=USER_WA_ID)
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: len(graph.messages()) == 2)
    await channel.wait_idle(5)
    assert [r.body["text"]["body"] for r in graph.messages()] == ["echo: Does it come in another color?"] * 2
    assert "HTTP 500" in caplog.text and "131000" in caplog.text


@pytest.mark.asyncio
async def test_rate_limit_is_retried_with_backoff_a_bounded_number_of_times(make_channel, bot, serve, http, graph, caplog):
    caplog.set_level(logging.INFO)
    channel = make_channel(max_attempts=3)
    graph.fail_next(429, code=130429, message="Rate limit hit", times=5, only_to=USER_WA_ID)
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: len(graph.messages()) == 3)
    await channel.wait_idle(5)
    await asyncio.sleep(0.1)
    assert len(graph.messages()) == 3  # 3 tries, then given up
    times = [r.at for r in graph.messages()]
    assert times[1] - times[0] > 0.005 and times[2] - times[1] > 0.01
    assert "130429" in caplog.text and "rate limit" in caplog.text
    assert "dropped after 3 attempts" in caplog.text


@pytest.mark.asyncio
async def test_rate_limit_recovers_when_the_api_answers_again(make_channel, bot, serve, http, graph):
    channel = make_channel()
    graph.fail_next(400, code=130429, message="Rate limit hit", times=2, only_to=USER_WA_ID)
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: len(graph.messages()) == 3)
    await channel.wait_idle(5)
    assert len(graph.messages()) == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("status, code", [(400, 131047), (400, 100), (401, 190), (403, 10)])
async def test_client_errors_are_logged_and_not_retried(make_channel, bot, serve, http, graph, caplog, status, code):
    caplog.set_level(logging.INFO)
    channel = make_channel()
    graph.fail_next(status, code=code, message="Message failed to send", times=3, only_to=USER_WA_ID)
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: graph.messages())
    await channel.wait_idle(5)
    await asyncio.sleep(0.1)
    assert len(graph.messages()) == 1
    assert f"error code {code}" in caplog.text
    assert f"HTTP {status}" in caplog.text
    if code == 131047:
        assert "24-hour" in caplog.text


@pytest.mark.asyncio
async def test_unreachable_graph_api_is_logged_not_raised(make_channel, bot, serve, http, caplog):
    caplog.set_level(logging.INFO)
    channel = make_channel(api_base="http://127.0.0.1:9/v21.0")  # discard port: refused
    server = await serve([channel], bot)
    status, _, _ = await deliver(http, server, fixture_bytes("text"))
    assert status == 200
    await channel.wait_idle(10)
    assert "ClientConnectorError" in caplog.text
    assert len(bot.received) == 1


@pytest.mark.asyncio
async def test_retries_of_one_conversation_do_not_block_another(make_channel, bot, serve, http, graph):
    channel = make_channel(backoff_base=1.0, backoff_max=1.0)
    graph.fail_next(503, times=2, only_to=USER_WA_ID)
    server = await serve([channel], bot)
    await deliver_payload(http, server, text_payload("hallo", "wamid.retry"))
    await asyncio.sleep(0.05)
    await deliver_payload(http, server, text_payload("hi", "wamid.other", wa_id=OTHER_WA_ID))
    await graph.wait_for(lambda: graph.texts(OTHER_WA_ID))
    assert graph.texts(USER_WA_ID) == []  # still backing off
    await graph.wait_for(lambda: graph.texts(USER_WA_ID), timeout=5)


# --------------------------------------------------------------------------
# Privacy
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_pseudonym_is_used_and_the_number_never_logged(make_channel, bot, serve, http, graph, caplog):
    caplog.set_level(logging.DEBUG)
    channel = make_channel()
    # an error message that quotes the number must not bring it into the log
    graph.fail_next(400, code=131026, message=f"Message undeliverable to {USER_WA_ID}", only_to=USER_WA_ID)
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("multiple_messages"))
    await deliver(http, server, fixture_bytes("multiple_messages"))  # duplicates
    await deliver(http, server, fixture_bytes("status_update"))
    await graph.wait_for(lambda: len(graph.texts()) >= 4)
    await channel.wait_idle(5)

    assert USER.startswith("wa-") and len(USER) == 3 + 32
    assert USER_WA_ID not in USER
    assert {m.sender_id for m in bot.received} == {USER, OTHER}
    assert USER in caplog.text
    assert USER_WA_ID not in caplog.text
    assert OTHER_WA_ID not in caplog.text
    assert ACCESS_TOKEN not in caplog.text
    assert "wamid." not in caplog.text  # a wamid embeds the number (base64)
    assert USER_WA_ID not in repr(bot.received[0].output_channel)


def test_wamid_embeds_the_number_so_rasa_gets_a_keyed_message_id():
    import base64
    import re

    # Meta's sample wamid carries a phone number (of the sample's sender)
    assert re.search(rb"\x18\x0b(\d{11})\x15", base64.b64decode(TEXT_WAMID[len("wamid."):]))
    key = message_key(TEXT_WAMID, PSEUDONYM_KEY)
    assert key.startswith("wamsg-") and len(key) == 6 + 32
    assert key == message_key(TEXT_WAMID, PSEUDONYM_KEY)
    assert key != message_key(TEXT_WAMID, "another key")


def test_pseudonym_is_keyed_and_stable():
    assert pseudonymize(USER_WA_ID, "k1") == pseudonymize(USER_WA_ID, "k1")
    assert pseudonymize(USER_WA_ID, "k1") != pseudonymize(USER_WA_ID, "k2")
    assert pseudonymize(USER_WA_ID, "k1") != pseudonymize(OTHER_WA_ID, "k1")


@pytest.mark.asyncio
async def test_pseudonym_key_defaults_to_the_app_secret(make_channel, bot, serve, http, graph):
    channel = make_channel(pseudonym_key="")
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: graph.texts())
    assert bot.received[0].sender_id == pseudonymize(USER_WA_ID, APP_SECRET)


@pytest.mark.asyncio
async def test_messages_for_another_business_number_are_ignored(make_channel, bot, serve, http, graph):
    channel = make_channel(phone_number_id="999999999999")
    server = await serve([channel], bot)
    status, _, _ = await deliver(http, server, fixture_bytes("text"))
    assert status == 200
    await channel.wait_idle(5)
    assert bot.received == []


@pytest.mark.asyncio
async def test_reply_uses_the_receiving_number_when_none_is_configured(make_channel, bot, serve, http, graph):
    channel = make_channel(phone_number_id="")
    server = await serve([channel], bot)
    await deliver(http, server, fixture_bytes("text"))
    await graph.wait_for(lambda: graph.texts())
    assert graph.messages()[0].phone_number_id == PHONE_NUMBER_ID


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_without_settings_the_channel_is_inactive(no_whatsapp_env, bot, serve, http, caplog):
    caplog.set_level(logging.INFO, logger="channels.whatsapp")
    channel = WhatsAppInput.from_credentials(None)
    assert not channel.active
    assert [r.levelno for r in caplog.records if r.name == "channels.whatsapp"] == [logging.INFO]
    server = await serve([channel], bot)
    status, body, _ = await deliver(http, server, fixture_bytes("text"))
    assert (status, body) == (404, {"error": "whatsapp channel not configured"})
    async with http.get(server.url("whatsapp"), params={"hub.mode": "subscribe"}) as resp:
        assert resp.status == 404
        assert await resp.json() == {"error": "whatsapp channel not configured"}
    assert bot.received == []


def test_api_base_alone_does_not_activate_the_channel():
    assert WhatsAppSettings.load({"WHATSAPP_API_BASE": "http://localhost:1/v21.0"}) is None


@pytest.mark.parametrize(
    "environ",
    [
        {"WHATSAPP_VERIFY_TOKEN": "t"},
        {"WHATSAPP_ACCESS_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1"},
        {"WHATSAPP_PSEUDONYM_KEY": "k", "WHATSAPP_APP_SECRET": "  "},
    ],
)
def test_settings_without_app_secret_refuse_to_start(no_whatsapp_env, monkeypatch, environ):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(WhatsAppConfigError, match="WHATSAPP_APP_SECRET"):
        WhatsAppInput.from_credentials(None)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "s3cret")
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "v")
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "a")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "123")
    monkeypatch.delenv("WHATSAPP_API_BASE", raising=False)
    monkeypatch.delenv("WHATSAPP_PSEUDONYM_KEY", raising=False)
    channel = WhatsAppInput.from_credentials(None)
    assert channel.active
    assert channel.settings.api_base == DEFAULT_API_BASE
    assert channel.pseudonym_key == "s3cret"
    assert "s3cret" not in repr(channel.settings)
    assert WhatsAppInput.name() == "whatsapp"
    assert channel.get_output_channel() is None


def test_rasa_builds_the_channel_from_credentials_by_module_path(no_whatsapp_env, monkeypatch):
    import rasa.core.run

    channels = rasa.core.run.create_http_input_channels(None, CREDENTIALS_YML)
    names = sorted(c.name() for c in channels)
    assert names == ["rest", "socketio", "whatsapp"]  # socketio: channels.webchat.WebChatInput

    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "t")
    from rasa.shared.exceptions import RasaException

    with pytest.raises(RasaException):
        rasa.core.run.create_http_input_channels(None, CREDENTIALS_YML)


def test_parser_ignores_what_is_not_a_user_message():
    assert parse_webhook(None) == []
    assert parse_webhook({"object": "page", "entry": []}) == []
    payload = load_fixture("text")
    payload["entry"][0]["changes"][0]["field"] = "message_template_status_update"
    assert parse_webhook(payload) == []
    payload = load_fixture("text")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["type"] = "system"
    assert parse_webhook(payload) == []


@pytest.mark.asyncio
async def test_profile_name_is_stored_only_when_asked_for(make_channel, bot, serve, http, graph):
    channel = make_channel(store_profile_name=True)
    server = await serve([channel], bot)
    status, _, _ = await deliver(http, server, fixture_bytes("text"))
    assert status == 200
    await graph.wait_for(lambda: graph.texts())
    await channel.wait_idle(5)
    [message] = bot.received
    assert message.metadata["whatsapp"]["profile_name"] == "Sheena Nelson"


def test_store_profile_name_setting_from_the_environment():
    environ = {"WHATSAPP_APP_SECRET": "s"}
    assert WhatsAppSettings.load(environ).store_profile_name is False
    assert WhatsAppSettings.load({**environ, "WHATSAPP_STORE_PROFILE_NAME": "1"}).store_profile_name is True


@pytest.mark.asyncio
async def test_erasure_forgets_the_conversations_message_ids(make_channel, bot, serve, http, graph):
    from components.privacy_store import _run_erasure_hooks

    channel = make_channel()
    server = await serve([channel], bot)
    assert (await deliver(http, server, fixture_bytes("text")))[0] == 200
    await graph.wait_for(lambda: graph.texts())
    await channel.wait_idle(5)
    key = message_key(TEXT_WAMID, PSEUDONYM_KEY)
    assert key in channel._recent
    _run_erasure_hooks(USER)
    assert key not in channel._recent


@pytest.mark.asyncio
async def test_a_german_number_hints_german(make_channel, bot, serve, http, graph):
    """The number's country (+49) is the language hint of a first message that
    does not tell by itself ("hotline?"); the number itself is not passed on."""
    channel = make_channel()
    server = await serve([channel], bot)
    status, _, _ = await deliver_payload(http, server, text_payload("hotline?", "wamid.DE1", wa_id="4915112345678"))
    assert status == 200
    await graph.wait_for(lambda: graph.texts())
    await channel.wait_idle(5)
    [message] = bot.received
    assert message.metadata["language"] == "de"
    assert "4915112345678" not in json.dumps(message.metadata)
