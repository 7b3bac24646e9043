"""The input channel ``WhatsAppInput`` and its Sanic blueprint (the webhook)."""

import asyncio
import hmac
import json
import logging
import os
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage

from channels import replay, replies, server_guard
from channels.body import BodyTooLarge, read_capped
from channels.identity import printable
from channels.limits import Limits, RateLimiter, retry_after
from channels.tracker_lookup import full_tracker, has_user_message
from channels.whatsapp.freshness import is_stale
from channels.whatsapp.graph_api import GraphApiClient
from channels.whatsapp.ordering import _PerSenderRunner, _RecentIds
from channels.whatsapp.output import WhatsAppOutput
from channels.whatsapp.payload import InboundMessage, parse_webhook
from channels.whatsapp.security import (
    SIGNATURE_HEADER,
    message_key,
    pseudonymize,
    signature_is_valid,
)
from channels.whatsapp.settings import CHANNEL_NAME, WhatsAppSettings
from support.language import phone_language
from support.log_privacy import remember_text

logger = logging.getLogger(__package__)  # "channels.whatsapp" in every module

MAX_WA_ID_LENGTH = 32  # phone numbers in international format are at most 15 digits
#: Retry-After of a 503 when too many messages wait in this process
BUSY_RETRY_SECONDS = 5
#: How long a claimed message id stays claimed in Redis beyond the age window
CLAIM_MARGIN_SECONDS = 3600


