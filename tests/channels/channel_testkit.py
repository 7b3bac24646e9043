"""Test helpers for the channel tests: a fake Graph API, a live Sanic server and
a small responder standing in for the Rasa agent.

Everything here talks real HTTP on free localhost ports.
"""

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple

import aiohttp
from aiohttp import web
from sanic import Sanic

from channels.whatsapp import WhatsAppSettings
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

FIXTURES = Path(__file__).parent / "fixtures"
GRAPH_VERSION = "v21.0"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PSEUDONYM_KEY = "test-pseudonym-key"
PHONE_NUMBER_ID = "106540352242922"  # the business number of Meta's samples
USER_WA_ID = "16505551234"  # the user of Meta's samples
OTHER_WA_ID = "16315551181"


def load_fixture(name: str) -> Dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def whatsapp_settings(*, api_base: str, **overrides: Any) -> WhatsAppSettings:
    """Channel settings with the test credentials that send to ``api_base`` (the
    fake Graph API's); any other setting can be overridden."""
    values: Dict[str, Any] = dict(
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        api_base=api_base,
    )
    values.update(overrides)
    return WhatsAppSettings(**values)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def text_payload(
    text: str, message_id: str, wa_id: str = USER_WA_ID, name: str = "Sheena Nelson"
) -> Dict[str, Any]:
    """A text message delivery in the shape of Meta's sample."""
    payload = load_fixture("text")
    value = payload["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = wa_id
    value["contacts"][0]["profile"]["name"] = name
    message = value["messages"][0]
    message["from"] = wa_id
    message["id"] = message_id
    message["text"]["body"] = text
    message["timestamp"] = str(int(time.time()))  # fresh: older messages are not answered
    return payload


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


# --------------------------------------------------------------------------
# Fake Graph API
# --------------------------------------------------------------------------


@dataclass
class GraphRequest:
    path: str
    phone_number_id: str
    version: str
    authorization: Optional[str]
    body: Any
    at: float = field(default_factory=time.monotonic)
    status: int = 200  # what the fake answered

    @property
    def is_read_receipt(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("status") == "read"


class FakeGraphApi:
    """A real HTTP server imitating ``POST /{version}/{phone_number_id}/messages``.

    It records every request and answers 200 with a message id, unless told to
    fail the next requests (``fail_next``), optionally only for one recipient.
    """

    def __init__(self) -> None:
        self.requests: List[GraphRequest] = []
        self._plan: Deque[Tuple[int, Dict[str, Any], Optional[str], Dict[str, str]]] = deque()
        self._runner: Optional[web.AppRunner] = None
        self.port: Optional[int] = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/{GRAPH_VERSION}"

    def fail_next(
        self,
        status: int,
        code: Optional[int] = None,
        message: str = "error",
        times: int = 1,
        only_to: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        body: Dict[str, Any] = {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code if code is not None else status,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": "AbCdEfGhIjK",
            }
        }
        for _ in range(times):
            self._plan.append((status, body, only_to, headers or {}))

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        recorded = GraphRequest(
            path=request.path,
            phone_number_id=request.match_info["phone_number_id"],
            version=request.match_info["version"],
            authorization=request.headers.get("Authorization"),
            body=body,
        )
        self.requests.append(recorded)
        to = body.get("to") if isinstance(body, dict) else None
        for index, (status, error, only_to, headers) in enumerate(self._plan):
            if only_to is None or only_to == to:
                del self._plan[index]
                recorded.status = status
                return web.json_response(error, status=status, headers=headers)
        if isinstance(body, dict) and body.get("status") == "read":
            return web.json_response({"success": True})
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.fake{len(self.requests)}"}],
            }
        )

    async def start(self) -> "FakeGraphApi":
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- inspection -------------------------------------------------------

    def messages(self, to: Optional[str] = None) -> List[GraphRequest]:
        """Message send attempts (not read receipts), optionally for one recipient."""
        return [
            r
            for r in self.requests
            if not r.is_read_receipt
            and (to is None or (isinstance(r.body, dict) and r.body.get("to") == to))
        ]

    def texts(self, to: Optional[str] = None) -> List[str]:
        """Texts the fake accepted (what the user gets to see)."""
        return [
            r.body["text"]["body"]
            for r in self.messages(to)
            if r.status == 200 and isinstance(r.body, dict) and r.body.get("type") == "text"
        ]

    def read_receipts(self) -> List[str]:
        return [r.body["message_id"] for r in self.requests if r.is_read_receipt]

    async def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"condition not met within {timeout}s; requests: "
                    f"{[r.body for r in self.requests]}"
                )
            await asyncio.sleep(0.01)


# --------------------------------------------------------------------------
# Responder standing in for the Rasa agent
# --------------------------------------------------------------------------

LONG_REPLY = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 80 + "\n\n") * 3

BUTTONS = [
    {"title": "Garantie prüfen lassen", "payload": '/check_warranty{"product":"phone"}'},
    {"title": "Nein", "payload": "/deny"},
]
MANY_BUTTONS = [
    {"title": f"Land Nummer {i} mit sehr langem Namen", "payload": f'/inform{{"country":"c{i}"}}'}
    for i in range(12)
]


