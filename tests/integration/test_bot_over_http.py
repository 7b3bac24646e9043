"""The real bot over HTTP: REST webhook and WhatsApp webhook, both languages,
and what users get while the action server is down."""
from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "channels"))
from bot_processes import make_bot  # noqa: E402
from channel_testkit import (  # noqa: E402
    USER_WA_ID, running_graph_api, whatsapp_env, sign, text_payload,
)

pytestmark = pytest.mark.integration
FROZEN_NOW = "2026-11-25T10:00:00+00:00"  # a Wednesday: European hotlines open
SESSION_MAX_TURNS = 4  # small, so that a test conversation outgrows a session


@pytest.fixture(scope="module")
def graph():
    yield from running_graph_api()


@pytest.fixture(scope="module")
def bot(tmp_path_factory, graph):
    bot = make_bot(tmp_path_factory.mktemp("bot"), {
        "SUPPORT_BOT_NOW": FROZEN_NOW,
        "SESSION_MAX_TURNS": str(SESSION_MAX_TURNS),
        "RATE_LIMIT_BURST": "20",
        **whatsapp_env(graph, "test-pseudonym-key"),
    })
    bot.start_actions()
    bot.start_rasa()
    yield bot
    bot.stop_all()


def say(bot, sender: str, text: str) -> str:
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def test_hotline_in_german_and_english(bot):
    german = say(bot, "it-de", "hotline deutschland")
    assert "0800 223 11 44" in german and "Servicezeiten" in german and "Gerade geöffnet" in german
    english = say(bot, "it-en", "What's the support number in the UK?")
    assert "0800 021 1888" in english and "Service hours" in english and "SBE Ltd" in english


def test_country_asked_for_then_answered(bot):
    assert "Für welches Land" in say(bot, "it-ask", "ich brauche die kundendienst nummer")
    assert "800 690 921" in say(bot, "it-ask", "Italien")


def test_uncovered_country_gets_no_number(bot):
    reply = say(bot, "it-at", "hotline österreich bitte")
    assert "keine Hotline" in reply
    assert "Österreich" in reply


def test_language_switch_mid_conversation(bot):
    assert "Hallo" in say(bot, "it-switch", "hallo")
    assert "English" in say(bot, "it-switch", "can we continue in English?")
    assert "Service hours" in say(bot, "it-switch", "hotline spanien")


def test_warranty_check_in_one_message(bot):
    reply = say(bot, "it-warranty", "Ich habe mein Xiaomi 13 Pro am 10. März 2025 in Italien gekauft, habe ich noch Garantie?")
    assert "10. März 2027" in reply and "noch abgesichert" in reply and "800 690 921" in reply


def test_a_retried_rest_message_is_answered_again_but_handled_once(bot):
    url, body = f"{bot.url}/webhooks/rest/webhook", {"sender": "it-retry", "message": "hotline italien", "message_id": "r-1"}
    first = requests.post(url, json=body, timeout=30).json()
    again = requests.post(url, json=body, timeout=30).json()
    assert first and again == first
    with sqlite3.connect(bot.env["TRACKER_DB"]) as db:  # the SQLite tracker store of endpoints.yml
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = 'it-retry' AND type_name = 'user'").fetchone()
    assert stored == (1,)


def _stored(bot, sender: str, type_name: str) -> int:
    with sqlite3.connect(bot.env["TRACKER_DB"]) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = ?",
                          (sender, type_name)).fetchone()[0]


def test_a_long_conversation_goes_on_in_a_new_session_with_its_context(bot):
    sender = "it-long"
    assert "Hallo" in say(bot, sender, "hallo")
    assert "0800 223 11 44" in say(bot, sender, "hotline deutschland")
    assert "900 128 128" in say(bot, sender, "und in spanien?")
    say(bot, sender, "danke")
    assert _stored(bot, sender, "session_started") == 1
    # the fifth message starts a new session: the language and the topic carry over
    reply = say(bot, sender, "und in italien?")
    assert "800 690 921" in reply and "Servicezeiten" in reply
    assert _stored(bot, sender, "session_started") == 2
    assert _stored(bot, sender, "user") == 5  # nothing the user said is lost


def test_a_form_is_not_cut_by_the_session_bound(bot):
    sender = "it-long-form"
    for text in ("hi", "hotline uk", "thanks"):
        say(bot, sender, text)
    assert "device" in say(bot, sender, "do i still have warranty?")
    assert "When did you buy" in say(bot, sender, "xiaomi 13 pro")  # the fifth message: still the check
    assert "which country" in say(bot, sender, "10.03.2025")
    reply = say(bot, sender, "italy")
    assert "10 March 2027" in reply and "800 690 921" in reply
    assert _stored(bot, sender, "session_started") == 1
    say(bot, sender, "thanks")
    assert _stored(bot, sender, "session_started") == 2


def test_reply_within_3_seconds_when_the_action_server_is_down(bot):
    assert "800 690 921" in say(bot, "it-down", "hotline italien")
    bot.stop("actions")
    try:
        started = time.monotonic()
        reply = say(bot, "it-down", "and in spain?")
        elapsed = time.monotonic() - started
        assert reply, "silence while the action server is down"
        assert "900 128 128" in reply and "Service hours" in reply
        assert elapsed < 3.0, f"answered after {elapsed:.1f} s"
        assert "resilience: action server failed on 'action_followup'" in bot.log("rasa")
    finally:
        bot.start_actions()
    assert "0800 223 11 44" in say(bot, "it-down", "hotline germany")


def _whatsapp_texts(graph, since: int):
    return [r for r in graph.requests[since:] if isinstance(r.body, dict) and r.body.get("type") == "text"]


def _post_whatsapp(bot, text: str, message_id: str) -> int:
    body = json.dumps(text_payload(text, message_id=message_id)).encode()
    response = requests.post(
        f"{bot.url}/webhooks/whatsapp/webhook", data=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}, timeout=10,
    )
    return response.status_code


@pytest.mark.parametrize("text, language_marker, number", [
    ("What's the support number in the UK?", "Service hours", "0800 021 1888"),
    ("Kundendienst Nummer Polen bitte", "Servicezeiten", "+48 800 111 332"),
])
def test_signed_whatsapp_message_is_answered_in_the_senders_language(bot, graph, text, language_marker, number):
    before = len(graph.requests)
    assert _post_whatsapp(bot, text, f"wamid.test-{abs(hash(text))}") == 200
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _whatsapp_texts(graph, before):
        time.sleep(0.2)
    replies = _whatsapp_texts(graph, before)
    assert replies, "no reply reached the Graph API"
    body = " ".join(r.body["text"]["body"] for r in replies)
    assert number in body and language_marker in body
    assert all(r.body["to"] == USER_WA_ID for r in replies)
    assert USER_WA_ID not in bot.log("rasa"), "the phone number was logged in clear"