def _json_error(message: Text, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class WhatsAppInput(InputChannel):
    """Rasa input channel for the WhatsApp Cloud API (see the package docstring)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(
        cls, credentials: Optional[Dict[Text, Any]]
    ) -> "WhatsAppInput":
        settings = WhatsAppSettings.load(os.environ, credentials)
        if settings is None:
            logger.info(
                "WhatsApp channel inactive: no WHATSAPP_* settings found; "
                "/webhooks/whatsapp/webhook answers 404."
            )
        return cls(settings)

    def __init__(
        self,
        settings: Optional[WhatsAppSettings] = None,
        *,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        http_timeout: float = 10.0,
        dedup_capacity: int = 10_000,
        limits: Optional[Limits] = None,
    ) -> None:
        self.settings = settings
        self.limits = limits or Limits.from_env()
        self._recent = _RecentIds(dedup_capacity)
        self._runner = _PerSenderRunner()
        self._rate = RateLimiter(self.limits.rate_per_minute, self.limits.rate_burst)
        # pseudonym -> time (the rate limiter's clock) until which no second "slow down" is sent
        self._warned_until: "OrderedDict[Text, float]" = OrderedDict()
        self._turns: Optional[asyncio.Semaphore] = None
        self.client: Optional[GraphApiClient] = None
        # an erasure in this server forgets the conversation's message ids
        from components.privacy_store import on_erasure

        on_erasure(self.forget_conversation)
        if settings is not None:
            self.client = GraphApiClient(
                settings,
                max_attempts=max_attempts,
                backoff_base=backoff_base,
                backoff_max=backoff_max,
                timeout=http_timeout,
            )
            if settings.missing_optional:
                logger.warning(
                    "WhatsApp channel active but %s not set: %s.",
                    " / ".join(settings.missing_optional),
                    "the verification handshake fails without the verify token, "
                    "replies fail without the access token, and without the phone "
                    "number id replies go out from the number that received the "
                    "message",
                )
            else:
                logger.info("WhatsApp channel active.")

    @property
    def active(self) -> bool:
        return self.settings is not None

    @property
    def pseudonym_key(self) -> Text:
        assert self.settings is not None
        return self.settings.pseudonym_key or self.settings.app_secret

    def pseudonym(self, wa_id: Text) -> Text:
        return pseudonymize(wa_id, self.pseudonym_key)

    def forget_conversation(self, sender_id: Text) -> None:
        """Forgets the duplicate-check keys of an erased conversation."""
        forgotten = self._recent.forget(sender_id)
        if forgotten:
            logger.info("WhatsApp: %d message ids of erased conversation %s forgotten.", forgotten, sender_id)

    def get_output_channel(self) -> Optional[OutputChannel]:
        # The pseudonymous conversation id cannot be mapped back to a phone
        # number, so there is no output channel outside an incoming message.
        return None

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        """Waits until all queued messages and read receipts are handled."""
        await self._runner.wait_idle(timeout)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    # -- request handling ---------------------------------------------------

    def _verify(self, request: Request) -> HTTPResponse:
        assert self.settings is not None
        mode = request.args.get("hub.mode")
        token = request.args.get("hub.verify_token") or ""
        challenge = request.args.get("hub.challenge")
        expected = self.settings.verify_token
        token_ok = bool(expected) and hmac.compare_digest(
            expected.encode("utf-8"), token.encode("utf-8", "surrogatepass")
        )
        if mode == "subscribe" and token_ok and challenge is not None:
            logger.info("WhatsApp webhook verified by Meta.")
            return response.text(challenge)
        logger.warning("WhatsApp webhook verification refused.")
        return _json_error("verification failed", 403)

    def _enqueue(
        self,
        app: Any,
        message: InboundMessage,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        assert self.settings is not None and self.client is not None
        if len(message.wa_id) > MAX_WA_ID_LENGTH or not printable(message.wa_id):
            logger.warning("WhatsApp message with a malformed sender id ignored.")
            return
        pseudonym = self.pseudonym(message.wa_id)
        configured = self.settings.phone_number_id
        if configured and message.phone_number_id and message.phone_number_id != configured:
            logger.info(
                "WhatsApp message for another business number ignored (from %s).",
                pseudonym,
            )
            return
        key = message_key(message.message_id, self.pseudonym_key)
        if is_stale(message.timestamp, self.limits.whatsapp_max_age_seconds):
            logger.info(
                "WhatsApp message %s from %s is older than %.0f s; acknowledged, not answered.",
                key, pseudonym, self.limits.whatsapp_max_age_seconds,
            )
            return
        if not self._recent.add(key, pseudonym):
            logger.info(
                "WhatsApp message %s from %s redelivered; answered once only.",
                key,
                pseudonym,
            )
            return
        phone_number_id = configured or message.phone_number_id or ""
        output = WhatsAppOutput(self.client, message.wa_id, phone_number_id, pseudonym)

        wait = self._rate.take(pseudonym)
        if wait > 0:
            self._over_rate(app, message, key, pseudonym, output, wait)
            return
        if len(message.text) > self.limits.max_message_chars:
            logger.info(
                "WhatsApp message %s from %s has %d characters (limit %d); answered politely, "
                "not given to the dialogue.",
                key, pseudonym, len(message.text), self.limits.max_message_chars,
            )
            text = replies.too_long(message.text, self.limits.max_message_chars)

            async def polite() -> None:
                await self._reply_only(app, message, key, output, text, read=True)

            self._runner.submit(pseudonym, polite)
            return

        async def job() -> None:
            await self._process(
                app, message, key, pseudonym, output, on_new_message
            )

        self._runner.submit(pseudonym, job)

    def _over_rate(self, app: Any, message: InboundMessage, key: Text, pseudonym: Text,
                   output: WhatsAppOutput, wait: float) -> None:
        """A message over the sender's rate: logged; one "slow down" reply per
        flood (not again until the sender kept within the rate for as long as
        an empty bucket takes to fill up)."""
        now = self._rate.now()
        quiet_after = now + max(wait, self._rate.refill_seconds)
        if now < self._warned_until.get(pseudonym, 0.0):
            self._warned_until[pseudonym] = quiet_after  # the flood goes on
            logger.info("WhatsApp message %s from %s over the rate limit; not answered "
                        "(asked to slow down already).", key, pseudonym)
            return
        self._warned_until[pseudonym] = quiet_after
        self._warned_until.move_to_end(pseudonym)
        while len(self._warned_until) > self._recent.capacity:
            self._warned_until.popitem(last=False)
        logger.info("WhatsApp message %s from %s over the rate limit; asked to slow down "
                    "(next answer in %.0f s).", key, pseudonym, wait)
        text = replies.slow_down(message.text, wait)

        async def polite() -> None:
            await self._reply_only(app, message, key, output, text, read=False)

        self._runner.submit(pseudonym, polite)

    async def _reply_only(self, app: Any, message: InboundMessage, key: Text,
                          output: WhatsAppOutput, text: Text, read: bool) -> None:
        """Sends a reply of the channel's own, without the dialogue."""
        if not await self._claim(app, key):
            return
        if read:
            self._runner.spawn(output.mark_as_read(message.message_id))
        await output.send_text_message(output.pseudonym, text)

    async def _claim(self, app: Any, key: Text) -> bool:
        ttl = (self.limits.whatsapp_max_age_seconds or 7 * 24 * 3600) + CLAIM_MARGIN_SECONDS
        if await replay.claim(app, key, ttl):
            return True
        logger.info("WhatsApp message %s is handled by another replica; not answered here.", key)
        return False

    def _turn_gate(self) -> Optional[asyncio.Semaphore]:
        if self._turns is None and self.limits.max_turns_in_flight:
            self._turns = asyncio.Semaphore(self.limits.max_turns_in_flight)
        return self._turns

    async def _already_handled(self, app: Any, sender_id: Text, message_id: Text) -> bool:
        """Whether the tracker store already holds a user message with that id."""
        return has_user_message(await full_tracker(app, sender_id), message_id)

    async def _process(
        self,
        app: Any,
        message: InboundMessage,
        key: Text,
        pseudonym: Text,
        output: WhatsAppOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        assert self.client is not None
        if not await self._claim(app, key):
            return
        if await self._already_handled(app, pseudonym, key):
            logger.info(
                "WhatsApp message %s from %s already in the tracker store; "
                "not answered again.",
                key,
                pseudonym,
            )
            return

        self._runner.spawn(output.mark_as_read(message.message_id))

        metadata: Dict[Text, Any] = {"message_type": message.message_type}
        if message.profile_name and self.settings.store_profile_name:
            metadata["profile_name"] = message.profile_name[:128]
        if message.reply_title:
            metadata["reply_title"] = message.reply_title[:128]
        if message.timestamp:
            metadata["timestamp"] = message.timestamp[:32]

        remember_text(message.text)  # never in a log line (support/log_privacy.py)
        logger.debug(
            "WhatsApp %s message %s from %s.",
            message.message_type,
            key,
            pseudonym,
        )
        gate = self._turn_gate()
        try:
            if gate is not None:
                await gate.acquire()
            try:
                await on_new_message(
                    UserMessage(
                        message.text,
                        output,
                        pseudonym,
                        input_channel=self.name(),
                        message_id=key,
                        metadata={"whatsapp": metadata, "language": phone_language(message.wa_id)},
                    )
                )
            finally:
                if gate is not None:
                    gate.release()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception(
                "Handling WhatsApp message %s from %s failed.",
                key,
                pseudonym,
            )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        whatsapp_webhook = Blueprint("whatsapp_webhook", __name__)
        server_guard.add_listener(whatsapp_webhook, self.limits)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.active else "inactive"})

        @whatsapp_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.active:
                return _json_error("whatsapp channel not configured", 404)
            return self._verify(request)

        @whatsapp_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.active:
                return _json_error("whatsapp channel not configured", 404)
            assert self.settings is not None
            try:  # bounded before the signature is computed over it
                body = await read_capped(request, self.limits.whatsapp_max_body_bytes)
            except BodyTooLarge as too_large:
                logger.warning("WhatsApp webhook post refused (413): %s.", too_large)
                return _json_error(str(too_large), 413)
            if not signature_is_valid(
                self.settings.app_secret, body, request.headers.get(SIGNATURE_HEADER)
            ):
                logger.warning("WhatsApp webhook post with missing or wrong signature refused.")
                return _json_error("invalid signature", 403)
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError):
                return _json_error("body is not valid JSON", 400)
            try:
                messages = parse_webhook(payload, self.pseudonym_key)
                queued = self._runner.pending
                if self.limits.whatsapp_max_queued and queued + len(messages) > self.limits.whatsapp_max_queued:
                    logger.warning(
                        "WhatsApp webhook busy (%d messages waiting); delivery refused with 503, "
                        "Meta delivers it again later.", queued,
                    )
                    return response.json({"error": "busy"}, status=503,
                                         headers={"Retry-After": retry_after(BUSY_RETRY_SECONDS)})
                for message in messages:
                    self._enqueue(request.app, message, on_new_message)
            except Exception:
                logger.exception("Unexpected WhatsApp webhook payload ignored.")
                return response.json({"status": "ignored"})
            return response.json({"status": "ok", "messages": len(messages)})

        @whatsapp_webhook.listener("before_server_stop")
        async def finish(app: Any, loop: Any) -> None:
            try:
                await self.wait_idle(timeout=10)
            except asyncio.TimeoutError:
                logger.warning("WhatsApp messages still pending at shutdown.")
            await self.close()

        return whatsapp_webhook
