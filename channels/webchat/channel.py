"""The web chat: Rasa's socket.io channel, hardened, and the support page.

One channel class, `WebChatInput`, registered in `credentials.yml` by module
path. It is Rasa's `SocketIOInput` (same credentials keys, same events, channel
name `socketio`) with these differences:

* **Page:** its blueprint is mounted at `/webhooks/chat/` (`url_prefix`) and
  serves the support page (`web/chat/`), the widget file built from the pinned
  rasa-webchat package (`build/webchat/webchat.js`) and `config.json` (the
  socket path, so the page follows `credentials.yml`). The socket itself is at
  `socketio_path` (default `/socket.io`) on the same port: no second server.
* **Origins:** browsers may connect from the page's own origin and from the
  origins listed in `allowed_origins` / `WEBCHAT_ALLOWED_ORIGINS`; a `*` is
  refused at start-up. (Rasa's channel passes `cors_allowed_origins=[]`, which
  turns python-socketio's origin check off: any site could drive the bot from
  its visitors' browsers.)
* **Sessions:** with `session_persistence: true` the socket joins the
  conversation's room; Rasa 3.6 calls `AsyncServer.enter_room` without `await`
  (a coroutine since python-socketio 5.x), so with its own channel the bot's
  replies never reach a persistent session. Session ids must look like the ids
  the server hands out (32 hex digits): a client cannot pick a REST or
  WhatsApp conversation id, or an empty one.
* **Limits** (`socket_limits.py`): 4,096 characters per message (the REST
  webhook's limit), small metadata, a per-conversation and per-connection rate
  limit; over a limit the user gets a short notice in their language
  (`resources/webchat_notices.yml`) and the message does not reach the NLU.
* **Output:** bot text is sent as escaped markdown with web addresses as
  `https://` links and line breaks kept (`markdown.py`).
* **Metadata:** only the browser's `language` tag passes (the page sends
  `navigator.language`); `components.language_policy` uses it as a first hint.
"""
from __future__ import annotations

import functools
import logging
import math
import os
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

import yaml
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

import rasa.core.channels.channel
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from channels.webchat.markdown import to_widget_markdown
from channels.webchat.socket_limits import (
    MAX_MESSAGE_LENGTH, RateLimiter, RateSettings, clean_metadata, message_too_long,
)
from support.language import detect

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
PAGE_DIR = ROOT / "web" / "chat"
WIDGET_DIR = ROOT / "build" / "webchat"
NOTICES_FILE = ROOT / "resources" / "webchat_notices.yml"
URL_PREFIX = "chat"
SESSION_ID = re.compile(r"\A[0-9a-f]{32}\Z")
ORIGIN = re.compile(r"\Ahttps?://[A-Za-z0-9.-]+(:[0-9]{1,5})?\Z")
MAX_SOCKET_BUFFER_BYTES = 64 * 1024  # one engine.io packet; a 4,096-character message is far below

