"""Helpers of tests/integration/test_scaled.py: real PostgreSQL and Redis,
Rasa servers and action servers as processes on free ports, a round-robin
load balancer, and a client that runs many conversations at once.

Nothing here mocks a service; what is not reachable makes the tests skip.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "support-bot.tar.gz"
BIN = Path(sys.executable).parent

PG = dict(
    host=os.environ.get("DB_HOST") or "127.0.0.1",
    port=int(os.environ.get("DB_PORT") or 5432),
    user=os.environ.get("DB_USER") or "postgres",
    password=os.environ.get("DB_PASSWORD") or "",
)
REDIS = dict(
    host=os.environ.get("REDIS_HOST") or "127.0.0.1",
    port=int(os.environ.get("REDIS_PORT") or 6379),
    db=int(os.environ.get("REDIS_DB") or 1),
)


def record_figures(report: Path, name: str, figures: Dict[str, Any]) -> None:
    """Adds (or replaces) one run's figures in a JSON report under reports/,
    stamped with the time; the other runs in the file stay."""
    report.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        data = {}
    data[name] = {**figures, "at": time.strftime("%Y-%m-%d %H:%M:%S")}
    report.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- services ----------------------------------------------------------------

def services_missing() -> Optional[str]:
    """Why the real services cannot be used, or None when both answer."""
    problems = []
    try:
        import psycopg2

        psycopg2.connect(dbname="postgres", connect_timeout=3, **PG).close()
    except Exception as e:  # noqa: BLE001
        problems.append(f"PostgreSQL at {PG['host']}:{PG['port']} ({' '.join(str(e).split())})")
    try:
        import redis

        redis.Redis(socket_timeout=3, **REDIS).ping()
    except Exception as e:  # noqa: BLE001
        problems.append(f"Redis at {REDIS['host']}:{REDIS['port']} ({e})")
    if problems:
        return ("not reachable: " + "; ".join(problems)
                + " - start them (scripts/services.sh start, as .ci/run does)")
    return None


class ScratchDatabase:
    """A PostgreSQL database for one test run, dropped afterwards."""

    def __init__(self) -> None:
        self.name = "scaled_" + uuid.uuid4().hex[:12]

    def _admin(self):
        import psycopg2

        conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
        conn.autocommit = True
        return conn

    def create(self) -> "ScratchDatabase":
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            conn.close()
        return self

    def drop(self) -> None:
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,))
                cur.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
        finally:
            conn.close()

    def query(self, sql: str, params: Sequence[Any] = ()) -> List[tuple]:
        import psycopg2

        conn = psycopg2.connect(dbname=self.name, connect_timeout=5, **PG)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    def events(self, sender_prefix: str) -> Dict[str, List[dict]]:
        """All events per conversation (sender ids starting with the prefix), in order."""
        rows = self.query(
            "SELECT sender_id, type_name, data FROM events WHERE sender_id LIKE %s ORDER BY id",
            (sender_prefix + "%",))
        out: Dict[str, List[dict]] = {}
        for sender, type_name, data in rows:
            event = json.loads(data)
            event["_type"] = type_name
            out.setdefault(sender, []).append(event)
        return out


# --- processes ---------------------------------------------------------------

@dataclass
class Server:
    name: str
    command: List[str]
    env: Dict[str, str]
    port: int
    log_path: Path
    health: str = "/"
    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        log = open(self.log_path, "ab")
        log.write(f"\n===== start {time.strftime('%H:%M:%S')} =====\n".encode())
        log.flush()
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def wait_up(self, seconds: float) -> float:
        started = time.monotonic()
        deadline = started + seconds
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise RuntimeError(f"{self.name} exited ({code}); log:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(self.url + self.health, timeout=2)
                return time.monotonic() - started
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"{self.name} not up after {seconds:.0f} s; log:\n{self.log_tail()}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, requests in flight are cut off."""
        if self.running():
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 20) -> None:
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        text = [line for line in self.log().splitlines() if "Warning" not in line and not line.startswith("  ")]
        return "\n".join(text[-lines:])


