"""Parsing of webhook deliveries: the user messages of a delivery become
``InboundMessage`` objects; status updates and error notifications are only
logged (with pseudonyms)."""

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text, Tuple

from channels.whatsapp.coerce import (
    _as_dict,
    _as_list,
    _as_str,
    _error_code,
    _nonempty_str,
)
from channels.whatsapp.errors import ERROR_HINTS
from channels.whatsapp.security import _redact, pseudonymize

logger = logging.getLogger(__package__)  # "channels.whatsapp" in every module

#: Text given to Rasa for every message that is not text or an interactive reply.
#: The domain maps it to the intent ``non_text``.
NON_TEXT_MESSAGE = "/non_text"

# Message types that are bookkeeping, not something the user said.
_IGNORED_MESSAGE_TYPES = frozenset({"system", "request_welcome"})


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
