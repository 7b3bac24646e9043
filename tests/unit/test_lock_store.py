"""Ticket locks in Redis shared by several Rasa servers: the upstream race and
the atomic lock store (components/lock_store.py), against a real Redis.

Each "server" is a separate Python process with its own Redis connection, as
two Rasa replicas are. They start together (a go signal in Redis) and then

* issue tickets for the same conversations at the same time: every ticket must
  get its own number and stay in the lock (duplicates = two holders at once;
  lost = a ticket overwritten by another process's write);
* run Rasa's whole `LockStore.lock()` path (issue, wait, cleanup) around a
  critical section that counts how many holders are inside at once.

The figures are printed and written to reports/lock_race.json. Redis is not
mocked; without it on REDIS_HOST:REDIS_PORT (default 127.0.0.1:6379) the tests
skip.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from scaled_kit import record_figures  # noqa: E402  (one writer for the reports of the scaled profile)

REPORT = ROOT / "reports" / "lock_race.json"
REDIS_HOST = os.environ.get("REDIS_HOST", "127.0.0.1") or "127.0.0.1"
REDIS_PORT = int(os.environ.get("REDIS_PORT", "6379") or 6379)
REDIS_DB = 1
PROCESSES = 4

pytestmark = pytest.mark.services

# One competing "Rasa server". argv: JSON settings. It runs every phase in
# order (each store, issuing then locking), meeting the other processes at a
# barrier in Redis before each round. components/lock_store.py is loaded by
# path so the worker does not import the model's components (TensorFlow).
WORKER = textwrap.dedent(
    r"""
    import asyncio, importlib.util, json, sys, time
    import redis
    from rasa.core.lock_store import LockError, RedisLockStore

    cfg = json.loads(sys.argv[1])
    spec = importlib.util.spec_from_file_location("atomic_lock_store", cfg["module"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    red = redis.Redis(host=cfg["host"], port=cfg["port"], db=cfg["db"])
    ctl = cfg["prefix"] + ":ctl:"

    def barrier(name):
        red.incr(ctl + name)
        deadline = time.monotonic() + 60
        while int(red.get(ctl + name) or 0) < cfg["processes"]:
            if time.monotonic() > deadline:
                raise SystemExit("barrier timeout")
            time.sleep(0.0005)

    def issue(store, phase):
        tickets = []
        for round_ in range(cfg["rounds"]):
            barrier(f"{phase}:round{round_}")
            conversation = f"issue-{round_}"
            for _ in range(cfg["per_round"]):
                tickets.append([conversation, store.issue_ticket(conversation, 300)])
        return {"tickets": tickets}

    def lock(store, phase):
        counts = {"attempts": 0, "entered": 0, "overlaps": 0, "lock_errors": 0,
                  "stuck": 0, "other_errors": 0}
        inside_key = ctl + phase + ":inside:"

        async def one(conversation):
            async with store.lock(conversation, lock_lifetime=cfg["lifetime"],
                                  wait_time_in_seconds=0.002):
                counts["entered"] += 1
                if red.incr(inside_key + conversation) > 1:
                    counts["overlaps"] += 1
                await asyncio.sleep(0.001)
                red.decr(inside_key + conversation)

        async def main():
            barrier(phase)
            stop_at = time.monotonic() + cfg["budget"]
            for i in range(cfg["iterations"]):
                if time.monotonic() > stop_at:
                    break
                counts["attempts"] = i + 1
                try:
                    await asyncio.wait_for(one(f"lock-{i % cfg['conversations']}"),
                                           cfg["stuck_after"])
                except LockError:
                    counts["lock_errors"] += 1
                except asyncio.TimeoutError:
                    counts["stuck"] += 1
                except Exception as e:  # noqa: BLE001
                    counts["other_errors"] += 1
                    counts["last_error"] = repr(e)

        asyncio.run(main())
        return counts

    results = {}
    for kind, cls in (("rasa", RedisLockStore), ("atomic", module.AtomicRedisLockStore)):
        store = cls(host=cfg["host"], port=cfg["port"], db=cfg["db"],
                    key_prefix=cfg["prefix"] + kind)
        results[f"{kind}.issue"] = issue(store, f"{kind}.issue")
        results[f"{kind}.lock"] = lock(store, f"{kind}.lock")
    print(json.dumps(results))
    """
)

# issuing: 120 rounds, each a new conversation, 5 tickets per process and round
# locking: 3 conversations, lock lifetime 10 s, an attempt counts as stuck after
# 2 s, each process starts no new attempt after 8 s (upstream gets stuck a lot)
PARAMS = dict(rounds=120, per_round=5, iterations=100, conversations=3,
              lifetime=10, stuck_after=2, budget=8)


@pytest.fixture(scope="module")
def red():
    redis = pytest.importorskip("redis")
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as e:
        pytest.skip(
            f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT} ({e}); "
            "start it (scripts/services.sh start) to run the lock store tests"
        )
    yield client
    client.close()


def _drop_keys(red, prefix: str) -> None:
    for key in red.scan_iter(match=f"{prefix}*", count=1000):
        red.delete(key)


@pytest.fixture
def prefix(red):
    name = "locktest" + uuid.uuid4().hex[:10]
    yield name
    _drop_keys(red, name)


def record(name: str, figures: Dict[str, Any]) -> None:
    record_figures(REPORT, name, figures)
    print(f"\n[lock race] {name}: {json.dumps(figures, sort_keys=True)}")


def issue_figures(red, prefix: str, results: List[dict]) -> Dict[str, Any]:
    issued: Dict[str, List[int]] = {}
    for result in results:
        for conversation, number in result["tickets"]:
            issued.setdefault(conversation, []).append(number)
    duplicates = lost = affected = 0
    for conversation, numbers in issued.items():
        raw = red.get(f"{prefix}:lock:{conversation}")
        stored = [json.loads(t)["number"] for t in json.loads(raw)["tickets"]] if raw else []
        duplicate = len(numbers) - len(set(numbers))
        missing = len(numbers) - len(stored)
        duplicates += duplicate
        lost += missing
        affected += bool(duplicate or missing)
    return {
        "processes": PROCESSES,
        "conversations": len(issued),
        "tickets_issued": sum(len(n) for n in issued.values()),
        "duplicate_ticket_numbers": duplicates,
        "tickets_missing_from_lock": lost,
        "conversations_affected": affected,
    }


def lock_figures(results: List[dict]) -> Dict[str, Any]:
    figures: Dict[str, Any] = {
        "processes": PROCESSES,
        "attempts_planned": PROCESSES * PARAMS["iterations"],
    }
    for key in ("attempts", "entered", "overlaps", "lock_errors", "stuck", "other_errors"):
        figures[key] = sum(r[key] for r in results)
    errors = [r["last_error"] for r in results if "last_error" in r]
    if errors:
        figures["example_error"] = errors[0]
    return figures


@pytest.fixture(scope="module")
def race(red):
    """Runs the competing processes once; figures per store and phase."""
    prefix = "locktest" + uuid.uuid4().hex[:10]
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    processes = []
    try:
        for worker in range(PROCESSES):
            cfg = dict(
                PARAMS, worker=worker, processes=PROCESSES, prefix=prefix,
                host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB,
                module=str(ROOT / "components" / "lock_store.py"),
            )
            processes.append(subprocess.Popen(
                [sys.executable, "-c", WORKER, json.dumps(cfg)], cwd=ROOT, env=env,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ))
        outputs = []
        deadline = time.monotonic() + 240
        for process in processes:
            try:
                out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail("lock store worker processes did not finish within 240 s")
            assert process.returncode == 0, f"worker failed:\n{err[-3000:]}"
            outputs.append(json.loads(out.strip().splitlines()[-1]))
        figures = {}
        for kind in ("rasa", "atomic"):
            figures[f"{kind}.issue"] = issue_figures(
                red, prefix + kind, [o[f"{kind}.issue"] for o in outputs])
            figures[f"{kind}.lock"] = lock_figures([o[f"{kind}.lock"] for o in outputs])
            figures[f"{kind}.locks_left"] = len(list(red.scan_iter(match=f"{prefix}{kind}:lock:lock-*")))
        yield figures
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        _drop_keys(red, prefix)


def test_rasa_redis_lock_store_issues_tickets_racily(race):
    """Measures upstream Rasa 3.6: concurrent issue_ticket calls collide."""
    figures = race["rasa.issue"]
    record("rasa_redis_lock_store.issue_ticket", figures)
    assert figures["duplicate_ticket_numbers"] + figures["tickets_missing_from_lock"] > 0, (
        "no race observed in Rasa's RedisLockStore; if Rasa fixed it upstream, "
        "components/lock_store.py may no longer be needed"
    )


def test_atomic_lock_store_issues_every_ticket_once(race):
    figures = race["atomic.issue"]
    record("atomic_redis_lock_store.issue_ticket", figures)
    assert figures["tickets_issued"] == PROCESSES * PARAMS["rounds"] * PARAMS["per_round"]
    assert figures["duplicate_ticket_numbers"] == 0
    assert figures["tickets_missing_from_lock"] == 0


def test_rasa_redis_lock_store_breaks_mutual_exclusion(race):
    """Rasa's lock() path with the upstream store: two holders at once, or
    waiters failing/hanging because their ticket was lost or the lock deleted."""
    figures = race["rasa.lock"]
    record("rasa_redis_lock_store.lock", figures)
    failures = figures["overlaps"] + figures["lock_errors"] + figures["stuck"]
    assert failures > 0, "no race observed in Rasa's RedisLockStore lock()"


def test_atomic_lock_store_keeps_mutual_exclusion(race):
    figures = race["atomic.lock"]
    record("atomic_redis_lock_store.lock", figures)
    assert figures["overlaps"] == 0
    assert figures["lock_errors"] == 0 and figures["stuck"] == 0
    assert figures["other_errors"] == 0, figures.get("example_error")
    assert figures["entered"] == figures["attempts"] == figures["attempts_planned"]
    assert race["atomic.locks_left"] == 0, "locks left behind after every ticket was released"


# --- behaviour of the store itself ------------------------------------------

def make_store(prefix: str, **overrides: Any):
    from components.lock_store import AtomicRedisLockStore

    settings = dict(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, key_prefix=prefix)
    settings.update(overrides)
    return AtomicRedisLockStore(**settings)


def test_loaded_from_endpoints_with_env_values(red, prefix):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig
    from components.lock_store import AtomicRedisLockStore

    # values from ${ENV} substitution arrive as strings; an unset password is ""
    config = EndpointConfig(
        type="components.lock_store.AtomicRedisLockStore", url=REDIS_HOST,
        port=str(REDIS_PORT), db=str(REDIS_DB), password="", key_prefix=prefix,
        socket_timeout="3",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == f"{prefix}:lock:"
    ticket = store.issue_ticket("from-endpoints", 30)
    assert store.get_lock("from-endpoints").now_serving == ticket

    with pytest.raises(Exception, match="colour"):
        LockStore.create(EndpointConfig(type="components.lock_store.AtomicRedisLockStore",
                                        url=REDIS_HOST, colour="blue"))


def test_production_endpoints_file_selects_the_atomic_store(prefix, monkeypatch):
    from rasa.core.utils import AvailableEndpoints
    from components.lock_store import AtomicRedisLockStore
    from rasa.core.lock_store import LockStore

    env = {
        "DB_HOST": "127.0.0.1", "DB_PORT": "5432", "DB_USER": "postgres", "DB_PASSWORD": "",
        "DB_DATABASE": "rasa", "DB_LOGIN_DB": "postgres",
        "REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT),
        "REDIS_PASSWORD": "", "REDIS_DB": str(REDIS_DB), "REDIS_KEY_PREFIX": prefix,
        "ACTION_ENDPOINT_URL": "http://actions.internal:5055/webhook",
        "ACTION_SERVER_TOKEN": "shared-secret",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))
    assert endpoints.lock_store.type == "components.lock_store.AtomicRedisLockStore"
    assert endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert endpoints.tracker_store.url == "127.0.0.1"
    assert endpoints.action.url == env["ACTION_ENDPOINT_URL"]
    assert endpoints.action.headers == {"X-Action-Token": "shared-secret"}
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix == f"{prefix}:lock:"


def test_lock_values_stay_compatible_with_rasas_store(red, prefix):
    from rasa.core.lock_store import RedisLockStore

    upstream = RedisLockStore(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, key_prefix=prefix)
    atomic = make_store(prefix)
    first = upstream.issue_ticket("mixed", 30)           # written by Rasa's code
    second = atomic.issue_ticket("mixed", 30)            # continues that lock
    assert second == first + 1
    lock = upstream.get_lock("mixed")                    # read back by Rasa's code
    assert [t.number for t in lock.tickets] == [first, second]
    assert lock.now_serving == first and lock.is_locked(second)
    atomic.cleanup("mixed", first)
    assert upstream.get_lock("mixed").now_serving == second
    atomic.cleanup("mixed", second)
    assert red.get(f"{prefix}:lock:mixed") is None


def test_ticket_order_ttl_and_expiry(red, prefix):
    store = make_store(prefix)
    a = store.issue_ticket("order", 30)
    b = store.issue_ticket("order", 30)
    assert b == a + 1
    ttl = red.pttl(f"{prefix}:lock:order")
    assert 30_000 < ttl <= 36_000, ttl          # key outlives its last ticket a little
    store.finish_serving("order", a)
    assert store.get_lock("order").now_serving == b
    store.cleanup("order", b)
    assert red.get(f"{prefix}:lock:order") is None

    # a crashed holder's ticket expires and stops blocking the conversation
    stale = store.issue_ticket("crash", 0.2)
    time.sleep(0.3)
    fresh = store.issue_ticket("crash", 30)
    assert fresh > stale                        # numbers never go back
    assert store.get_lock("crash").now_serving == fresh
    store.cleanup("crash", stale)               # late release of the stale ticket
    assert store.get_lock("crash").now_serving == fresh
    store.cleanup("crash", fresh)


def test_unreachable_redis_gives_a_lock_error_not_a_hang():
    import socket
    from rasa.core.lock_store import LockError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    store = make_store("unreachable", port=closed_port, socket_timeout=2)
    started = time.monotonic()
    with pytest.raises(LockError, match="Error while acquiring lock"):
        store.issue_ticket("nobody", 30)
    store.cleanup("nobody", 1)                  # logged, not raised
    assert time.monotonic() - started < 10


def test_unreachable_redis_falls_back_to_a_local_lock(caplog):
    import asyncio
    import socket
    from rasa.core.lock_store import LockError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]

    async def handle(store, entered):
        async with store.lock("offline", wait_time_in_seconds=0.01):
            entered.append(1)
            await asyncio.sleep(0.01)

    async def three(store, entered):
        await asyncio.gather(*(handle(store, entered) for _ in range(3)))

    store = make_store("unreachable", port=closed_port, socket_timeout=2)
    entered: List[int] = []
    with caplog.at_level("ERROR", logger="components.lock_store"):
        asyncio.run(asyncio.wait_for(three(store, entered), 20))
    assert entered == [1, 1, 1]
    assert "Redis lock store unavailable" in caplog.text

    strict = make_store("unreachable", port=closed_port, socket_timeout=2, local_fallback=False)
    with pytest.raises(LockError):
        asyncio.run(asyncio.wait_for(handle(strict, []), 20))


def test_redis_lost_while_waiting_falls_back_to_a_local_lock(red, prefix, caplog):
    import asyncio
    import socket

    import redis

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    store = make_store(prefix)
    reachable = store.red
    holder = store.issue_ticket("waiting", 30)      # another server holds the lock
    entered: List[int] = []

    async def scenario():
        async def lose_redis():
            await asyncio.sleep(0.2)                # while we wait for our turn
            store.red = redis.Redis(host=REDIS_HOST, port=closed_port, socket_timeout=1)

        lost = asyncio.create_task(lose_redis())
        async with store.lock("waiting", lock_lifetime=30, wait_time_in_seconds=0.05):
            entered.append(1)
        await lost

    with caplog.at_level("ERROR", logger="components.lock_store"):
        asyncio.run(asyncio.wait_for(scenario(), 20))
    store.red = reachable
    assert entered == [1]
    assert "Redis lock store unavailable" in caplog.text
    # releasing our ticket failed too (logged); it stays until it expires
    assert "Could not release lock ticket" in caplog.text
    numbers = [t.number for t in store.get_lock("waiting").tickets]
    assert numbers[0] == holder and len(numbers) == 2
    for number in numbers:
        store.cleanup("waiting", number)
    assert red.get(f"{prefix}:lock:waiting") is None


def test_tickets_of_live_servers_do_not_expire(red, prefix):
    """Upstream, a ticket expires `lifetime` s after it was issued: a holder
    that works longer (or queued first) loses the lock while it still works,
    and the next message of the conversation runs at the same time. Here
    waiting and holding keep a ticket alive."""
    import asyncio

    store = make_store(prefix, poll_interval=0.05)
    entered: List[str] = []
    inside = {"now": 0, "max": 0}

    async def message(name: str, work: float):
        async with store.lock("queue", lock_lifetime=0.5):
            entered.append(name)
            inside["now"] += 1
            inside["max"] = max(inside["max"], inside["now"])
            await asyncio.sleep(work)
            inside["now"] -= 1

    async def scenario():
        tasks = [asyncio.create_task(message("first", 0.9))]        # works > lifetime
        await asyncio.sleep(0.05)
        tasks.append(asyncio.create_task(message("second", 0.4)))   # queues 0.85 s
        await asyncio.sleep(0.05)
        tasks.append(asyncio.create_task(message("third", 0.1)))    # queues 1.2 s
        await asyncio.gather(*tasks)

    asyncio.run(asyncio.wait_for(scenario(), 20))
    assert entered == ["first", "second", "third"]
    assert inside["max"] == 1, "two messages of one conversation were handled at once"
    assert red.get(f"{prefix}:lock:queue") is None


def test_a_dead_servers_ticket_blocks_at_most_one_lifetime(red, prefix):
    import asyncio

    store = make_store(prefix, poll_interval=0.05)
    store.issue_ticket("orphan", 0.6)            # issued by a server that then died
    started = time.monotonic()

    async def message():
        async with store.lock("orphan", lock_lifetime=0.6):
            return time.monotonic() - started

    waited = asyncio.run(asyncio.wait_for(message(), 10))
    assert 0.5 < waited < 1.5, waited
