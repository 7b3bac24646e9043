"""The scaled profile under load and faults, with real PostgreSQL and Redis.

Started once for the module (in parallel, on free ports):
  * two action servers behind a round-robin load balancer (scaled_kit.RoundRobinProxy);
  * Rasa replicas A and B with endpoints.production.yml (SQL tracker store on a
    fresh PostgreSQL database, AtomicRedisLockStore with a fresh key prefix),
    behind a second load balancer that retries the other replica only when a
    connection cannot be opened;
  * one Rasa server with the default endpoints.yml (SQLite in a temp file).

Then:
  (a) 50 conversations x 10 turns at once through the load balancer;
  (a2) bursts: the messages of one conversation sent at the same moment, so
      both replicas get them and the Redis ticket lock must serialise them;
  (b) the same as (a), with replica A killed (SIGKILL) halfway;
  (c) both action servers stopped, then started again;
  (d) the SQLite server killed and started again in the middle of a form (the
      first two turns and the restart happen when the cluster starts, so the
      restart's minute of CPU overlaps with (a)-(c));
  (e) replica B, whose PostgreSQL and Redis connections run through switchable
      TCP forwarders (transparent until then): each service cut, then restored
      (the shared services are never stopped).

Resending rule of the test client (what a fair front end does): a request
that fails (connection error, 5xx such as the 502 the load balancer returns
when a replica dies mid-request, timeout) is resent with the same message id
in `metadata.message_id`, at most 4 times. Rasa saves a turn's events in one
transaction at the end of the turn, so a turn cut off before that leaves
nothing in PostgreSQL and its resend is stored once. Only a kill between the
commit and the HTTP response can make a resend a second copy; Rasa has no
idempotency key, so the test accepts a second copy only for a message whose
first attempt failed mid-request and counts it ("duplicates_after_resend").

Figures are printed (also without -s) and written to reports/scaled.json.
For a comparison, SCALED_LOCK_STORE=redis runs the replicas with Rasa's own
RedisLockStore instead of components.lock_store.AtomicRedisLockStore (same
settings otherwise), e.g. `SCALED_LOCK_STORE=redis pytest ... -k a2`;
SCALED_BURSTS sets the number of conversations of (a2) (default 20).
Every wait is bounded; the whole module takes about 4-5 minutes on 2 cores.
"""
from __future__ import annotations

import asyncio
import os
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaled_kit import (  # noqa: E402
    MODEL, PG, REDIS, ROOT, LoopThread, RoundRobinProxy, ScratchDatabase, Server,
    TcpForwarder, action_server, base_env, record_figures, bot_texts_after_each_user, message_id_of,
    rasa_server, run_bursts, run_conversations, services_missing, user_events, wait_all_up,
)

pytestmark = [pytest.mark.integration, pytest.mark.services]

REPORT = ROOT / "reports" / "scaled.json"
FROZEN_NOW = "2026-11-25T10:00:00+00:00"   # a Wednesday: European hotlines open
LOCK_LIFETIME_S = 15                       # TICKET_LOCK_LIFETIME of the replicas
STARTUP_TIMEOUT_S = 300
CONVERSATIONS = 50
LOCK_STORE = os.environ.get("SCALED_LOCK_STORE", "atomic")   # or "redis": Rasa's own, to compare
BURST_CONVERSATIONS = int(os.environ.get("SCALED_BURSTS", "20"))

# Ten turns each; the checks name what a turn's reply must contain, which
# needs the conversation's state from earlier turns (handled on either replica).
SCRIPTS = {
    "de-warranty": [
        "hallo", "hotline deutschland", "und die öffnungszeiten?", "hab ich noch garantie",
        "xiaomi 13 pro", "am 10.03.2025", "italien", "danke", "und in österreich?", "tschüss",
    ],
    "en-warranty": [
        "hi", "what's the support number in the uk", "and the opening hours?",
        "do i still have warranty", "redmi note 12", "bought it on 2025-05-01", "germany",
        "thanks", "what about france?", "bye",
    ],
    "de-info": [
        "guten tag", "wie lange habe ich garantie in der eu", "und in indien?",
        "hotline spanien", "wann ist die erreichbar", "kann ich mit einem menschen sprechen",
        "nein danke", "welche kontaktmöglichkeiten gibt es", "hotline deutschland", "tschüss",
    ],
    "en-info": [
        "hello", "how long is the warranty in the eu", "and in india?", "hotline spain",
        "when is it open", "can i talk to a human", "no thanks", "how can i contact you",
        "hotline germany", "thanks bye",
    ],
}
STATEFUL_CHECKS = {
    "de-warranty": {2: ["0800 223 11 44"], 4: ["gekauft"], 6: ["Xiaomi 13 Pro", "Italien", "Garantie"],
                    8: ["Österreich"]},
    "en-warranty": {2: ["0800 021 1888"], 4: ["buy"], 6: ["redmi note 12", "Germany", "warranty"],
                    8: ["France"]},
    "de-info": {2: ["Indien"], 4: ["900 128 128"]},
    "en-info": {2: ["India"], 4: ["900 128 128"]},
}


