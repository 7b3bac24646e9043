"""Hostile traffic against the real trained bot, started as `make run` starts
it (scripts/launch.py's commands and defaults), on loopback, bounded in count
and time. Figures (answered, told to retry, p50/p99, `GET /` latency during
the load) go to reports/hostile.json; the assertions are on outcomes only."""
from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "channels"))
from bot_processes import ROOT, make_bot  # noqa: E402
from channel_testkit import (  # noqa: E402
    running_graph_api, whatsapp_env, sign, text_payload,
)
from channels.whatsapp import pseudonymize  # noqa: E402
from scaled_kit import record_figures  # noqa: E402

pytestmark = pytest.mark.integration
REPORT = ROOT / "reports" / "hostile.json"
PSEUDONYM_KEY = "test-pseudonym-key"
FROZEN_NOW = "2026-11-25T10:00:00+00:00"


@pytest.fixture(scope="module")
def graph():
    yield from running_graph_api()


@pytest.fixture(scope="module")
def bot(tmp_path_factory, graph):
    bot = make_bot(tmp_path_factory.mktemp("hostile"), {
        "SUPPORT_BOT_NOW": FROZEN_NOW,
        **whatsapp_env(graph, PSEUDONYM_KEY),
    })
    bot.start_actions()
    bot.start_rasa()
    yield bot
    bot.stop_all()


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)


def whatsapp_body(text, wa_id, age=0.0):
    payload = text_payload(text, f"wamid.{uuid.uuid4().hex}", wa_id=wa_id)
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time() - age))
    return json.dumps(payload).encode()


def post_whatsapp(bot, body):
    return requests.post(f"{bot.url}/webhooks/whatsapp/webhook", data=body, timeout=10,
                         headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)})


def texts_to(graph, wa_id):
    return [r.body["text"]["body"] for r in list(graph.requests)
            if isinstance(r.body, dict) and r.body.get("to") == wa_id and r.body.get("type") == "text"]


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