def base_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHATSAPP_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        # the Rasa servers send it, the action servers check it (scripts/action_server.py)
        "ACTION_SERVER_TOKEN": RUN_TOKEN,
    })
    env.update(extra or {})
    return env


RUN_TOKEN = secrets.token_urlsafe(24)


def action_server(name: str, log_dir: Path, env: Dict[str, str], port: Optional[int] = None) -> Server:
    port = port or free_port()
    return Server(
        name=name,
        command=[str(BIN / "python"), str(ROOT / "scripts" / "action_server.py")],
        env={**env, "ACTION_PORT": str(port), "ACTION_HOST": "127.0.0.1"},
        port=port, log_path=log_dir / f"{name}.log", health="/health",
    )


def rasa_server(name: str, log_dir: Path, env: Dict[str, str], endpoints: str,
                port: Optional[int] = None) -> Server:
    port = port or free_port()
    return Server(
        name=name,
        command=[str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", endpoints,
                 "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)],
        env=env, port=port, log_path=log_dir / f"{name}.log",
    )


def wait_all_up(servers: Sequence[Server], seconds: float) -> Dict[str, float]:
    """Waits for servers started in parallel; returns the seconds each took."""
    started = time.monotonic()
    took = {}
    for server in servers:
        remaining = seconds - (time.monotonic() - started)
        server.wait_up(max(1.0, remaining))
        took[server.name] = round(time.monotonic() - started, 1)
    return took


# --- load balancer -------------------------------------------------------------

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer",
              "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length"}


class RoundRobinProxy:
    """A small HTTP load balancer: each request goes to one upstream, chosen
    round-robin. Only when the connection to an upstream cannot be opened
    (refused, nothing listening) does it try the next one: the request never
    reached a server, so resending it cannot duplicate anything. A request
    that fails after it was sent (server died mid-request) is answered with
    502 and not resent here; whether to resend is the client's decision.
    Upstream connections are not reused, so a dead server shows up as a
    connect failure and never as a broken pooled connection."""

    def __init__(self, name: str, upstreams: List[str], request_timeout: float = 120) -> None:
        self.name = name
        self.upstreams = list(upstreams)
        self.request_timeout = request_timeout
        self.port = free_port()
        self._next = 0
        self.counts: Dict[str, int] = {u: 0 for u in upstreams}
        self.connect_retries = 0
        self.failed_midflight = 0
        self.no_upstream = 0
        self._runner: Optional[web.AppRunner] = None
        self._session: Optional[aiohttp.ClientSession] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True, limit=0),
            timeout=aiohttp.ClientTimeout(total=self.request_timeout, sock_connect=3),
            auto_decompress=False,
        )
        app = web.Application(client_max_size=1024 ** 2)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
        if self._session:
            await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        first = self._next
        self._next = (self._next + 1) % len(self.upstreams)
        for offset in range(len(self.upstreams)):
            upstream = self.upstreams[(first + offset) % len(self.upstreams)]
            try:
                async with self._session.request(
                    request.method, upstream + request.rel_url.path_qs, data=body, headers=headers,
                ) as response:
                    payload = await response.read()
                    self.counts[upstream] += 1
                    out_headers = {k: v for k, v in response.headers.items()
                                   if k.lower() not in HOP_BY_HOP}
                    out_headers["X-Upstream"] = upstream
                    return web.Response(status=response.status, body=payload, headers=out_headers)
            except aiohttp.ClientConnectorError:
                self.connect_retries += 1
                continue
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                self.failed_midflight += 1
                return web.json_response(
                    {"error": f"upstream {upstream} failed during the request: {type(e).__name__}"},
                    status=502)
        self.no_upstream += 1
        return web.json_response({"error": "no upstream reachable"}, status=503)