def scripts_for(tag: str, count: int = CONVERSATIONS, run: str = "") -> Dict[str, List[str]]:
    names = list(SCRIPTS)
    return {f"{run}{tag}-{i:02d}-{names[i % len(names)]}": SCRIPTS[names[i % len(names)]]
            for i in range(count)}


def script_of(sender: str) -> str:
    return next(name for name in SCRIPTS if sender.endswith(name))


# --- figures ------------------------------------------------------------------

FIGURES: Dict[str, dict] = {}


def report(request, name: str, figures: dict) -> None:
    FIGURES[name] = figures
    record_figures(REPORT, name, figures)
    line = f"[scaled] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + line, flush=True)
    else:
        print(line)


def say(url: str, sender: str, text: str, timeout: float = 60) -> tuple:
    started = time.monotonic()
    response = requests.post(f"{url}/webhooks/rest/webhook", timeout=timeout,
                             json={"sender": sender, "message": text})
    elapsed = time.monotonic() - started
    response.raise_for_status()
    return "\n".join(m.get("text") or "" for m in response.json()), elapsed


# --- the cluster --------------------------------------------------------------

class Cluster:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.run = uuid.uuid4().hex[:6]
        self.db = ScratchDatabase()
        self.redis_prefix = "scaled" + self.run
        self.loop = LoopThread()
        self.servers: List[Server] = []
        self.proxies: List[RoundRobinProxy] = []
        self.forwarders: List[TcpForwarder] = []
        self.startup_s: Dict[str, float] = {}

    def production_env(self, pg_port: int = PG["port"], redis_port: int = REDIS["port"]) -> Dict[str, str]:
        return base_env({
            "DB_HOST": PG["host"], "DB_PORT": str(pg_port), "DB_USER": PG["user"],
            "DB_PASSWORD": PG["password"], "DB_DATABASE": self.db.name,
            "REDIS_HOST": REDIS["host"], "REDIS_PORT": str(redis_port), "REDIS_PASSWORD": "",
            "REDIS_DB": str(REDIS["db"]), "REDIS_KEY_PREFIX": self.redis_prefix,
            "ACTION_ENDPOINT_URL": self.actions_lb.url + "/webhook",
            "TICKET_LOCK_LIFETIME": str(LOCK_LIFETIME_S),
            "SUPPORT_BOT_NOW": FROZEN_NOW,
        })

    def start(self) -> None:
        self.db.create()
        action_env = base_env({"SUPPORT_BOT_NOW": FROZEN_NOW})
        self.actions = [action_server(f"actions-{i}", self.tmp, action_env) for i in (1, 2)]
        self.actions_lb = RoundRobinProxy("actions-lb", [a.url for a in self.actions])
        self.loop.run(self.actions_lb.start())
        self.proxies.append(self.actions_lb)
        self.pg_path = TcpForwarder("pg", PG["host"], PG["port"])
        self.redis_path = TcpForwarder("redis", REDIS["host"], REDIS["port"])
        for forwarder in (self.pg_path, self.redis_path):
            self.loop.run(forwarder.start())
            self.forwarders.append(forwarder)

        endpoints = "endpoints.production.yml"
        if LOCK_STORE == "redis":        # comparison run with Rasa's RedisLockStore
            text = (ROOT / endpoints).read_text()
            assert "type: components.lock_store.AtomicRedisLockStore" in text
            endpoints = str(self.tmp / "endpoints.upstream-lock.yml")
            Path(endpoints).write_text(text.replace(
                "type: components.lock_store.AtomicRedisLockStore", "type: redis"))
        # B reaches PostgreSQL and Redis through the switchable forwarders
        # (transparent until test (e) cuts them); A directly.
        self.a = rasa_server("rasa-a", self.tmp, self.production_env(), endpoints)
        self.b = rasa_server("rasa-b", self.tmp, self.production_env(
            pg_port=self.pg_path.port, redis_port=self.redis_path.port), endpoints)
        self.sqlite_env = base_env({
            "TRACKER_DB": str(self.tmp / "tracker.db"),
            "ACTION_ENDPOINT_URL": self.actions_lb.url + "/webhook",
            "SUPPORT_BOT_NOW": FROZEN_NOW,
        })
        self.sqlite = rasa_server("rasa-sqlite", self.tmp, self.sqlite_env, "endpoints.yml")
        self.servers = [*self.actions, self.a, self.b, self.sqlite]
        for server in self.servers:
            server.start()
        self.startup_s = wait_all_up(self.servers, STARTUP_TIMEOUT_S)
        self.lb = RoundRobinProxy("rasa-lb", [self.a.url, self.b.url])
        self.loop.run(self.lb.start())
        self.proxies.append(self.lb)
        self.begin_mid_form_restart()

    def begin_mid_form_restart(self) -> None:
        """First half of test (d), done here so that the restart of the SQLite
        server (about a minute of CPU) overlaps with tests (a)-(c): two turns
        into the warranty form, then the server is killed and started again
        (test (d) waits for it and sends the rest)."""
        self.mid_form_sender = f"{self.run}d-warranty"
        self.mid_form_replies = [say(self.sqlite.url, self.mid_form_sender, text)[0]
                                 for text in ("hab ich noch garantie", "xiaomi 13 pro")]
        self.sqlite.kill()                           # a crash, not a clean shutdown
        self.sqlite_killed_at = time.monotonic()
        self.sqlite.start()

    def close(self) -> None:
        for server in self.servers:
            try:
                server.stop(timeout=15)
            except Exception:  # noqa: BLE001
                server.kill()
        for item in [*self.proxies, *self.forwarders]:
            try:
                self.loop.run(item.stop(), timeout=15)
            except Exception:  # noqa: BLE001
                pass
        self.loop.close()
        try:
            self.db.drop()
        finally:
            try:
                import redis

                client = redis.Redis(**REDIS)
                for key in client.scan_iter(match=self.redis_prefix + "*", count=1000):
                    client.delete(key)
            except Exception:  # noqa: BLE001
                pass


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL.relative_to(ROOT)}: run `make train` (make test does)")
    missing = services_missing()
    if missing:
        pytest.skip(f"PostgreSQL/Redis {missing}")
    cluster = Cluster(tmp_path_factory.mktemp("scaled"))
    try:
        started = time.monotonic()
        cluster.start()
        report(request, "startup", {"lock_store": LOCK_STORE,
                                    "seconds_until_all_up": round(time.monotonic() - started, 1),
                                    **{f"{k}_s": v for k, v in cluster.startup_s.items()},
                                    "database": cluster.db.name})
        yield cluster
    finally:
        cluster.close()