async def sample_root(url, stop: asyncio.Event, latencies: list):
    """GET / every 0.2 s until ``stop``; failures count as None."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        while not stop.is_set():
            started = time.monotonic()
            try:
                async with session.get(url + "/") as resp:
                    await resp.read()
                    latencies.append(time.monotonic() - started if resp.status == 200 else None)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                latencies.append(None)
            await asyncio.sleep(0.2)


def user_turns(bot, sender):
    with sqlite3.connect(bot.env["TRACKER_DB"]) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (sender,)).fetchone()[0]


# --- bounded work per message ----------------------------------------------------


def test_100k_whatsapp_text_gets_a_polite_reply_and_the_server_keeps_answering(bot, graph):
    wa_id = "4915100100000"
    text = ("Hallo, ich habe eine Frage zu meinem Handy und der Garantie. " * 2000)[:100_000]

    async def scenario():
        stop, root = asyncio.Event(), []
        sampler = asyncio.ensure_future(sample_root(bot.url, stop, root))
        started = time.monotonic()
        status = await asyncio.to_thread(lambda: post_whatsapp(bot, whatsapp_body(text, wa_id)).status_code)
        replied = await asyncio.to_thread(wait_for, lambda: texts_to(graph, wa_id), 30)
        took = time.monotonic() - started
        async with aiohttp.ClientSession() as session:  # another user meanwhile
            async with session.post(f"{bot.url}/webhooks/rest/webhook",
                                    json={"sender": "it-neighbour", "message": "hotline deutschland"}) as resp:
                neighbour = (resp.status, await resp.json())
        stop.set()
        await sampler
        return status, replied, took, root, neighbour

    status, replied, took, root, neighbour = asyncio.run(scenario())
    assert status == 200 and replied
    [reply] = texts_to(graph, wa_id)
    assert "zu lang" in reply
    assert neighbour[0] == 200 and "0800 223 11 44" in json.dumps(neighbour[1], ensure_ascii=False)
    assert None not in root, "GET / failed while the long message was handled"
    assert user_turns(bot, pseudonymize(wa_id, PSEUDONYM_KEY)) == 0  # the NLU never saw it
    record_figures(REPORT, "whatsapp_100k_message", {
        "reply_after_s": round(took, 3), "root_samples": len(root),
        "root_max_s": round(max(root), 3) if root else None,
    })


def test_100k_rest_message_is_refused_before_the_nlu(bot):
    started = time.monotonic()
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=30,
                             json={"sender": "it-long", "message": "x" * 100_000})
    took = time.monotonic() - started
    assert response.status_code == 413 and response.json()["error"]
    longest = requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=30,
                            json={"sender": "it-long", "message": ("what is the hotline number " * 200)[:4096]})
    assert longest.status_code == 200
    record_figures(REPORT, "rest_100k_message", {"refused_after_s": round(took, 3),
                                                 "status": response.status_code})


def test_the_longest_allowed_message_does_not_stall_get_root(bot):
    text = ("Ich habe mein Handy in Italien gekauft und brauche die Hotline. " * 80)[:4096]

    async def scenario():
        stop, root = asyncio.Event(), []
        sampler = asyncio.ensure_future(sample_root(bot.url, stop, root))
        await asyncio.sleep(0.3)
        async with aiohttp.ClientSession() as session:
            started = time.monotonic()
            async with session.post(f"{bot.url}/webhooks/rest/webhook",
                                    json={"sender": "it-4096", "message": text}) as resp:
                status = resp.status
            took = time.monotonic() - started
        stop.set()
        await sampler
        return status, took, root

    status, took, root = asyncio.run(scenario())
    assert status == 200
    assert root and None not in root
    record_figures(REPORT, "rest_4096_message", {"answered_after_s": round(took, 3),
                                                 "root_samples": len(root), "root_max_s": round(max(root), 3)})


# --- per-sender and global limits ------------------------------------------------------


def test_300_message_burst_from_one_sender_is_answered_or_told_to_retry(bot):
    async def scenario():
        stop, root, others = asyncio.Event(), [], []
        sampler = asyncio.ensure_future(sample_root(bot.url, stop, root))
        results = []
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=90)) as session:
            async def one(number):
                started = time.monotonic()
                try:
                    async with session.post(f"{bot.url}/webhooks/rest/webhook",
                                            json={"sender": "it-burst", "message": f"hotline deutschland {number}"}) as resp:
                        await resp.read()
                        results.append((resp.status, resp.headers.get("Retry-After"), time.monotonic() - started))
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                    results.append((type(error).__name__, None, time.monotonic() - started))

            async def neighbour():
                await asyncio.sleep(0.5)
                for text in ("hotline italien", "hotline spanien", "hotline polen"):
                    started = time.monotonic()
                    async with session.post(f"{bot.url}/webhooks/rest/webhook",
                                            json={"sender": "it-calm", "message": text}) as resp:
                        others.append((resp.status, bool(await resp.json()), time.monotonic() - started))

            await asyncio.gather(*(one(n) for n in range(300)), neighbour())
        stop.set()
        await sampler
        return results, root, others

    results, root, others = asyncio.run(scenario())
    statuses = [status for status, _, _ in results]
    errors = [s for s in statuses if not isinstance(s, int)]
    answered = statuses.count(200)
    retry = [r for r in results if r[0] in (429, 503)]
    record_figures(REPORT, "rest_burst_300_one_sender", {
        "sent": len(results), "answered": answered, "told_to_retry_429": statuses.count(429),
        "told_to_retry_503": statuses.count(503), "errors": len(errors),
        "p50_s": percentile([t for _, _, t in results], 0.5), "p99_s": percentile([t for _, _, t in results], 0.99),
        "root_samples": len(root), "root_failed": root.count(None),
        "root_p99_s": percentile([t for t in root if t is not None], 0.99),
        "root_max_s": max((t for t in root if t is not None), default=None),
        "other_sender_s": [round(t, 3) for _, _, t in others],
    })
    assert len(results) == 300 and errors == [], f"connection errors: {errors[:5]}"
    assert set(statuses) <= {200, 429, 503}
    assert answered >= 1 and retry, "the burst was neither answered nor limited"
    assert all(after is not None and int(after) >= 1 for _, after, _ in retry)
    assert [(status, nonempty) for status, nonempty, _ in others] == [(200, True)] * 3
    assert None not in root


def test_60_message_whatsapp_flood_is_answered_within_the_rate_and_asked_to_slow_down_once(bot, graph):
    wa_id = "4915100000060"
    pseudonym = pseudonymize(wa_id, PSEUDONYM_KEY)
    before = bot.log("rasa").count(f"from {pseudonym} over the rate limit")
    started = time.monotonic()
    statuses = [post_whatsapp(bot, whatsapp_body(f"what is the hotline number in the uk {n}", wa_id)).status_code
                for n in range(60)]
    sent_in = time.monotonic() - started
    assert statuses == [200] * 60

    def settled():
        over = bot.log("rasa").count(f"from {pseudonym} over the rate limit") - before
        return over + user_turns(bot, pseudonym) == 60 and any("quickly" in t for t in texts_to(graph, wa_id))

    assert wait_for(settled, 90), "some messages of the flood left no trace"
    wait_for(lambda: False, 2)  # let the last answers go out
    texts = texts_to(graph, wa_id)
    slow_down = [t for t in texts if "quickly" in t]
    answered = user_turns(bot, pseudonym)
    record_figures(REPORT, "whatsapp_flood_60_one_number", {
        "sent": 60, "sent_in_s": round(sent_in, 3), "answered_by_dialogue": answered,
        "not_answered_logged": 60 - answered, "slow_down_replies": len(slow_down),
        "messages_sent_to_user": len(texts),
    })
    assert len(slow_down) == 1
    assert 1 <= answered <= 15


# --- freshness, identity, exposure --------------------------------------------------


def test_an_8_day_old_whatsapp_message_is_not_answered(bot, graph):
    wa_id = "4915100000008"
    assert post_whatsapp(bot, whatsapp_body("hotline deutschland", wa_id, age=8 * 24 * 3600)).status_code == 200
    assert post_whatsapp(bot, whatsapp_body("hotline italien", wa_id)).status_code == 200
    # messages of one sender are handled in order: once the fresh one is answered,
    # the old one has been handled too
    assert wait_for(lambda: any("800 690 921" in t for t in texts_to(graph, wa_id)), 30)
    assert not any("0800 223 11 44" in t for t in texts_to(graph, wa_id))
    assert "older than 86400 s; acknowledged, not answered" in bot.log("rasa")


def test_rest_cannot_use_a_whatsapp_conversation(bot):
    wa_sender = pseudonymize("4915100000008", PSEUDONYM_KEY)
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=10,
                             json={"sender": wa_sender, "message": "was hast du mir geantwortet?"})
    assert response.status_code == 400 and "reserved" in response.json()["error"]
    response = requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=10,
                             json={"sender": "it-log\nINFO forged line", "message": "hi"})
    assert response.status_code == 400
    assert "forged line" not in bot.log("rasa")


def test_root_names_no_version_and_cors_answers_no_foreign_origin(bot):
    root = requests.get(f"{bot.url}/", timeout=10)
    assert root.status_code == 200 and "3.6" not in root.text and "Rasa" not in root.text
    origin = {"Origin": "https://evil.example"}
    preflight = requests.options(f"{bot.url}/webhooks/rest/webhook", timeout=10, headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    post = requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=30, headers=origin,
                         json={"sender": "it-cors", "message": "hallo"})
    for response in (preflight, post):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers


def non_loopback_address():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_both_servers_listen_on_loopback_only(bot):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for port in (bot.rasa_port, bot.action_port):
        with socket.socket() as sock:
            sock.settimeout(3)
            assert sock.connect_ex((address, port)) != 0, f"port {port} answers on {address}"
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            pass


def test_the_action_server_needs_the_token_and_never_echoes_the_request(bot):
    base = f"http://127.0.0.1:{bot.action_port}"
    token = {"X-Action-Token": bot.env["ACTION_SERVER_TOKEN"]}
    assert requests.get(f"{base}/health", timeout=10).status_code == 200
    assert requests.get(f"{base}/actions", timeout=10).status_code == 401
    assert requests.get(f"{base}/actions", timeout=10, headers={"X-Action-Token": "guess"}).status_code == 401
    listed = requests.get(f"{base}/actions", timeout=10, headers=token)
    assert listed.status_code == 200 and {"name": "action_hotline"} in listed.json()
    call = {"next_action": "action_hotline", "sender_id": "x", "tracker": "SECRET-MARKER", "domain": {}}
    assert requests.post(f"{base}/webhook", json=call, timeout=10).status_code == 401
    failed = requests.post(f"{base}/webhook", json=call, timeout=10, headers=token)
    assert failed.status_code == 500
    assert "SECRET-MARKER" not in failed.text and failed.json()["error"]
    # the Rasa server sends the token: its action calls go through, none refused
    assert "0800 223 11 44" in json.dumps(requests.post(
        f"{bot.url}/webhooks/rest/webhook", json={"sender": "it-token", "message": "hotline deutschland"},
        timeout=30).json(), ensure_ascii=False)
    assert "resilience: action server failed on 'action_hotline'" not in bot.log("rasa")
