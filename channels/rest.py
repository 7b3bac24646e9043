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

Hostile traffic (see the README's security section): the body is read with a
cap (``Content-Length`` checked before reading, 413); sender ids must be
printable and outside the WhatsApp namespace (``channels.identity``); with
``REST_JWT_SECRET`` set a request needs a bearer token for its sender; a
message over 4,096 characters is refused with 413 and a polite reply in the
user's language; a sender over its rate gets 429 and a channel with too many
turns in flight 503, both with ``Retry-After`` (``channels.limits``).
"""

import asyncio
import json
import logging
import os
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput

from channels import replies, server_guard
from channels.body import BodyTooLarge, mark_streaming, read_capped
from channels.identity import MAX_SENDER_LENGTH, sender_problem, token_problem
from channels.limits import Limits, RateLimiter, Slot, TurnGate, retry_after
from channels.tracker_lookup import full_tracker, replies_to
from support.log_privacy import remember_text

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = Limits().rest_max_body_bytes
MAX_MESSAGE_LENGTH = Limits().max_message_chars
ENV_JWT_SECRET = "REST_JWT_SECRET"
#: Retry-After of a 503 when the channel has too many turns in flight
BUSY_RETRY_SECONDS = 2
__all__ = ["HardenedRestInput", "MAX_SENDER_LENGTH", "RequestRejected", "validate_body"]
MAX_MESSAGE_ID_LENGTH = 128
IN_FLIGHT_WAIT_SECONDS = 30.0

# The optional ``message_id`` of the request being handled, for the wrapped
# ``on_new_message`` (set by the request middleware, same task as the handler).
_current_message_id: ContextVar[Optional[Text]] = ContextVar("rest_message_id", default=None)
_current_slot: ContextVar[Optional[Slot]] = ContextVar("rest_turn_slot", default=None)


class RequestRejected(Exception):
    """A request the REST webhook refuses; carries the HTTP status and reason."""

    def __init__(self, status: int, reason: Text, reply: Optional[Text] = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.reply = reply  # a polite text for the user, where there is one


def _reject_constant(name: Text) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def validate_body(body: Optional[bytes], limits: Optional[Limits] = None) -> Dict[Text, Any]:
    """Parses and checks a REST webhook body.

    Returns:
        The parsed JSON object.

    Raises:
        RequestRejected: with status 413 for oversized bodies or messages and 400
            for everything else that is not a usable message.
    """
    limits = limits or Limits()
    body = body or b""
    if len(body) > limits.rest_max_body_bytes:
        raise RequestRejected(413, f"body larger than {limits.rest_max_body_bytes} bytes")
    if not body.strip():
        raise RequestRejected(400, "empty body")
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
    problem = sender_problem(sender)
    if problem is not None:
        raise RequestRejected(400, problem)

    if "message" not in data or data["message"] is None:
        raise RequestRejected(400, "missing 'message'")
    message = data["message"]
    if not isinstance(message, str):
        raise RequestRejected(400, "'message' must be a string")
    if len(message) > limits.max_message_chars:
        raise RequestRejected(
            413, f"'message' longer than {limits.max_message_chars} characters",
            reply=replies.too_long(message, limits.max_message_chars),
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
    if message_id is not None and not message_id.isprintable():
        raise RequestRejected(400, "'message_id' contains control or invisible characters")
    return data


def rejection_response(rejected: RequestRejected, sender: Any = None,
                       headers: Optional[Dict[Text, Text]] = None) -> HTTPResponse:
    body: Dict[Text, Any] = {"error": rejected.reason}
    if rejected.reply:
        body["messages"] = [{"recipient_id": sender if isinstance(sender, str) else None, "text": rejected.reply}]
    return response.json(body, status=rejected.status, headers=headers)


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

    def __init__(self, limits: Optional[Limits] = None, jwt_secret: Optional[Text] = None) -> None:
        super().__init__()
        self.limits = limits or Limits.from_env()
        self.jwt_secret = os.environ.get(ENV_JWT_SECRET, "") if jwt_secret is None else jwt_secret
        self._rate = RateLimiter(self.limits.rate_per_minute, self.limits.rate_burst)
        self._gate = TurnGate(self.limits.max_turns_in_flight)
        self._in_flight: Dict[Tuple[Text, Text], asyncio.Event] = {}

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "HardenedRestInput":
        return cls()

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
            try:
                return await on_new_message(message)
            finally:
                slot = _current_slot.get()
                if slot is not None:
                    slot.release()

        custom_webhook = super().blueprint(with_message_id)
        mark_streaming(custom_webhook, "/webhook")  # the body is read by ``validate``
        server_guard.add_listener(custom_webhook, self.limits)

        @custom_webhook.middleware("request")
        async def validate(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST" or not request.path.rstrip("/").endswith(
                "/webhook"
            ):
                return None
            try:
                request.body = await read_capped(request, self.limits.rest_max_body_bytes)
            except BodyTooLarge as too_large:
                logger.info("REST webhook request rejected (413): %s", too_large)
                return response.json({"error": str(too_large)}, status=413)
            return await self._admit(request)

        @custom_webhook.middleware("response")
        async def release(request: Request, _: HTTPResponse) -> None:
            slot = getattr(request.ctx, "rest_slot", None)
            if slot is not None:
                slot.release()
            key = getattr(request.ctx, "rest_claim", None)
            if key is not None:
                self._in_flight.pop(key).set()
                request.ctx.rest_claim = None

        return custom_webhook

    async def _admit(self, request: Request) -> Optional[HTTPResponse]:
        """None when the request may go on to Rasa's handler, else the answer."""
        try:
            data = validate_body(request.body, self.limits)
        except RequestRejected as rejected:
            logger.info("REST webhook request rejected (%d): %s", rejected.status, rejected.reason)
            return rejection_response(rejected, _sender_of(request.body) if rejected.reply else None)
        sender = data["sender"]
        problem = token_problem(self.jwt_secret, request.headers.get("authorization"), sender)
        if problem is not None:
            logger.info("REST webhook request for %s rejected (%d): %s", sender, *problem)
            return response.json({"error": problem[1]}, status=problem[0])
        wait = self._rate.take(sender)
        if wait > 0:
            logger.info("REST sender %s over its rate limit; told to retry in %.1f s.", sender, wait)
            return response.json({"error": "too many messages from this sender"}, status=429,
                                 headers={"Retry-After": retry_after(wait)})
        slot = self._gate.try_enter()
        if slot is None:
            logger.warning("REST webhook busy (%d turns in flight); message from %s refused with 503.",
                           self._gate.in_flight, sender)
            return response.json({"error": "server busy"}, status=503,
                                 headers={"Retry-After": retry_after(BUSY_RETRY_SECONDS)})
        request.ctx.rest_slot = slot
        _current_slot.set(slot)
        # hand the validated object to RestInput (``request.json``)
        request.parsed_json = data
        _current_message_id.set(data.get("message_id"))
        if data.get("message_id"):
            return await self._replay_or_claim(request, sender, data["message_id"])
        return None

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



def _sender_of(body: Optional[bytes]) -> Optional[Text]:
    try:
        sender = json.loads(body or b"").get("sender")
    except (ValueError, AttributeError, RecursionError):
        return None
    return sender if isinstance(sender, str) and sender_problem(sender) is None else None