# --- checks ---------------------------------------------------------------------

def check_load(cluster: Cluster, load, *, allow_resend_duplicates: bool) -> dict:
    """Every message answered, in order, stored once in PostgreSQL (see module doc)."""
    problems: List[str] = []
    turns = load.by_sender()
    for turn in load.turns:
        if not turn.answered:
            problems.append(f"{turn.message_id} '{turn.text}' unanswered: {turn.failures}")

    prefix = next(iter(turns)).split("-")[0] + "-"
    stored = cluster.db.events(prefix)
    duplicates_after_resend = 0
    stored_messages = 0
    for sender, sent in turns.items():
        events = stored.get(sender, [])
        ids = [message_id_of(e) for e in user_events(events)]
        stored_messages += len(set(ids))
        expected = [t.message_id for t in sent]
        collapsed = [m for i, m in enumerate(ids) if i == 0 or ids[i - 1] != m]
        if collapsed != expected:
            problems.append(f"{sender}: user events in PostgreSQL {ids} != sent {expected}")
            continue
        for turn in sent:
            copies = ids.count(turn.message_id)
            if copies > 1:
                resent = turn.attempts > 1 and any("502" in f or "Disconnected" in f for f in turn.failures)
                if allow_resend_duplicates and resent and copies == 2:
                    duplicates_after_resend += 1
                else:
                    problems.append(f"{turn.message_id} stored {copies} times (attempts {turn.attempts})")
        # the replies each turn got are the bot events stored after it, in order
        stored_replies = {}
        for message_id, texts in bot_texts_after_each_user(events):
            stored_replies[message_id] = texts      # the last copy is the answered one
        for turn in sent:
            if turn.answered and stored_replies.get(turn.message_id) != turn.replies:
                problems.append(f"{turn.message_id}: replies {turn.replies} != stored "
                                f"{stored_replies.get(turn.message_id)}")
        # state carried across turns (and replicas)
        for index, needles in STATEFUL_CHECKS[script_of(sender)].items():
            reply = "\n".join(sent[index].replies)
            missing = [n for n in needles if n.lower() not in reply.lower()]
            if missing:
                problems.append(f"{sender} turn {index} '{sent[index].text}': {missing} not in {reply[:300]!r}")

    figures = load.figures()
    figures.update({
        "stored_user_messages": stored_messages,
        "duplicates_after_resend": duplicates_after_resend,
        "problems": len(problems),
    })
    return {"figures": figures, "problems": problems}


