"""WhatsApp Cloud API (Meta Graph API) channel for Rasa 3.6.

Rasa ships no connector for the Cloud API, so this module provides one:

* ``WhatsAppInput`` -- the input channel. Its name is ``whatsapp``, so Rasa serves
  the webhook at ``/webhooks/whatsapp/webhook``:

  - ``GET``: Meta's verification handshake (``hub.mode=subscribe``,
    ``hub.verify_token``, ``hub.challenge``): the challenge is echoed when the
    token matches, anything else is 403.
  - ``POST``: the ``X-Hub-Signature-256`` header (HMAC-SHA256 of the raw body,
    keyed with the app secret) is checked first, in constant time; a missing or
    wrong signature is 403 and nothing is processed. A signed delivery is
    acknowledged with 200 at once; its user messages are handled in background
    tasks, in order per sender, without one conversation blocking another.
    Status updates (sent/delivered/read/failed) never reach the dialogue.
    Non-text messages reach Rasa as the text ``/non_text`` (intent ``non_text``).
    Interactive replies (reply buttons, list rows) reach Rasa as the ``id`` of the
    chosen button or row, i.e. the payload of the Rasa button.
  - Meta redelivers webhooks it thinks failed. A WhatsApp message id (``wamid``)
    is handled once: its keyed pseudonym (see Privacy) is Rasa's ``message_id``;
    it is remembered in a bounded in-memory set and, before a message is
    processed, looked up among the ``UserUttered`` events of the conversation in
    the agent's tracker store (so a persistent tracker store makes idempotency
    survive a restart).

* ``WhatsAppOutput`` -- the output channel that answers through
  ``POST {api_base}/{phone_number_id}/messages`` with the bearer token: text
  (split above 4,096 characters), Rasa buttons as interactive reply buttons
  (up to 3) or as an interactive list (more than 3), images by link, and the
  read receipt of the incoming message. Failed sends are logged with Meta's error
  code; 429/5xx and the throughput errors (e.g. 130429) are retried with
  exponential backoff a bounded number of times, other 4xx (e.g. 131047, the
  closed 24-hour window) are not retried.

Privacy: the phone number (``wa_id``) is not the Rasa conversation id. Rasa sees
``"wa-" + HMAC-SHA256(pseudonym key, wa_id)[:32]``; the number itself is kept only
inside the ``WhatsAppOutput`` instance that sends the reply, and it is never
logged (log lines use the pseudonym). A ``wamid`` is base64 that contains the
sender's number, so it is not stored either: Rasa's ``message_id`` is
``"wamsg-" + HMAC-SHA256(pseudonym key, wamid)[:32]``, stable across
redeliveries; the ``wamid`` itself only goes back to Meta in the read receipt.

Settings come from the environment (``.env`` is loaded by the launcher):
``WHATSAPP_VERIFY_TOKEN``, ``WHATSAPP_APP_SECRET``, ``WHATSAPP_ACCESS_TOKEN``,
``WHATSAPP_PHONE_NUMBER_ID``, ``WHATSAPP_API_BASE`` (default
``https://graph.facebook.com/v21.0``) and ``WHATSAPP_PSEUDONYM_KEY`` (defaults to
the app secret). With none of them set the channel stays registered but inactive
(the webhook answers 404). With some set but no app secret, Rasa refuses to
start: an unsigned webhook must never be accepted.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import os
import random
import re
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import (
    Any,
    Awaitable,
    Callable,
    Deque,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Set,
    Text,
    Tuple,
)

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

CHANNEL_NAME = "whatsapp"
DEFAULT_API_BASE = "https://graph.facebook.com/v21.0"

#: Text given to Rasa for every message that is not text or an interactive reply.
#: The domain maps it to the intent ``non_text``.
NON_TEXT_MESSAGE = "/non_text"

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
PSEUDONYM_PREFIX = "wa-"
PSEUDONYM_HEX_LENGTH = 32
MESSAGE_KEY_PREFIX = "wamsg-"

# Limits of the Cloud API send endpoint.
MAX_TEXT_LENGTH = 4096
MAX_INTERACTIVE_BODY_LENGTH = 1024
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE_LENGTH = 20
MAX_BUTTON_ID_LENGTH = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE_LENGTH = 24
MAX_ROW_ID_LENGTH = 200
MAX_ROW_DESCRIPTION_LENGTH = 72
MAX_LIST_BUTTON_LENGTH = 20
#: Label of the button that opens a list message (the bot is bilingual and the
#: output channel does not know the language; a response can override it with
#: ``metadata: {list_button: "..."}``).
DEFAULT_LIST_BUTTON = "Optionen / Options"

# Graph API error codes.
ERROR_RATE_LIMIT = 130429  # Cloud API throughput reached
ERROR_PAIR_RATE_LIMIT = 131056  # too many messages to the same user
ERROR_SOMETHING_WENT_WRONG = 131000
ERROR_REENGAGEMENT_WINDOW = 131047  # more than 24 h since the user last wrote
#: Codes for which waiting and sending again can help (besides HTTP 429 and 5xx).
RETRYABLE_ERROR_CODES = frozenset(
    {1, 2, ERROR_RATE_LIMIT, ERROR_PAIR_RATE_LIMIT, ERROR_SOMETHING_WENT_WRONG}
)
ERROR_HINTS = {
    ERROR_RATE_LIMIT: "rate limit hit (Cloud API throughput)",
    ERROR_PAIR_RATE_LIMIT: "pair rate limit hit (too many messages to this user)",
    ERROR_REENGAGEMENT_WINDOW: (
        "re-engagement message: the 24-hour customer service window is closed, "
        "only a template message can be sent"
    ),
}

# Message types that are bookkeeping, not something the user said.
_IGNORED_MESSAGE_TYPES = frozenset({"system", "request_welcome"})

_LONG_DIGITS = re.compile(r"\+?\d[\d ]{6,}\d")
_WAMID = re.compile(r"wamid\.[A-Za-z0-9+/=_\-]+")

ENV_VERIFY_TOKEN = "WHATSAPP_VERIFY_TOKEN"
ENV_APP_SECRET = "WHATSAPP_APP_SECRET"
ENV_ACCESS_TOKEN = "WHATSAPP_ACCESS_TOKEN"
ENV_PHONE_NUMBER_ID = "WHATSAPP_PHONE_NUMBER_ID"
ENV_API_BASE = "WHATSAPP_API_BASE"
ENV_PSEUDONYM_KEY = "WHATSAPP_PSEUDONYM_KEY"

# setting name -> environment variable
_SETTING_ENV = {
    "verify_token": ENV_VERIFY_TOKEN,
    "app_secret": ENV_APP_SECRET,
    "access_token": ENV_ACCESS_TOKEN,
    "phone_number_id": ENV_PHONE_NUMBER_ID,
    "api_base": ENV_API_BASE,
    "pseudonym_key": ENV_PSEUDONYM_KEY,
}
# Settings whose presence means "the operator wants the WhatsApp channel".
# ``api_base`` alone does not count: it has a default and may be copied from
# ``.env.example``.
_ACTIVATING_SETTINGS = (
    "verify_token",
    "app_secret",
    "access_token",
    "phone_number_id",
    "pseudonym_key",
)


class WhatsAppConfigError(RasaException, ValueError):
    """The WhatsApp settings are incomplete in a way that makes the channel unsafe."""


@dataclass(frozen=True)
class WhatsAppSettings:
    """Settings of the WhatsApp channel. Secrets are kept out of ``repr``."""

    app_secret: Text = field(repr=False)
    verify_token: Text = field(default="", repr=False)
    access_token: Text = field(default="", repr=False)
    phone_number_id: Text = ""
    api_base: Text = DEFAULT_API_BASE
    pseudonym_key: Text = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.app_secret:
            raise WhatsAppConfigError(
                f"The WhatsApp channel needs {ENV_APP_SECRET}: without the app "
                f"secret the {SIGNATURE_HEADER} signature of Meta's webhook posts "
                f"cannot be checked, and unsigned posts are never accepted. Set "
                f"{ENV_APP_SECRET} (Meta app dashboard > App settings > Basic > App "
                f"secret), or unset all WHATSAPP_* variables to run without the "
                f"WhatsApp channel."
            )
        object.__setattr__(
            self, "api_base", (self.api_base or DEFAULT_API_BASE).rstrip("/")
        )

    @classmethod
    def load(
        cls,
        environ: Optional[Mapping[Text, Text]] = None,
        credentials: Optional[Mapping[Text, Any]] = None,
    ) -> Optional["WhatsAppSettings"]:
        """Reads the settings from ``credentials`` (if given) and the environment.

        Non-empty values in ``credentials`` (keys ``verify_token``, ``app_secret``,
        ``access_token``, ``phone_number_id``, ``api_base``, ``pseudonym_key``)
        win over the environment.

        Returns:
            ``None`` if no WhatsApp setting is present at all.

        Raises:
            WhatsAppConfigError: some settings are present but the app secret is not.
        """
        environ = os.environ if environ is None else environ
        credentials = credentials if isinstance(credentials, Mapping) else {}
        values: Dict[Text, Text] = {}
        for setting, env_name in _SETTING_ENV.items():
            value = credentials.get(setting)
            if value is None or str(value).strip() == "":
                value = environ.get(env_name, "")
            values[setting] = str(value or "").strip()

        if not any(values[name] for name in _ACTIVATING_SETTINGS):
            return None
        return cls(**values)

    @property
    def missing_optional(self) -> List[Text]:
        """Environment variables the channel works badly without."""
        missing = []
        if not self.verify_token:
            missing.append(ENV_VERIFY_TOKEN)
        if not self.access_token:
            missing.append(ENV_ACCESS_TOKEN)
        if not self.phone_number_id:
            missing.append(ENV_PHONE_NUMBER_ID)
        return missing


def pseudonymize(wa_id: Text, key: Text) -> Text:
    """Keyed pseudonym of a WhatsApp user id, used as the Rasa sender id."""
    digest = hmac.new(
        key.encode("utf-8"), wa_id.strip().encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_LENGTH]


def message_key(wamid: Text, key: Text) -> Text:
    """Keyed pseudonym of a WhatsApp message id, used as the Rasa ``message_id``.

    A ``wamid`` is base64 that embeds the sender's phone number, so it is not
    stored or logged as it is. The pseudonym is stable, so a redelivered message
    still maps to the same id in the tracker store.
    """
    digest = hmac.new(
        key.encode("utf-8"), b"message:" + wamid.encode("utf-8"), hashlib.sha256
    ).hexdigest()
    return MESSAGE_KEY_PREFIX + digest[:PSEUDONYM_HEX_LENGTH]


def signature_is_valid(app_secret: Text, body: bytes, header: Optional[Text]) -> bool:
    """Checks ``X-Hub-Signature-256: sha256=<hex>`` against the raw body."""
    if not header or not app_secret:
        return False
    expected = SIGNATURE_PREFIX + hmac.new(
        app_secret.encode("utf-8"), body or b"", hashlib.sha256
    ).hexdigest()
    provided = header.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.compare_digest(expected.encode("ascii"), provided)


def _json_error(message: Text, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


# --------------------------------------------------------------------------
# Parsing of webhook deliveries
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundMessage:
    """One user message taken from a webhook delivery.

    ``wa_id`` is the user's phone number and ``message_id`` the ``wamid`` (which
    embeds the number); both are excluded from ``repr`` so that they cannot end
    up in a log line by accident.
    """

    wa_id: Text = field(repr=False)
    message_id: Text = field(repr=False)
    text: Text
    message_type: Text
    phone_number_id: Optional[Text] = None
    profile_name: Optional[Text] = field(default=None, repr=False)
    timestamp: Optional[Text] = None
    reply_title: Optional[Text] = None


def _as_dict(value: Any) -> Dict[Text, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _as_str(value: Any) -> Optional[Text]:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # lone surrogates: valid JSON, but not text that can be stored or sent
            value = value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _nonempty_str(value: Any) -> Optional[Text]:
    text = _as_str(value)
    if text is None or not text.strip():
        return None
    return text


def _text_of(message: Dict[Text, Any]) -> Tuple[Text, Optional[Text]]:
    """Returns the text for Rasa and, for interactive replies, the shown title."""
    message_type = message.get("type")
    if message_type == "text":
        body = _nonempty_str(_as_dict(message.get("text")).get("body"))
        if body is not None:
            return body, None
    elif message_type == "interactive":
        interactive = _as_dict(message.get("interactive"))
        kind = interactive.get("type")
        if kind in ("button_reply", "list_reply"):
            reply = _as_dict(interactive.get(kind))
            reply_id = _nonempty_str(reply.get("id"))
            if reply_id is not None:
                return reply_id, _as_str(reply.get("title"))
    elif message_type == "button":
        # A quick-reply button of a template message.
        button = _as_dict(message.get("button"))
        payload = _nonempty_str(button.get("payload")) or _nonempty_str(
            button.get("text")
        )
        if payload is not None:
            return payload, _as_str(button.get("text"))
    return NON_TEXT_MESSAGE, None


def _error_code(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def _log_statuses(value: Dict[Text, Any], pseudonym_key: Text) -> None:
    for status in _as_list(value.get("statuses")):
        status = _as_dict(status)
        state = _as_str(status.get("status")) or "?"
        recipient = _nonempty_str(status.get("recipient_id"))
        who = pseudonymize(recipient, pseudonym_key) if recipient else "?"
        if state == "failed":
            for error in _as_list(status.get("errors")) or [{}]:
                error = _as_dict(error)
                code = _error_code(error.get("code"))
                logger.error(
                    "WhatsApp reported a failed delivery to %s: error code %s (%s).",
                    who,
                    code if code is not None else "?",
                    ERROR_HINTS.get(code)  # type: ignore[arg-type]
                    or _redact(_as_str(error.get("title")) or ""),
                )
        else:
            logger.debug("WhatsApp status '%s' for %s ignored.", state[:32], who)


def _log_value_errors(value: Dict[Text, Any]) -> None:
    for error in _as_list(value.get("errors")):
        error = _as_dict(error)
        code = _error_code(error.get("code"))
        logger.error(
            "WhatsApp webhook reported an error: code %s (%s).",
            code if code is not None else "?",
            _redact(_as_str(error.get("title")) or _as_str(error.get("message")) or ""),
        )


def parse_webhook(payload: Any, pseudonym_key: Text = "") -> List[InboundMessage]:
    """Extracts the user messages of a webhook delivery, in delivery order.

    Status updates and error notifications are logged (with pseudonyms), never
    returned. Anything that does not have the documented shape is skipped.
    """
    if not isinstance(payload, dict):
        return []
    if payload.get("object") != "whatsapp_business_account":
        return []

    messages: List[InboundMessage] = []
    for entry in _as_list(payload.get("entry")):
        for change in _as_list(_as_dict(entry).get("changes")):
            change = _as_dict(change)
            if change.get("field", "messages") != "messages":
                continue
            value = _as_dict(change.get("value"))
            if pseudonym_key:
                _log_statuses(value, pseudonym_key)
            _log_value_errors(value)

            metadata = _as_dict(value.get("metadata"))
            phone_number_id = _nonempty_str(metadata.get("phone_number_id"))
            names: Dict[Text, Text] = {}
            for contact in _as_list(value.get("contacts")):
                contact = _as_dict(contact)
                contact_id = _nonempty_str(contact.get("wa_id"))
                name = _as_str(_as_dict(contact.get("profile")).get("name"))
                if contact_id and name:
                    names[contact_id] = name

            for message in _as_list(value.get("messages")):
                message = _as_dict(message)
                sender = _nonempty_str(message.get("from"))
                message_id = _nonempty_str(message.get("id"))
                if sender is None or message_id is None:
                    continue
                message_type = _as_str(message.get("type")) or "unknown"
                if message_type in _IGNORED_MESSAGE_TYPES:
                    continue
                text, reply_title = _text_of(message)
                messages.append(
                    InboundMessage(
                        wa_id=sender,
                        message_id=message_id,
                        text=text,
                        message_type=message_type[:64],
                        phone_number_id=phone_number_id,
                        profile_name=names.get(sender),
                        timestamp=_as_str(message.get("timestamp")),
                        reply_title=reply_title,
                    )
                )
    return messages


# --------------------------------------------------------------------------
# Graph API client
# --------------------------------------------------------------------------


def _redact(text: Text, *secrets: Optional[Text]) -> Text:
    """Removes phone numbers (and the given values) from text that gets logged."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    text = _WAMID.sub("wamid.<redacted>", text)
    return _LONG_DIGITS.sub("<number>", text)[:300]