class LoopThread:
    """An asyncio loop in a background thread (for the load balancers)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


# --- conversations --------------------------------------------------------------

@dataclass
class Turn:
    sender: str
    index: int
    text: str
    message_id: str
    replies: List[str] = field(default_factory=list)
    answered: bool = False
    attempts: int = 0
    failures: List[str] = field(default_factory=list)
    latency: Optional[float] = None       # seconds of the successful attempt
    total_time: Optional[float] = None    # seconds incl. failed attempts and backoff
    upstream: Optional[str] = None
    sent_at: float = 0.0


@dataclass
class Load:
    turns: List[Turn]
    wall_seconds: float

    def by_sender(self) -> Dict[str, List[Turn]]:
        out: Dict[str, List[Turn]] = {}
        for turn in self.turns:
            out.setdefault(turn.sender, []).append(turn)
        return out

    def figures(self) -> Dict[str, Any]:
        answered = [t for t in self.turns if t.answered]
        latencies = sorted(t.total_time for t in answered if t.total_time is not None)
        return {
            "conversations": len(self.by_sender()),
            "messages_sent": len(self.turns),
            "answered": len(answered),
            "lost": len(self.turns) - len(answered),
            "retried": sum(1 for t in self.turns if t.attempts > 1),
            "p50_latency_s": round(percentile(latencies, 50), 3) if latencies else None,
            "p99_latency_s": round(percentile(latencies, 99), 3) if latencies else None,
            "max_latency_s": round(latencies[-1], 3) if latencies else None,
            "wall_s": round(self.wall_seconds, 1),
        }


def percentile(sorted_values: List[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, int(round(pct / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


async def run_conversations(
    url: str,
    scripts: Dict[str, List[str]],
    *,
    attempts: int = 4,
    request_timeout: float = 60,
    backoff: float = 0.5,
    on_progress=None,
    deadline_s: float = 240,
) -> Load:
    """Runs every conversation (sender -> messages) at the same time, each one
    turn after the other. A turn whose request fails (connection error, 5xx,
    timeout) is resent with the same message id, at most `attempts` times."""
    turns: List[Turn] = []
    started = time.monotonic()
    stop_at = started + deadline_s

    async def converse(session: aiohttp.ClientSession, sender: str, messages: List[str]) -> None:
        for index, text in enumerate(messages):
            turn = Turn(sender, index, text, f"{sender}/{index}")
            turns.append(turn)
            turn.sent_at = time.monotonic()
            for attempt in range(1, attempts + 1):
                if time.monotonic() > stop_at:
                    turn.failures.append("test deadline reached")
                    break
                turn.attempts = attempt
                t0 = time.monotonic()
                try:
                    async with session.post(
                        url + "/webhooks/rest/webhook",
                        json={"sender": sender, "message": text,
                              "metadata": {"message_id": turn.message_id, "attempt": attempt}},
                        timeout=aiohttp.ClientTimeout(total=request_timeout),
                    ) as response:
                        body = await response.text()
                        if response.status in (429, 503) and response.headers.get("Retry-After"):
                            # shed load (channels/limits.py): resend when told to
                            turn.failures.append(f"{response.status}: told to retry")
                            await asyncio.sleep(retry_after_seconds(response))
                            continue
                        if response.status >= 500:
                            turn.failures.append(f"{response.status}: {body[:200]}")
                        elif response.status != 200:
                            turn.failures.append(f"{response.status}: {body[:200]}")
                            break  # a 4xx will not get better by resending
                        else:
                            data = json.loads(body)
                            turn.replies = [m.get("text") or "" for m in data]
                            turn.answered = bool(data)
                            turn.latency = time.monotonic() - t0
                            turn.total_time = time.monotonic() - turn.sent_at
                            turn.upstream = response.headers.get("X-Upstream")
                            if not turn.answered:
                                turn.failures.append("200 with an empty reply")
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                    turn.failures.append(f"{type(e).__name__}: {e}")
                await asyncio.sleep(backoff * attempt)
            if on_progress is not None:
                on_progress(turn)

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(converse(session, s, m) for s, m in scripts.items()))
    return Load(turns=turns, wall_seconds=time.monotonic() - started)


# --- what PostgreSQL holds -----------------------------------------------------

def user_events(events: List[dict]) -> List[dict]:
    return [e for e in events if e["_type"] == "user"]


def message_id_of(event: dict) -> Optional[str]:
    metadata = event.get("metadata") or {}
    return metadata.get("message_id")


def bot_texts_after_each_user(events: List[dict]) -> List[Tuple[Optional[str], List[str]]]:
    """[(message id of a user event, texts of the bot events up to the next user event)]."""
    out: List[Tuple[Optional[str], List[str]]] = []
    for event in events:
        if event["_type"] == "user":
            out.append((message_id_of(event), []))
        elif event["_type"] == "bot" and out:
            out[-1][1].append(event.get("text") or "")  # as the REST reply has it
    return out


# --- a switchable TCP path to a service ------------------------------------------

class TcpForwarder:
    """Forwards a local port to a service (PostgreSQL, Redis). `cut()` makes the
    service unreachable through it - the listener closes (connection refused)
    and open connections are dropped, as when the service restarts or the
    network fails - and `restore()` brings it back. The shared service itself
    is never touched."""

    def __init__(self, name: str, target_host: str, target_port: int) -> None:
        self.name = name
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: Optional[asyncio.base_events.Server] = None
        self._writers: set = set()
        self.connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while True:
                    data = await src.read(65536)
                    if not data:
                        break
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                try:
                    dst.close()
                except Exception:  # noqa: BLE001
                    pass

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers.difference_update((writer, up_writer))

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            transport = writer.transport
            if transport is not None:
                transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        if self._server is None:
            await self.start()

    async def stop(self) -> None:
        await self.cut()


SHED_RETRIES = 20  # resends of one message told to retry (429/503 + Retry-After)


def retry_after_seconds(response: Any) -> float:
    raw = (response.headers.get("Retry-After") or "1").strip()
    return float(raw) if raw.isdigit() else 1.0


async def run_bursts(url: str, bursts: Dict[str, List[str]], request_timeout: float = 60) -> Load:
    """Sends all messages of a conversation at the same moment (a user
    double-sending, a channel retrying), every conversation at once. No resends,
    except of a message the server told to retry (429/503 + Retry-After)."""
    turns: List[Turn] = []
    started = time.monotonic()

    async def send(session: aiohttp.ClientSession, turn: Turn) -> None:
        turn.attempts = 1
        turn.sent_at = time.monotonic()
        try:
            while True:
                async with session.post(
                    url + "/webhooks/rest/webhook",
                    json={"sender": turn.sender, "message": turn.text,
                          "metadata": {"message_id": turn.message_id, "attempt": turn.attempts}},
                    timeout=aiohttp.ClientTimeout(total=request_timeout),
                ) as response:
                    body = await response.text()
                    told_to_retry = response.status in (429, 503) and response.headers.get("Retry-After")
                    if not told_to_retry or turn.attempts >= SHED_RETRIES:
                        break
                    delay = retry_after_seconds(response)
                # shed load (channels/limits.py): resend when told to, as clients must
                turn.attempts += 1
                await asyncio.sleep(delay)
            if response.status != 200:
                turn.failures.append(f"{response.status}: {body[:200]}")
                return
            data = json.loads(body)
            turn.replies = [m.get("text") or "" for m in data]
            turn.answered = bool(data)
            turn.latency = turn.total_time = time.monotonic() - turn.sent_at
            turn.upstream = response.headers.get("X-Upstream")
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            turn.failures.append(f"{type(e).__name__}: {e}")

    for sender, messages in bursts.items():
        turns.extend(Turn(sender, i, text, f"{sender}/{i}") for i, text in enumerate(messages))
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(send(session, turn) for turn in turns))
    return Load(turns=turns, wall_seconds=time.monotonic() - started)