class EchoBot:
    """A small real responder with the ``on_new_message`` signature.

    It echoes text, answers a German or English greeting in that language, sends
    buttons for "buttons", a list for "many buttons", a long text for "long" and
    the non-text answer for "/non_text". With a tracker store it records each
    user message like Rasa does (``UserUttered`` with the message id).
    """

    def __init__(self, tracker_store: Any = None) -> None:
        self.received: List[UserMessage] = []
        self.tracker_store = tracker_store
        self.gates: Dict[str, asyncio.Event] = {}
        self.delay = 0.0

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.tracker_store is not None:
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            tracker.update(
                UserUttered(
                    message.text,
                    input_channel=message.input_channel,
                    message_id=message.message_id,
                )
            )
            await self.tracker_store.save(tracker)
        if message.text in self.gates:
            await self.gates[message.text].wait()
        if self.delay:
            await asyncio.sleep(self.delay)

        out, sender, text = message.output_channel, message.sender_id, message.text or ""
        if text == "/non_text":
            reply = {"text": "Sorry, I can only read text messages. Ask me about warranty or support."}
        elif text == "buttons":
            reply = {"text": "Was möchtest du tun?", "buttons": list(BUTTONS)}
        elif text == "many buttons":
            reply = {"text": "Welches Land?", "buttons": list(MANY_BUTTONS)}
        elif text == "long":
            reply = {"text": LONG_REPLY}
        elif text.lower() in ("hallo", "moin", "servus"):
            reply = {"text": "Hallo! Wie kann ich dir helfen?"}
        elif text.lower() in ("hi", "hello"):
            reply = {"text": "Hi! How can I help you?"}
        else:
            reply = {"text": f"echo: {text}"}
        if "buttons" in reply:
            await out.send_response(sender, dict(reply))  # send_response pops its keys
        else:
            await out.send_text_message(sender, reply["text"])
        if self.tracker_store is not None:  # what Rasa stores after answering
            tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
            tracker.update(BotUttered(reply["text"], {k: v for k, v in reply.items() if k != "text"}))
            await self.tracker_store.save(tracker)

    def texts(self) -> List[str]:
        return [m.text for m in self.received]


# --------------------------------------------------------------------------
# Live Sanic server
# --------------------------------------------------------------------------


# Several Sanic apps start in one process (one per test). Sanic's TouchUp rewrites
# its protocol classes in place on every start and only keeps the originals to
# start from again in test mode (what sanic-testing does as well).
Sanic.test_mode = True


class LiveServer:
    """Serves channel blueprints on a real Sanic app on a free localhost port,
    mounted like Rasa does (``/webhooks/<channel name>``)."""

    def __init__(
        self,
        channels: List[InputChannel],
        handler: Optional[Callable],
        app: Optional[Sanic] = None,
    ) -> None:
        if app is None:
            app = Sanic(f"channel_test_{uuid.uuid4().hex}")
            for channel in channels:
                app.blueprint(
                    channel.blueprint(handler),
                    url_prefix=f"/webhooks/{channel.url_prefix()}",
                )
        self.app = app
        self.app.config.ACCESS_LOG = False
        self._server: Any = None
        self.port: Optional[int] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, channel: str) -> str:
        return f"{self.base_url}/webhooks/{channel}/webhook"

    async def start(self) -> "LiveServer":
        sock = free_socket()
        self.port = sock.getsockname()[1]
        self._server = await self.app.create_server(
            sock=sock, return_asyncio_server=True, access_log=False
        )
        # (``create_server`` already awaited the asyncio server: it is listening)
        await self._server.startup()
        await self._server.before_start()
        await self._server.after_start()
        return self

    async def stop(self) -> None:
        if self._server is None:
            return
        await self._server.before_stop()
        self._server.close()
        await self._server.wait_closed()
        await self._server.after_stop()
        self._server = None


async def post(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    signature: Optional[str] = None,
    content_type: str = "application/json",
) -> Tuple[int, Any, float]:
    """POSTs raw bytes; returns (status, parsed JSON or text, seconds taken)."""
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    started = time.monotonic()
    async with session.post(url, data=body, headers=headers) as resp:
        raw = await resp.read()
        elapsed = time.monotonic() - started
        try:
            parsed: Any = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return resp.status, parsed, elapsed


class ThreadedHarness:
    """Runs an event loop in a background thread (for synchronous tests such as
    hypothesis property tests) and executes coroutines on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


def running_graph_api() -> Iterator[FakeGraphApi]:
    """A fake Graph API on loopback for as long as the generator runs (a fixture's body)."""
    harness = ThreadedHarness()
    fake = FakeGraphApi()
    harness.run(fake.start())
    try:
        yield fake
    finally:
        harness.run(fake.stop())
        harness.close()


def whatsapp_env(graph: FakeGraphApi, pseudonym_key: str = PSEUDONYM_KEY) -> Dict[str, str]:
    """The WhatsApp channel's settings for a real bot talking to the fake Graph API."""
    return {
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE": graph.api_base,
        "WHATSAPP_PSEUDONYM_KEY": pseudonym_key,
    }