# file name -> (directory, content type) of what the page may load
PAGE_FILES = {
    "index.html": (PAGE_DIR, "text/html; charset=utf-8"),
    "page.js": (PAGE_DIR, "text/javascript; charset=utf-8"),
    "page.css": (PAGE_DIR, "text/css; charset=utf-8"),
    "page.json": (PAGE_DIR, "application/json"),
    "webchat.js": (WIDGET_DIR, "text/javascript; charset=utf-8"),
    "LICENSE.rasa-webchat.txt": (WIDGET_DIR, "text/plain; charset=utf-8"),
}
# The page loads only its own files and talks only to its own origin; the
# widget injects its CSS as <style> elements, hence 'unsafe-inline' for styles.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebChatSocketBlueprint(SocketBlueprint):
    """Rasa's socket blueprint, plus: Engine.IO answers the socket's CORS itself
    (the allowed origins above), so `rasa run --cors` (Sanic-CORS) must not add
    a second Access-Control-Allow-Origin to those responses; browsers refuse a
    response with two, and an embedding site's long-polling would fail."""

    def register(self, app: Any, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        path = "/" + self.ctx.socketio_path.strip("/")

        async def socketio_owns_its_cors(request: Request) -> None:
            if request.path == path or request.path.startswith(path + "/"):
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        app.register_middleware(socketio_owns_its_cors, "request")


class WebChatConfigError(ValueError):
    """A setting of the web chat channel that Rasa must not start with."""


def parse_origins(*values: Any) -> List[Text]:
    """Origins from credentials (a list or a comma-separated string) and the
    environment; refuses wildcards and anything that is not scheme://host[:port]."""
    origins: List[Text] = []
    for value in values:
        if not value:
            continue
        items: Iterable[Any] = value.split(",") if isinstance(value, str) else value
        for item in items:
            origin = str(item).strip().rstrip("/")
            if not origin:
                continue
            if "*" in origin:
                raise WebChatConfigError("web chat: a wildcard origin is not allowed; list the sites that embed the chat")
            if not ORIGIN.match(origin):
                raise WebChatConfigError(f"web chat: {origin!r} is not an origin like https://www.example.com")
            if origin not in origins:
                origins.append(origin)
    return origins


def own_origin(environ: Dict[Text, Any]) -> Optional[Text]:
    host = environ.get("HTTP_HOST")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}" if host else None


@functools.lru_cache(maxsize=1)
def _notices() -> Dict[Text, Dict[Text, Text]]:
    return yaml.safe_load(NOTICES_FILE.read_text(encoding="utf-8"))


