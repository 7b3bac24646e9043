"""The real trained bot on loopback (action server + Rasa server, REST and
WhatsApp webhooks): erasure through the conversation in both languages, "what
do you store about me", insights on the store the conversations filled, and
the logs of it all free of message text and phone numbers.

The default profile (SQLite) always; the scaled profile (PostgreSQL, Redis
lock store) when both services are running.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests" / "channels"))
from bot_processes import make_bot  # noqa: E402
from channel_testkit import (  # noqa: E402
    USER_WA_ID, running_graph_api, whatsapp_env, sign, text_payload,
)

from channels.whatsapp.security import pseudonymize  # noqa: E402

pytestmark = pytest.mark.integration
FROZEN_NOW = "2026-11-25T10:00:00+00:00"  # a Wednesday: the German hotline is open
PSEUDONYM_KEY = "privacy-test-key"
PHONE_IN_TEXT = "0151 98765432"
SENT: list = []  # every text the tests send, for the log check


@pytest.fixture(scope="module")
def graph():
    yield from running_graph_api()


def _start(tmp_path_factory, graph, extra=None, endpoints="endpoints.yml"):
    bot = make_bot(tmp_path_factory.mktemp("privacy-bot"), {
        "SUPPORT_BOT_NOW": FROZEN_NOW,
        **whatsapp_env(graph, PSEUDONYM_KEY),
        "RETENTION_DAYS": "30",
        **(extra or {}),
    })
    bot.start_actions()
    bot.start_rasa(endpoints)
    return bot


@pytest.fixture(scope="module")
def bot(tmp_path_factory, graph):
    bot = _start(tmp_path_factory, graph)
    bot.engine = sa.create_engine(f"sqlite:///{bot.env['TRACKER_DB']}")
    yield bot
    bot.stop_all()


def say(bot, sender: str, text: str) -> str:
    SENT.append(text)
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def stored(bot, sender: str):
    with bot.engine.connect() as connection:
        return [json.loads(d) for (d,) in connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender})]


def user_texts(bot, sender: str):
    return [e["text"] for e in stored(bot, sender) if e["event"] == "user"]


def _whatsapp(bot, graph, text: str) -> str:
    SENT.append(text)
    before = len(graph.requests)
    body = json.dumps(text_payload(text, message_id=f"wamid.{uuid.uuid4().hex}")).encode()
    response = requests.post(f"{bot.url}/webhooks/whatsapp/webhook", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sign(body)})
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    replies = []
    while time.monotonic() < deadline:
        replies = [r for r in graph.requests[before:] if isinstance(r.body, dict) and r.body.get("type") in ("text", "interactive")]
        if replies:
            time.sleep(0.5)  # the rest of this turn's messages
            replies = [r for r in graph.requests[before:] if isinstance(r.body, dict) and r.body.get("type") in ("text", "interactive")]
            break
        time.sleep(0.2)
    return json.dumps([r.body for r in replies], ensure_ascii=False)


# --- erasure through the conversation ------------------------------------------

def erase_in_german(bot, sender: str) -> None:
    assert "800 690 921" in say(bot, sender, "hotline italien")
    reply = say(bot, sender, f"Ich habe mein Xiaomi 13 Pro am 10. März 2025 in Italien gekauft, meine nummer ist {PHONE_IN_TEXT}, habe ich noch Garantie?")
    assert "10. März 2027" in reply
    assert len(user_texts(bot, sender)) == 2
    reply = say(bot, sender, "lösche meine daten")
    assert "Soll ich alles löschen?" in reply and "Italien" in reply, reply
    assert "Erledigt" in say(bot, sender, "ja")


def test_erasure_in_german_leaves_nothing(bot):
    erase_in_german(bot, "gdpr-de")
    assert stored(bot, "gdpr-de") == []
    # the next message is a new conversation that knows nothing of the old one
    say(bot, "gdpr-de", "hallo")
    texts = json.dumps(stored(bot, "gdpr-de"), ensure_ascii=False)
    assert user_texts(bot, "gdpr-de") == ["hallo"]
    assert "Italien" not in texts and "italien" not in texts and "13 Pro" not in texts


def test_erasure_in_english_by_asking_again(bot):
    assert "0800 021 1888" in say(bot, "gdpr-en", "What's the support number in the UK?")
    reply = say(bot, "gdpr-en", "delete my data")
    assert "Shall I delete everything?" in reply, reply
    assert "Done" in say(bot, "gdpr-en", "yes")
    assert stored(bot, "gdpr-en") == []


def test_erasure_declined_keeps_the_conversation(bot):
    say(bot, "gdpr-no", "hotline deutschland")
    assert "Soll ich alles löschen?" in say(bot, "gdpr-no", "lösch meine daten")
    assert "ich lösche nichts" in say(bot, "gdpr-no", "nein")
    assert user_texts(bot, "gdpr-no") == ["hotline deutschland", "lösch meine daten", "nein"]


def test_what_is_stored(bot):
    say(bot, "gdpr-info", "hotline spanien")
    reply = say(bot, "gdpr-info", "was speicherst du über mich")
    assert "Gespeichert ist diese Unterhaltung" in reply and "Spanien" in reply and "30 Tage" in reply, reply
    reply = say(bot, "gdpr-info-en", "what do you store about me")
    assert "What is stored is this conversation" in reply, reply


def test_erasure_over_whatsapp(bot, graph):
    sender = pseudonymize(USER_WA_ID, PSEUDONYM_KEY)
    assert "0800 223 11 44" in _whatsapp(bot, graph, "hotline deutschland")
    assert stored(bot, sender)
    assert "Soll ich alles löschen?" in _whatsapp(bot, graph, "lösche meine daten")
    assert "Erledigt" in _whatsapp(bot, graph, "ja")
    assert stored(bot, sender) == []
    assert "Sheena Nelson" not in bot.log("rasa")


def test_operator_erasure_through_the_cli_while_the_bot_runs(bot):
    say(bot, "gdpr-cli", "hotline italien")
    run = subprocess.run([sys.executable, "scripts/privacy.py", "erase", "--sender", "gdpr-cli"],
                         cwd=ROOT, env=bot.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert re.search(r"conversation gdpr-cli: \d+ events removed", run.stdout)
    assert stored(bot, "gdpr-cli") == []
    say(bot, "gdpr-cli", "hallo")
    assert user_texts(bot, "gdpr-cli") == ["hallo"]


# --- insights on the store the conversations filled -------------------------------

INSIGHT_CONVERSATIONS = {
    "ins-1": ["hotline deutschland", "ich will mit einem menschen sprechen"],
    "ins-2": ["Ich habe mein Xiaomi 13 Pro am 10. März 2025 in Italien gekauft, habe ich noch Garantie?"],
    "ins-3": ["ich will meine garantie prüfen", "stop"],
    "ins-4": ["What's the support number in the UK?", "can I talk to a human"],
    "ins-5": ["qwrtz plmbr xkcd", "qwrtz plmbr xkcd"],
    "ins-6": ["Apfelkuchen Rezept"],
}


def test_insights_figures_on_the_store_the_bot_filled(bot, tmp_path):
    for sender, texts in INSIGHT_CONVERSATIONS.items():
        for text in texts:
            say(bot, sender, text)
    out = tmp_path / "reports"
    run = subprocess.run([sys.executable, "scripts/insights.py", "--out", str(out)],
                         cwd=ROOT, env=bot.env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    figures = json.loads((out / "insights.json").read_text())
    with bot.engine.connect() as connection:
        senders = [s for (s,) in connection.execute(sa.text(
            "SELECT DISTINCT sender_id FROM events WHERE type_name = 'user'"))]
        messages = connection.execute(sa.text("SELECT count(*) FROM events WHERE type_name = 'user'")).scalar()
    assert figures["conversations"] == len(senders) and figures["messages"] == messages
    assert figures["warranty_checks"]["started"] >= 2 and figures["warranty_checks"]["finished"] >= 1
    assert figures["warranty_checks"]["started"] - figures["warranty_checks"]["finished"] >= 1  # ins-3 stopped
    assert figures["handoff_by_country"]["Germany"] == {"open": 1}
    assert figures["handoff_by_country"]["UK"] == {"open": 1}
    assert figures["top_countries"]["Germany"] >= 2
    assert figures["language_share_messages"]["en"] > 0 and figures["language_share_messages"]["de"] > 0
    assert figures["dont_know"]["messages"] >= 1  # ins-6: out of scope
    queue = (out / "review_queue.yml").read_text(encoding="utf-8")
    assert "qwrtz plmbr xkcd" in queue and "repeated" in queue
    page = (out / "insights.html").read_text(encoding="utf-8")
    assert f"<b>{figures['conversations']}</b>conversations" in page


# --- logs ----------------------------------------------------------------------

def test_logs_hold_no_message_text_and_no_number(bot):
    """Runs last in this module: every conversation above is in the logs."""
    say(bot, "log-check", f"meine telefonnummer ist {PHONE_IN_TEXT}, hotline italien bitte")
    assert len(SENT) >= 5
    logs = bot.log("rasa") + bot.log("actions")
    lines = [line for line in logs.splitlines() if " DEBUG " not in line]
    leaked = sorted({text for text in SENT if len(text) >= 6 for line in lines if text in line})
    assert leaked == [], f"message texts in the logs: {leaked}"
    for number in (USER_WA_ID, PHONE_IN_TEXT, PHONE_IN_TEXT.replace(" ", "")):
        assert number not in logs, f"{number} in the logs"


# --- the scaled profile: PostgreSQL and the Redis lock store ----------------------

@pytest.fixture(scope="module")
def scaled_bot(tmp_path_factory, graph):
    from scaled_kit import PG, REDIS, ScratchDatabase, services_missing

    missing = services_missing()
    if missing:
        pytest.skip(missing)
    database = ScratchDatabase().create()
    prefix = "privacy" + uuid.uuid4().hex[:8]
    bot = _start(tmp_path_factory, graph, {
        "DB_HOST": PG["host"], "DB_PORT": str(PG["port"]), "DB_DATABASE": database.name, "DB_USER": PG["user"],
        "DB_PASSWORD": PG["password"], "REDIS_HOST": REDIS["host"], "REDIS_PORT": str(REDIS["port"]),
        "REDIS_PASSWORD": "", "REDIS_DB": str(REDIS["db"]), "REDIS_KEY_PREFIX": prefix,
    }, endpoints="endpoints.production.yml")
    bot.engine = sa.create_engine(
        f"postgresql://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{database.name}")
    bot.redis_prefix = prefix
    yield bot
    bot.stop_all()
    bot.engine.dispose()
    database.drop()


def test_erasure_on_postgresql_with_the_redis_lock_store(scaled_bot):
    import redis
    from scaled_kit import REDIS

    erase_in_german(scaled_bot, "gdpr-pg")
    assert stored(scaled_bot, "gdpr-pg") == []
    keys = redis.Redis(**REDIS).keys(f"{scaled_bot.redis_prefix}:lock:*")
    assert keys == [], keys
    say(scaled_bot, "gdpr-pg-cli", "hotline italien")
    run = subprocess.run([sys.executable, "scripts/privacy.py", "--endpoints", "endpoints.production.yml",
                          "erase", "--sender", "gdpr-pg-cli"],
                         cwd=ROOT, env=scaled_bot.env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert f"lock key {scaled_bot.redis_prefix}:lock:gdpr-pg-cli: removed" in run.stdout
    assert stored(scaled_bot, "gdpr-pg-cli") == []