def _graph_error(body: Any) -> Tuple[Optional[int], Text, Optional[Text]]:
    """(code, message, fbtrace_id) of a Graph API error response body."""
    error = _as_dict(_as_dict(body).get("error"))
    code = _error_code(error.get("code"))
    message = _as_str(error.get("message")) or ""
    details = _as_str(_as_dict(error.get("error_data")).get("details"))
    if details:
        message = f"{message} ({details})" if message else details
    return code, message, _as_str(error.get("fbtrace_id"))


class GraphApiClient:
    """Posts to ``{api_base}/{phone_number_id}/messages`` with bounded retries."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        *,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.max_attempts = max(1, int(max_attempts))
        self.backoff_base = max(0.0, float(backoff_base))
        self.backoff_max = max(0.0, float(backoff_max))
        self.timeout = timeout
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if (
            self._session is None
            or self._session.closed
            or self._session_loop is not loop
        ):
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout)
            )
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _delay(self, attempt: int, retry_after: Optional[Text]) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        if retry_after and re.fullmatch(r"[0-9]{1,6}", retry_after.strip()):
            delay = max(delay, min(float(retry_after.strip()), self.backoff_max))
        # jitter, so that many conversations do not retry in lock-step
        return delay * (0.75 + random.random() / 2)

    async def post_message(
        self,
        phone_number_id: Text,
        payload: Dict[Text, Any],
        *,
        log_as: Text,
        redact: Iterable[Optional[Text]] = (),
        what: Text = "message",
    ) -> bool:
        """Sends one request; returns whether the Graph API accepted it.

        Never raises (except on cancellation): a failure is logged with the HTTP
        status and Meta's error code, using ``log_as`` (the pseudonym) and never
        the phone number.
        """
        url = f"{self.settings.api_base}/{phone_number_id}/messages"
        headers = {
            "Authorization": f"Bearer {self.settings.access_token}",
            "Content-Type": "application/json",
        }
        secrets = [self.settings.access_token, *redact]
        for attempt in range(1, self.max_attempts + 1):
            retry_after: Optional[Text] = None
            try:
                session = self._get_session()
                async with session.post(url, json=payload, headers=headers) as resp:
                    status = resp.status
                    retry_after = resp.headers.get("Retry-After")
                    raw = await resp.read()
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                retryable = True
                status, code, detail, trace = None, None, type(exc).__name__, None
            else:
                if 200 <= status < 300:
                    return True
                try:
                    body = json.loads(raw.decode("utf-8", "replace")) if raw else {}
                except ValueError:
                    body = {}
                code, detail, trace = _graph_error(body)
                retryable = (
                    status == 429 or status >= 500 or code in RETRYABLE_ERROR_CODES
                )

            will_retry = retryable and attempt < self.max_attempts
            logger.log(
                logging.WARNING if will_retry else logging.ERROR,
                "WhatsApp %s to %s failed (attempt %d/%d): HTTP %s, error code %s%s%s%s",
                what,
                log_as,
                attempt,
                self.max_attempts,
                status if status is not None else "-",
                code if code is not None else "-",
                f" [{ERROR_HINTS[code]}]" if code in ERROR_HINTS else "",
                f": {_redact(detail, *secrets)}" if detail else "",
                f" (fbtrace_id {trace[:64]})" if trace else "",
            )
            if not will_retry:
                if retryable:
                    logger.error(
                        "WhatsApp %s to %s dropped after %d attempts.",
                        what,
                        log_as,
                        attempt,
                    )
                return False
            await asyncio.sleep(self._delay(attempt, retry_after))
        return False


# --------------------------------------------------------------------------
# Output channel
# --------------------------------------------------------------------------


def split_text(text: Text, limit: int = MAX_TEXT_LENGTH) -> List[Text]:
    """Splits text into chunks of at most ``limit`` characters.

    Prefers paragraph breaks, then line breaks, then spaces, so that words stay
    whole when possible.
    """
    chunks: List[Text] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = rest.rfind(separator, 0, limit + 1)
            if position >= limit // 2:
                cut = position
                break
        if cut <= 0:
            cut = limit
        chunk = rest[:cut].rstrip()
        rest = rest[cut:].lstrip()
        if chunk:
            chunks.append(chunk)
    if rest:
        chunks.append(rest)
    return chunks


def _cut(text: Text, limit: int) -> Text:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _unique(title: Text, taken: Set[Text], limit: int) -> Text:
    candidate, number = title, 2
    while candidate in taken:
        suffix = f" {number}"
        candidate = _cut(title, limit - len(suffix)).rstrip("…") + suffix
        number += 1
    taken.add(candidate)
    return candidate


class WhatsAppOutput(OutputChannel):
    """Sends the bot's answers to one WhatsApp user through the Graph API.

    The instance holds the user's phone number (needed for ``to``); Rasa only
    ever sees the pseudonym as ``recipient_id``, which is ignored here.
    """

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(
        self,
        client: GraphApiClient,
        wa_id: Text,
        phone_number_id: Text,
        pseudonym: Text,
    ) -> None:
        self._client = client
        self._wa_id = wa_id
        self.phone_number_id = phone_number_id
        self.pseudonym = pseudonym

    def __repr__(self) -> Text:
        return f"WhatsAppOutput(recipient={self.pseudonym})"

    async def _send(self, payload: Dict[Text, Any], what: Text = "message") -> bool:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self._wa_id,
            **payload,
        }
        return await self._client.post_message(
            self.phone_number_id,
            body,
            log_as=self.pseudonym,
            redact=(self._wa_id,),
            what=what,
        )

    async def mark_as_read(self, message_id: Text) -> bool:
        """Marks the user's message as read (blue ticks)."""
        return await self._client.post_message(
            self.phone_number_id,
            {"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
            log_as=self.pseudonym,
            redact=(self._wa_id, message_id),
            what="read receipt",
        )

    async def send_text_message(
        self, recipient_id: Text, text: Text, **kwargs: Any
    ) -> None:
        for chunk in split_text(text or ""):
            await self._send(
                {"type": "text", "text": {"preview_url": False, "body": chunk}},
                what="text",
            )

    async def _leading_text_and_body(self, text: Text) -> Text:
        """Sends what does not fit into an interactive body; returns the body."""
        chunks = split_text(text or "", MAX_INTERACTIVE_BODY_LENGTH)
        if not chunks:
            return "…"
        body = chunks[-1]
        leading = "\n\n".join(chunks[:-1])
        if leading:
            await self.send_text_message(self.pseudonym, leading)
        return body

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        **kwargs: Any,
    ) -> None:
        options: List[Tuple[Text, Text]] = []
        seen_ids: Set[Text] = set()
        for button in buttons or []:
            if not isinstance(button, dict):
                continue
            title = _as_str(button.get("title")) or ""
            payload = _as_str(button.get("payload")) or title
            if not title.strip() or not payload.strip() or payload in seen_ids:
                continue
            seen_ids.add(payload)
            options.append((title, payload))

        if not options:
            await self.send_text_message(recipient_id, text)
            return

        body = await self._leading_text_and_body(text)
        if len(options) <= MAX_REPLY_BUTTONS:
            await self._send_reply_buttons(body, options)
        else:
            label = _as_str(_as_dict(kwargs.get("metadata")).get("list_button")) or _as_str(
                kwargs.get("list_button")
            )
            await self._send_lists(body, options, label or DEFAULT_LIST_BUTTON)

    async def _send_reply_buttons(
        self, body: Text, options: List[Tuple[Text, Text]]
    ) -> None:
        taken: Set[Text] = set()
        buttons = []
        for title, payload in options:
            if len(payload) > MAX_BUTTON_ID_LENGTH:
                logger.warning(
                    "Button payload longer than %d characters is cut for WhatsApp.",
                    MAX_BUTTON_ID_LENGTH,
                )
            buttons.append(
                {
                    "type": "reply",
                    "reply": {
                        "id": payload[:MAX_BUTTON_ID_LENGTH],
                        "title": _unique(
                            _cut(title, MAX_BUTTON_TITLE_LENGTH),
                            taken,
                            MAX_BUTTON_TITLE_LENGTH,
                        ),
                    },
                }
            )
        await self._send(
            {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": body},
                    "action": {"buttons": buttons},
                },
            },
            what="reply buttons",
        )

    async def _send_lists(
        self, body: Text, options: List[Tuple[Text, Text]], label: Text
    ) -> None:
        # A list holds at most 10 rows; longer option lists go out as several lists.
        for start in range(0, len(options), MAX_LIST_ROWS):
            taken: Set[Text] = set()
            rows = []
            for title, payload in options[start : start + MAX_LIST_ROWS]:
                row_title = _unique(
                    _cut(title, MAX_ROW_TITLE_LENGTH), taken, MAX_ROW_TITLE_LENGTH
                )
                row = {"id": payload[:MAX_ROW_ID_LENGTH], "title": row_title}
                if _cut(title, 10_000) != row_title:
                    # keep the full label visible when the title had to be cut
                    row["description"] = _cut(title, MAX_ROW_DESCRIPTION_LENGTH)
                rows.append(row)
            await self._send(
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "list",
                        "body": {"text": body if start == 0 else "…"},
                        "action": {
                            "button": _cut(label, MAX_LIST_BUTTON_LENGTH),
                            "sections": [{"rows": rows}],
                        },
                    },
                },
                what="list",
            )

    async def send_image_url(
        self, recipient_id: Text, image: Text, **kwargs: Any
    ) -> None:
        await self._send({"type": "image", "image": {"link": image}}, what="image")

    async def send_attachment(
        self, recipient_id: Text, attachment: Any, **kwargs: Any
    ) -> None:
        if isinstance(attachment, str) and attachment.strip():
            await self.send_text_message(recipient_id, attachment)

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        """Passes a custom payload through if it is a WhatsApp message object.

        ``custom: {type: ..., <type>: {...}}`` in a response is sent as it is (with
        the recipient filled in); custom payloads meant for other channels are not
        shown to WhatsApp users.
        """
        if isinstance(json_message, dict) and isinstance(json_message.get("type"), str):
            payload = {
                k: v
                for k, v in json_message.items()
                if k not in ("to", "messaging_product", "recipient_type")
            }
            await self._send(payload, what="custom message")
        else:
            logger.debug("Custom payload without 'type' not sent to WhatsApp.")


