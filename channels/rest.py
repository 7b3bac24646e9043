"""The REST webhook for web and app front ends, with input validation.

Rasa's built-in ``RestInput`` (measured on Rasa 3.6) lets through requests it
cannot handle sensibly: a body without ``sender`` is filed under the shared
conversation "default", JSON that is not an object or an empty body end in a 500,
and non-string messages, huge bodies or non-object metadata go straight into the
dialogue. ``HardenedRestInput`` rejects all of these with a 4xx and a JSON error
body ``{"error": "..."}``; valid requests are handled by ``RestInput`` unchanged.

A client that retries (a timeout, a replica that died mid-request) may send an
optional ``message_id``: a message whose id the tracker store already holds is
not handled again, the answers it got are sent back instead; a retry that
arrives while the first is still running waits for it (in this process).
"""

import asyncio
import json
import logging
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput

from channels.tracker_lookup import full_tracker, replies_to
from support.log_privacy import remember_text

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
MAX_SENDER_LENGTH = 128
MAX_MESSAGE_LENGTH = 4096
MAX_MESSAGE_ID_LENGTH = 128
IN_FLIGHT_WAIT_SECONDS = 30.0

# The optional ``message_id`` of the request being handled, for the wrapped
# ``on_new_message`` (set by the request middleware, same task as the handler).
_current_message_id: ContextVar[Optional[Text]] = ContextVar("rest_message_id", default=None)


class RequestRejected(Exception):
    """A request the REST webhook refuses; carries the HTTP status and reason."""

    def __init__(self, status: int, reason: Text) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _reject_constant(name: Text) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def validate_body(body: Optional[bytes]) -> Dict[Text, Any]:
    """Parses and checks a REST webhook body.

    Returns:
        The parsed JSON object.

    Raises:
        RequestRejected: with status 413 for oversized bodies or messages and 400
            for everything else that is not a usable message.
    """
    body = body or b""
    if not body.strip():
        raise RequestRejected(400, "empty body")
    if len(body) > MAX_BODY_BYTES:
        raise RequestRejected(413, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise RequestRejected(400, "body is not valid JSON")
    if not isinstance(data, dict):
        raise RequestRejected(400, "JSON body must be an object")
    try:
        # lone surrogates ("\ud800") parse, but cannot be stored or answered
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError):
        raise RequestRejected(400, "body contains invalid unicode")

    sender = data.get("sender")
    if sender is None:
        raise RequestRejected(400, "missing 'sender'")
    if not isinstance(sender, str):
        raise RequestRejected(400, "'sender' must be a string")
    if not sender.strip():
        raise RequestRejected(400, "'sender' must not be empty")
    if len(sender) > MAX_SENDER_LENGTH:
        raise RequestRejected(
            400, f"'sender' longer than {MAX_SENDER_LENGTH} characters"
        )

    if "message" not in data or data["message"] is None:
        raise RequestRejected(400, "missing 'message'")
    message = data["message"]
    if not isinstance(message, str):
        raise RequestRejected(400, "'message' must be a string")
    if len(message) > MAX_MESSAGE_LENGTH:
        raise RequestRejected(
            413, f"'message' longer than {MAX_MESSAGE_LENGTH} characters"
        )

    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestRejected(400, "'metadata' must be an object")
    input_channel = data.get("input_channel")
    if input_channel is not None and not isinstance(input_channel, str):
        raise RequestRejected(400, "'input_channel' must be a string")
    message_id = data.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not message_id.strip()):
        raise RequestRejected(400, "'message_id' must be a non-empty string")
    if message_id is not None and len(message_id) > MAX_MESSAGE_ID_LENGTH:
        raise RequestRejected(400, f"'message_id' longer than {MAX_MESSAGE_ID_LENGTH} characters")
    return data


class HardenedRestInput(RestInput):
    """Rasa's REST channel with the request body validated first.

    Why a subclass rather than checks in front of the channel: Rasa builds the
    Sanic app itself from ``credentials.yml``, and the channel class is the one
    hook a project has into that request path. Checks in front (a reverse proxy,
    or middleware patched into Rasa's app) would depend on the deployment, be
    absent in local runs and tests, and could drift from what the channel really
    accepts. The subclass keeps the name ``rest`` (so the URL stays
    ``/webhooks/rest/webhook``), reuses ``RestInput``'s handler unchanged
    (``collector`` semantics, ``?stream=true``, later Rasa fixes), and adds the
    validation as request middleware scoped to this blueprint: it runs before
    ``RestInput`` touches ``request.json`` and hands it the parsed object, so the
    validator and the handler see the very same data.

    Do not list the built-in ``rest:`` channel next to this one in
    ``credentials.yml``: both would claim ``/webhooks/rest``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._in_flight: Dict[Tuple[Text, Text], asyncio.Event] = {}

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        async def with_message_id(message: UserMessage) -> Any:
            remember_text(message.text)  # never in a log line (support/log_privacy.py)
            message_id = _current_message_id.get()
            if message_id:
                message.message_id = message_id
            return await on_new_message(message)

        custom_webhook = super().blueprint(with_message_id)

        @custom_webhook.middleware("request")
        async def validate(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST" or not request.path.rstrip("/").endswith(
                "/webhook"
            ):
                return None
            data, rejection = self.check(request)
            if rejection is not None:
                status, reason = rejection
                logger.info("REST webhook request rejected (%d): %s", status, reason)
                return response.json({"error": reason}, status=status)
            # hand the validated object to RestInput (``request.json``)
            request.parsed_json = data
            _current_message_id.set(data.get("message_id"))
            if data.get("message_id"):
                return await self._replay_or_claim(request, data["sender"], data["message_id"])
            return None

        @custom_webhook.middleware("response")
        async def release(request: Request, _: HTTPResponse) -> None:
            key = getattr(request.ctx, "rest_claim", None)
            if key is not None:
                self._in_flight.pop(key).set()
                request.ctx.rest_claim = None

        return custom_webhook

    async def _replay_or_claim(self, request: Request, sender: Text, message_id: Text) -> Optional[HTTPResponse]:
        """The stored answers of a message seen before; else None, with the
        message claimed so that a concurrent retry waits for it."""
        key = (sender, message_id)
        running = self._in_flight.get(key)
        if running is not None:
            try:
                await asyncio.wait_for(running.wait(), IN_FLIGHT_WAIT_SECONDS)
            except asyncio.TimeoutError:
                logger.warning("REST message %s still running after %.0f s; answering the retry anyway.",
                               message_id, IN_FLIGHT_WAIT_SECONDS)
        replies = replies_to(await full_tracker(request.app, sender), message_id, sender)
        if replies is not None:
            logger.info("REST message %s from %s was handled before; its answers are sent again.", message_id, sender)
            return response.json(replies)
        if key not in self._in_flight:
            self._in_flight[key] = asyncio.Event()
            request.ctx.rest_claim = key
        return None

    @staticmethod
    def check(
        request: Request,
    ) -> Tuple[Optional[Dict[Text, Any]], Optional[Tuple[int, Text]]]:
        """Returns (parsed body, None) or (None, (status, reason))."""
        try:
            return validate_body(request.body), None
        except RequestRejected as rejected:
            return None, (rejected.status, rejected.reason)