def notice(kind: Text, text: Text, metadata: Dict[Text, Any], **values: Any) -> Text:
    """A notice in the language of the refused message (or the page's, for a
    message too short to tell)."""
    detection = detect(text[:500])
    hint = str(metadata.get("language") or "")[:2].lower()
    language = detection.language if detection.decisive or hint not in ("de", "en") else hint
    separator = "." if language == "de" else ","
    shown = {key: f"{value:,}".replace(",", separator) if isinstance(value, int) else value for key, value in values.items()}
    return _notices()[kind][language].format(**shown)


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output with bot text as safe widget markdown."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send_message(recipient_id, {"text": to_widget_markdown(part)})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        parts = text.strip().split("\n\n") or [text]
        messages: List[Dict[Text, Any]] = [{"text": to_widget_markdown(part), "quick_replies": []} for part in parts]
        messages[-1]["quick_replies"] = [
            {"content_type": "text", "title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
            for button in buttons
        ]
        for message in messages:
            await self._send_message(recipient_id, message)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Rasa's version passes the dict as keyword arguments to emit(); send it as the event's data
        await self._send_message(recipient_id, json_message)


class WebChatInput(SocketIOInput):
    """Rasa's socket.io channel with the support page, origin checks, session
    id checks and limits (see the module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WebChatInput":
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key") or os.environ.get("WEBCHAT_JWT_KEY") or None,
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "customData"),
            allowed_origins=parse_origins(credentials.get("allowed_origins"), os.environ.get("WEBCHAT_ALLOWED_ORIGINS")),
            rate=RateSettings.from_environment(),
        )

    def __init__(self, *args: Any, allowed_origins: Optional[List[Text]] = None,
                 rate: Optional[RateSettings] = None, clock: Optional[Callable[[], float]] = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_origins = parse_origins(allowed_origins)
        settings = rate or RateSettings()
        limiter_args = {"clock": clock} if clock else {}
        self.sender_limiter = RateLimiter(settings, **limiter_args)
        self.socket_limiter = RateLimiter(settings, **limiter_args)
        self._sessions: Dict[Text, Text] = {}  # socket id -> the session it asked for

    def url_prefix(self) -> Text:
        return URL_PREFIX

    def origin_allowed(self, origin: Optional[Text], environ: Optional[Dict[Text, Any]] = None) -> bool:
        if not origin:
            return True  # not a browser's cross-site request; engine.io only asks when there is one
        origin = origin.rstrip("/")
        return origin == own_origin(environ or {}) or origin in self.allowed_origins

    def get_output_channel(self) -> Optional[SocketIOOutput]:
        if self.sio is None:
            return super().get_output_channel()
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.origin_allowed,
            max_http_buffer_size=MAX_SOCKET_BUFFER_BYTES,
        )
        self.sio = sio
        webchat = WebChatSocketBlueprint(sio, self.socketio_path, "webchat", __name__)
        self._page_routes(webchat)

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if self.jwt_key:
                token = auth.get("token") if isinstance(auth, dict) else None
                payload = None
                if isinstance(token, str) and token:
                    payload = rasa.core.channels.channel.decode_bearer_token(token, self.jwt_key, self.jwt_algorithm)
                if not payload:
                    logger.info("web chat: connection %s refused (no valid JWT)", sid)
                    return False
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text, *args: Any) -> None:
            self._sessions.pop(sid, None)
            self.socket_limiter.forget(sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.match(requested) else uuid.uuid4().hex
            if requested and session_id != requested:
                logger.info("web chat: session id of the wrong form from %s replaced by a new one", sid)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            self._sessions[sid] = session_id
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            await self._handle_message(sid, data, on_new_message)

        return webchat

    async def _handle_message(self, sid: Text, data: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        sio = self.sio
        assert sio is not None
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            logger.info("web chat: message without text from %s ignored", sid)
            return
        if self.session_persistence:
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
                logger.info("web chat: message without a valid session id from %s ignored", sid)
                return
            if self._sessions.get(sid) != session_id:
                # a client that skipped session_request: join the room now
                await sio.enter_room(sid, session_id, namespace=self.namespace)
                self._sessions[sid] = session_id
            sender_id = session_id
        else:
            sender_id = sid
        text: Text = data["message"]
        metadata = clean_metadata(data.get(self.metadata_key))
        output = WebChatOutput(sio, self.bot_message_evt)

        sender_ok = self.sender_limiter.allow(sender_id)
        socket_ok = self.socket_limiter.allow(sid)
        if not (sender_ok and socket_ok):
            limiter, key = (self.sender_limiter, sender_id) if not sender_ok else (self.socket_limiter, sid)
            logger.info("web chat: message from %s over the rate limit, not handled", sender_id)
            if limiter.first_refusal(key):
                wait = max(1, math.ceil(limiter.seconds_until_next(key)))
                await output.send_text_message(sender_id, notice("slow_down", text, metadata, seconds=wait))
            return
        if message_too_long(text):
            logger.info("web chat: message of %d characters from %s refused (limit %d)", len(text), sender_id, MAX_MESSAGE_LENGTH)
            await output.send_text_message(sender_id, notice("too_long", text, metadata, limit=MAX_MESSAGE_LENGTH))
            return
        await on_new_message(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=metadata))

    def _page_routes(self, blueprint: Blueprint) -> None:
        @blueprint.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # relative links of the page need the trailing slash
                return response.redirect(request.path + "/")
            return await self._file("index.html")

        @blueprint.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/config.json", methods=["GET"])
        async def config(_: Request) -> HTTPResponse:
            return response.json({"socket_path": self.socketio_path.rstrip("/") + "/",
                                  "session_persistence": bool(self.session_persistence)},
                                 headers=SECURITY_HEADERS)

        @blueprint.route("/<name:str>", methods=["GET"])
        async def page_file(_: Request, name: Text) -> HTTPResponse:
            return await self._file(name or "index.html")

    async def _file(self, name: Text) -> HTTPResponse:
        entry = PAGE_FILES.get(name)
        if entry is None:
            return response.text("not found", status=404)
        directory, content_type = entry
        path = directory / name
        if not path.exists():
            hint = "run `make webchat`" if directory == WIDGET_DIR else "web/chat is incomplete"
            return response.text(f"{name} is missing: {hint}", status=503)
        return await response.file(path, mime_type=content_type, headers=SECURITY_HEADERS)