# --------------------------------------------------------------------------
# Input channel
# --------------------------------------------------------------------------


class _RecentIds:
    """A bounded set of recently seen message ids (oldest forgotten first)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._ids: "OrderedDict[Text, None]" = OrderedDict()

    def add(self, item: Text) -> bool:
        """Adds ``item``; returns False if it was already there."""
        if item in self._ids:
            self._ids.move_to_end(item)
            return False
        self._ids[item] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __len__(self) -> int:
        return len(self._ids)


Job = Callable[[], Awaitable[None]]


class _PerSenderRunner:
    """Runs jobs one after another per key; different keys run concurrently."""

    def __init__(self) -> None:
        self._queues: Dict[Text, Deque[Job]] = {}
        self._tasks: Set["asyncio.Task[None]"] = set()

    def submit(self, key: Text, job: Job) -> None:
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return
        queue = deque([job])
        self._queues[key] = queue
        self.spawn(self._drain(key, queue))

    def spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, key: Text, queue: Deque[Job]) -> None:
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("WhatsApp message processing failed.")
        finally:
            if self._queues.get(key) is queue:
                del self._queues[key]

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    async def wait_idle(self, timeout: Optional[float] = None) -> None:
        async def _wait() -> None:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

        await asyncio.wait_for(_wait(), timeout)


class WhatsAppInput(InputChannel):
    """Rasa input channel for the WhatsApp Cloud API (see the module docstring)."""

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
    ) -> None:
        self.settings = settings
        self._recent = _RecentIds(dedup_capacity)
        self._runner = _PerSenderRunner()
        self.client: Optional[GraphApiClient] = None
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
        pseudonym = self.pseudonym(message.wa_id)
        configured = self.settings.phone_number_id
        if configured and message.phone_number_id and message.phone_number_id != configured:
            logger.info(
                "WhatsApp message for another business number ignored (from %s).",
                pseudonym,
            )
            return
        key = message_key(message.message_id, self.pseudonym_key)
        if not self._recent.add(key):
            logger.info(
                "WhatsApp message %s from %s redelivered; answered once only.",
                key,
                pseudonym,
            )
            return
        phone_number_id = configured or message.phone_number_id or ""

        async def job() -> None:
            await self._process(
                app, message, key, pseudonym, phone_number_id, on_new_message
            )

        self._runner.submit(pseudonym, job)

    async def _already_handled(self, app: Any, sender_id: Text, message_id: Text) -> bool:
        """Whether the tracker store already holds a user message with that id."""
        from rasa.shared.core.events import UserUttered

        agent = getattr(getattr(app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return False
        # The agent wraps its store in a FailSafeTrackerStore, whose
        # ``retrieve_full_tracker`` only returns the latest session.
        inner = getattr(store, "_tracker_store", store)
        try:
            tracker = await inner.retrieve_full_tracker(sender_id)
        except Exception:
            try:
                tracker = await store.retrieve(sender_id)
            except Exception:
                logger.warning(
                    "Tracker store lookup for %s failed; relying on the in-memory "
                    "duplicate check.",
                    sender_id,
                    exc_info=True,
                )
                return False
        if tracker is None:
            return False
        return any(
            isinstance(event, UserUttered) and event.message_id == message_id
            for event in reversed(tracker.events)
        )

    async def _process(
        self,
        app: Any,
        message: InboundMessage,
        key: Text,
        pseudonym: Text,
        phone_number_id: Text,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        assert self.client is not None
        if await self._already_handled(app, pseudonym, key):
            logger.info(
                "WhatsApp message %s from %s already in the tracker store; "
                "not answered again.",
                key,
                pseudonym,
            )
            return

        output = WhatsAppOutput(self.client, message.wa_id, phone_number_id, pseudonym)
        self._runner.spawn(output.mark_as_read(message.message_id))

        metadata: Dict[Text, Any] = {"message_type": message.message_type}
        if message.profile_name:
            metadata["profile_name"] = message.profile_name[:128]
        if message.reply_title:
            metadata["reply_title"] = message.reply_title[:128]
        if message.timestamp:
            metadata["timestamp"] = message.timestamp[:32]

        logger.debug(
            "WhatsApp %s message %s from %s.",
            message.message_type,
            key,
            pseudonym,
        )
        try:
            await on_new_message(
                UserMessage(
                    message.text,
                    output,
                    pseudonym,
                    input_channel=self.name(),
                    message_id=key,
                    metadata={"whatsapp": metadata},
                )
            )
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

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.active else "inactive"})

        @whatsapp_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.active:
                return _json_error("whatsapp channel not configured", 404)
            return self._verify(request)

        @whatsapp_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.active:
                return _json_error("whatsapp channel not configured", 404)
            assert self.settings is not None
            body = request.body or b""
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