def served_by(lb: RoundRobinProxy, before: Dict[str, int]) -> Dict[str, int]:
    return {url.rsplit(":", 1)[1]: lb.counts[url] - before.get(url, 0) for url in lb.counts}


# --- (a) -------------------------------------------------------------------------

def test_a_50_conversations_through_two_replicas(cluster, request):
    before = dict(cluster.lb.counts)
    load = asyncio.run(run_conversations(cluster.lb.url, scripts_for("a", run=cluster.run), deadline_s=180))
    result = check_load(cluster, load, allow_resend_duplicates=False)
    figures = result["figures"]
    per_replica = served_by(cluster.lb, before)
    figures["served_per_replica"] = per_replica
    report(request, "a_two_replicas", figures)
    assert not result["problems"], "\n".join(result["problems"][:30])
    assert figures["lost"] == 0 and figures["answered"] == figures["messages_sent"] == CONVERSATIONS * 10
    assert all(count > 0 for count in per_replica.values()), per_replica


# --- (a2) ------------------------------------------------------------------------

BURSTS = {
    "de": ["hotline deutschland", "hotline spanien", "danke"],
    "en": ["hotline uk", "hotline spain", "thanks"],
}


def test_a2_simultaneous_messages_of_one_conversation(cluster, request):
    """Three messages of a conversation at the same moment, spread over both
    replicas: the lock serialises them, so each is stored once, followed by
    its own replies (two servers writing one conversation at once would lose
    or mix events: the SQL tracker store appends what it counts as new)."""
    bursts = {f"{cluster.run}a2-{i:02d}-{lang}": BURSTS[lang]
              for i, lang in enumerate(["de", "en"] * (BURST_CONVERSATIONS // 2))}
    before = dict(cluster.lb.counts)
    load = asyncio.run(run_bursts(cluster.lb.url, bursts))
    problems = [f"{t.message_id} '{t.text}' unanswered: {t.failures}" for t in load.turns if not t.answered]
    stored = cluster.db.events(f"{cluster.run}a2-")
    for sender, sent in load.by_sender().items():
        events = stored.get(sender, [])
        ids = [message_id_of(e) for e in user_events(events)]
        if sorted(ids) != sorted(t.message_id for t in sent):
            problems.append(f"{sender}: stored user messages {ids}, sent {[t.message_id for t in sent]}")
            continue
        replies = dict(bot_texts_after_each_user(events))
        for turn in sent:
            if replies.get(turn.message_id) != turn.replies:
                problems.append(f"{turn.message_id}: got {turn.replies}, stored after it "
                                f"{replies.get(turn.message_id)}")
    mixed = sum(1 for turns in load.by_sender().values() if len({t.upstream for t in turns}) > 1)
    figures = load.figures()
    figures.update({"conversations_spread_over_both_replicas": mixed,
                    "served_per_replica": served_by(cluster.lb, before), "problems": len(problems)})
    report(request, "a2_simultaneous_messages" + ("" if LOCK_STORE == "atomic" else f"[{LOCK_STORE}]"), figures)
    assert not problems, "\n".join(problems[:30])
    assert mixed > 0, "no conversation had messages on both replicas"


# --- (b) -------------------------------------------------------------------------

def test_b_replica_killed_halfway(cluster, request):
    total = CONVERSATIONS * 10
    killed = {}

    def on_progress(turn):
        done = on_progress.count = getattr(on_progress, "count", 0) + 1
        if done >= total // 2 and not killed:
            killed["at_turns_done"] = done
            killed["time"] = time.monotonic()
            cluster.a.process.kill()                 # SIGKILL, requests in flight are cut

    before = dict(cluster.lb.counts)
    midflight_before = cluster.lb.failed_midflight
    load = asyncio.run(run_conversations(cluster.lb.url, scripts_for("b", run=cluster.run),
                                         on_progress=on_progress, deadline_s=200))
    cluster.a.process.wait(timeout=10)
    result = check_load(cluster, load, allow_resend_duplicates=True)
    figures = result["figures"]
    figures.update({
        "killed_after_turns": killed.get("at_turns_done"),
        "failed_midflight_at_lb": cluster.lb.failed_midflight - midflight_before,
        "served_per_replica": served_by(cluster.lb, before),
        "conversations_continued_after_kill": sum(
            1 for turns in load.by_sender().values()
            if any(t.sent_at >= killed.get("time", 1e18) for t in turns)),
    })
    report(request, "b_replica_killed", figures)
    assert killed, "the kill did not happen"
    assert not result["problems"], "\n".join(result["problems"][:30])
    assert figures["lost"] == 0 and figures["answered"] == total


# --- (c) -------------------------------------------------------------------------

ACTION_TURNS = [("de", "hotline deutschland"), ("en", "what's the support number in the uk"),
                ("de", "wie lange habe ich garantie in der eu"), ("en", "hotline spain")]


def test_c_action_servers_stopped_then_restarted(cluster, request):
    url = cluster.lb.url            # replica A is dead after (b): the LB sends to B
    sender = f"{cluster.run}c-"
    for server in cluster.actions:
        server.stop()
    down: List[tuple] = []
    for i, (lang, text) in enumerate(ACTION_TURNS * 2):
        reply, elapsed = say(url, f"{sender}down-{i % 4}", text)
        down.append((lang, text, reply, elapsed))

    for server in cluster.actions:
        server.start()
    restart_s = max(s.wait_up(120) for s in cluster.actions)
    forwarded_before = sum(cluster.actions_lb.counts.values())
    up: List[tuple] = []
    for i, (lang, text) in enumerate(ACTION_TURNS * 2):
        reply, elapsed = say(url, f"{sender}up-{i % 4}", text)
        up.append((lang, text, reply, elapsed))
    forwarded = sum(cluster.actions_lb.counts.values()) - forwarded_before

    figures = {
        "turns_while_down": len(down), "answered_while_down": sum(1 for d in down if d[2].strip()),
        "max_latency_while_down_s": round(max(d[3] for d in down), 2),
        "turns_after_restart": len(up), "answered_after_restart": sum(1 for u in up if u[2].strip()),
        "max_latency_after_restart_s": round(max(u[3] for u in up), 2),
        "action_calls_reaching_action_servers_after_restart": forwarded,
        "action_servers_restart_s": round(restart_s, 1),
    }
    report(request, "c_action_servers_down_then_up", figures)
    for lang, text, reply, elapsed in down + up:
        assert reply.strip(), f"no reply to '{text}'"
    slow = [(t, round(e, 2)) for _, t, _, e in down if e > 3.0]
    assert not slow, f"replies slower than ~3 s while the action servers were down: {slow}"
    assert forwarded > 0, "after the restart, no action call reached the action servers"
    german_hotline = [r for _, t, r, _ in up if t == "hotline deutschland"]
    assert all("0800 223 11 44" in r for r in german_hotline), german_hotline


# --- (d) -------------------------------------------------------------------------

def test_d_sqlite_server_restarted_mid_form(cluster, request):
    """The conversation was brought to the middle of the warranty form and the
    server killed and started again when the cluster started (see
    Cluster.begin_mid_form_restart): the new process must resume the form."""
    server = cluster.sqlite
    sender = cluster.mid_form_sender
    first, second = cluster.mid_form_replies
    assert "Gerät" in first, first                   # the form asks for the device ...
    assert "gekauft" in second, second               # ... then for the date
    server.wait_up(STARTUP_TIMEOUT_S)
    up_after_s = time.monotonic() - cluster.sqlite_killed_at

    third, _ = say(server.url, sender, "am 10.03.2025")
    fourth, _ = say(server.url, sender, "italien")
    report(request, "d_sqlite_restart_mid_form", {"seen_up_again_after_kill_s": round(up_after_s, 1)})
    assert "Land" in third, third                    # next question of the same form
    for needle in ("Xiaomi 13 Pro", "10. März 2025", "Italien", "Garantie"):
        assert needle in fourth, fourth


# --- (e) -------------------------------------------------------------------------

def log_lines(server: Server, pattern: str) -> List[str]:
    return [line for line in server.log().splitlines() if re.search(pattern, line)]


def test_e_postgres_and_redis_briefly_unreachable(cluster, request):
    if LOCK_STORE != "atomic":
        pytest.skip("the fallback while Redis is down is AtomicRedisLockStore's")
    replica = cluster.b              # its PostgreSQL and Redis connections run through the forwarders
    url = replica.url
    sender = f"{cluster.run}e-outage"
    redis_error = r"Redis lock store unavailable"
    pg_error = r"Error happened when trying to (retrieve|save) conversation tracker"
    seen: Dict[str, tuple] = {}

    redis_errors_before = len(log_lines(replica, redis_error))
    seen["normal"] = say(url, sender, "hotline deutschland")

    cluster.loop.run(cluster.redis_path.cut())
    seen["redis_down"] = say(url, sender, "und die öffnungszeiten?")
    redis_errors_during = len(log_lines(replica, redis_error)) - redis_errors_before
    cluster.loop.run(cluster.redis_path.restore())
    seen["redis_back"] = say(url, sender, "hotline spanien")
    seen["redis_back_2"] = say(url, sender, "hotline deutschland")
    redis_errors_after = len(log_lines(replica, redis_error)) - redis_errors_before

    pg_errors_before = len(log_lines(replica, pg_error))
    cluster.loop.run(cluster.pg_path.cut())
    seen["pg_down"] = say(url, sender + "-pg", "hotline deutschland")
    pg_errors_during = len(log_lines(replica, pg_error)) - pg_errors_before
    cluster.loop.run(cluster.pg_path.restore())
    seen["pg_back"] = say(url, sender + "-pg", "hab ich noch garantie")
    seen["pg_back_2"] = say(url, sender + "-pg", "xiaomi 13 pro")
    seen["pg_back_3"] = say(url, sender + "-pg", "am 10.03.2025")

    stored = cluster.db.events(sender)
    stored_texts = {s: [e.get("text") for e in user_events(ev)] for s, ev in stored.items()}
    figures = {
        **{f"{k}_latency_s": round(v[1], 2) for k, v in seen.items()},
        "redis_error_lines": redis_errors_during,
        "redis_error_lines_after_recovery": redis_errors_after - redis_errors_during,
        "pg_error_lines": pg_errors_during,
        "stored_user_messages": {s: len(t) for s, t in stored_texts.items()},
    }
    report(request, "e_pg_redis_outage", figures)

    for key, (reply, _) in seen.items():
        assert reply.strip(), f"no reply ({key})"
    assert redis_errors_during >= 1, "no clear error in the log while Redis was unreachable"
    assert redis_errors_after == redis_errors_during, "still falling back after Redis came back"
    assert pg_errors_during >= 1, "no error in the log while PostgreSQL was unreachable"
    # the Redis outage lost nothing: all four turns are in PostgreSQL
    assert stored_texts.get(sender) == ["hotline deutschland", "und die öffnungszeiten?",
                                        "hotline spanien", "hotline deutschland"], stored_texts
    # after PostgreSQL is back, turns are stored and the form state carries on
    assert "Land" in seen["pg_back_3"][0], seen["pg_back_3"][0]
    assert stored_texts.get(sender + "-pg", [])[-2:] == ["xiaomi 13 pro", "am 10.03.2025"], stored_texts
